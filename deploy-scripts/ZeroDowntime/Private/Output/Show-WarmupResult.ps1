# ZeroDowntime module, private (Output): not exported.
# Called by: Invoke-SlotWarmup
function Show-WarmupResult {
    <#
    .SYNOPSIS
        Prints what the gate's warm-up did, under the gate's step line: rounds, requests, time, and the first and
        last round's duration (how much colder the first one was).
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [pscustomobject] $Summary,
        [Parameter(Mandatory)] [int] $PerRound
    )

    $culture = [cultureinfo]::InvariantCulture
    $line = [string]::Format($culture,
        '      warm-up of {0}: {1} rounds of {2} requests in {3:0.0} s; first round {4:0} ms, last {5:0} ms{6}',
        $Slot, $Summary.Rounds, $PerRound, $Summary.Seconds, $Summary.FirstRoundMs, $Summary.LastRoundMs,
        $(if ($Summary.Settled) { '' } else { ' (not settled: bound reached)' }))
    # The information stream, as Show-DeployStep's lines: visible on a console, never part of the report object.
    Write-Host $line
}
