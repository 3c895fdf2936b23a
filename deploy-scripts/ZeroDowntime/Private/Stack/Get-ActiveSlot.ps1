# ZeroDowntime module, private (Stack): not exported.
# Called by: Get-DeployStatus, Invoke-DeployPreflight
function Get-ActiveSlot {
    <#
    .SYNOPSIS
        Reads which slot nginx routes to: the one marker file in nginx's state directory.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $listing = (Invoke-Compose -Context $Context -ArgumentList 'exec', '-T', 'nginx', 'ls', '-1',
        $script:NginxStateDirectory).StdOut
    [pscustomobject]@{ Slot = ConvertFrom-ActiveSlotMarker -Listing $listing }
}
