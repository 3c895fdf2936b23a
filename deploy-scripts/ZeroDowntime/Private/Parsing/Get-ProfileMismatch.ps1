# ZeroDowntime module, private (Parsing): not exported.
# Called by: Test-SlotProfile, Wait-SlotThroughNginx
function Get-ProfileMismatch {
    <#
    .SYNOPSIS
        What is wrong with a /profile probe for a slot and version (a sentence), or $null when it is right.
    .DESCRIPTION
        Shared by the smoke test on the slot (Test-SlotProfile) and the same check through nginx
        (Wait-SlotThroughNginx), so that both judge a slot by the same rules and say it in the same words.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Probe,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [string] $ExpectedVersion
    )

    if (-not $Probe.Success -or -not $Probe.Json) {
        return "GET /profile failed: $($Probe.Body) $($Probe.Error)".TrimEnd()
    }
    if ($Probe.Json.slot -ne $Slot) { return "/profile reports slot '$($Probe.Json.slot)' (expected $Slot)" }
    if ($ExpectedVersion -and $Probe.Json.version -ne $ExpectedVersion) {
        return "/profile reports version '$($Probe.Json.version)' (expected $ExpectedVersion)"
    }
    $null
}
