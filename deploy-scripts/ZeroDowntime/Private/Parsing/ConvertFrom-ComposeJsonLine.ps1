# ZeroDowntime module, private (Parsing): not exported.
# Called by: Get-StackContainer
function ConvertFrom-ComposeJsonLine {
    <#
    .SYNOPSIS
        Parses `docker compose ... --format json` output, which is a JSON array in some compose versions and one
        object per line in others.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([AllowEmptyString()] [string] $Text)

    $trimmed = "$Text".Trim()
    if (-not $trimmed) { return }
    if ($trimmed.StartsWith('[')) { return ($trimmed | ConvertFrom-Json) }
    $trimmed -split "`r?`n" | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json }
}
