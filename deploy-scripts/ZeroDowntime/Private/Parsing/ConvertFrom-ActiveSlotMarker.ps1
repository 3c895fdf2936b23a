# ZeroDowntime module, private (Parsing): not exported.
# Called by: Get-ActiveSlot
function ConvertFrom-ActiveSlotMarker {
    <#
    .SYNOPSIS
        Reads the active slot out of a listing of nginx's state directory; throws unless exactly one marker is there.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Listing)

    # Other files are ignored: only the two marker names decide. No marker, or both, is refused instead of guessed
    # at: nginx answers 503 without one, and would pick green with both (nginx/snippets/active-slot.conf).
    $markers = @($Listing -split "`r?`n" |
        ForEach-Object { $_.Trim() } |
        Where-Object { $_ -match '^active-slot\.(blue|green)$' })
    if ($markers.Count -ne 1) {
        $found = if ($markers) { $markers -join ' and ' } else { 'none' }
        throw "nginx's state directory ($script:NginxStateDirectory) must hold exactly one of active-slot.blue or " +
            "active-slot.green; it holds $found. With both, remove the marker of the slot that should not serve " +
            "(status.ps1 shows which slots are ready). With none, nginx answers 503: create the marker of the slot " +
            "that should serve, e.g. 'docker compose exec nginx touch $script:NginxStateDirectory/active-slot.blue'."
    }
    $markers[0].Substring($script:ActiveSlotMarkerPrefix.Length)
}
