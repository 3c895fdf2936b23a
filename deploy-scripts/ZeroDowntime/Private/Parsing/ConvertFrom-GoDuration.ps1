# ZeroDowntime module, private (Parsing): not exported.
# Called by: Get-SlotTimeout
function ConvertFrom-GoDuration {
    <#
    .SYNOPSIS
        Converts a Go duration string as printed by `docker compose config` ("1m30s", "45s", "500ms") to seconds.
    #>
    [CmdletBinding()]
    [OutputType([double])]
    param([Parameter(Mandatory)] [string] $Value)

    $units = @{ h = 3600.0; m = 60.0; s = 1.0; ms = 0.001; us = 0.000001; ns = 0.000000001 }
    $text = $Value.Trim()
    if ($text -eq '0') { return 0.0 }
    $parts = [regex]::Matches($text, '(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)')
    if ($parts.Count -eq 0 -or (($parts | ForEach-Object { $_.Value }) -join '') -ne $text) {
        throw "Not a duration: '$Value' (expected e.g. 45s, 1m30s)."
    }
    $total = 0.0
    foreach ($part in $parts) {
        $number = [double]::Parse($part.Groups[1].Value, [cultureinfo]::InvariantCulture)
        $total += $number * $units[$part.Groups[2].Value]
    }
    $total
}
