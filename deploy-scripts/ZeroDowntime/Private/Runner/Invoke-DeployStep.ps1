# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-SlotDeployment
function Invoke-DeployStep {
    <#
    .SYNOPSIS
        Runs one step: progress, timing, the visible step line, and an entry in the report's step list.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Report,
        [Parameter(Mandatory)] [int] $Number,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [scriptblock] $Action
    )

    Write-Progress -Activity "$($Report.Mode) $($Report.FromSlot) -> $($Report.ToSlot)" -Status "[$Number/$script:StepCount] $Name" `
        -PercentComplete ([int](100 * ($Number - 1) / $script:StepCount))
    Write-Verbose "Step $Number/${script:StepCount}: $Name"
    $step = [pscustomobject]@{
        Number = $Number; Name = $Name; Result = 'running'; StartedAt = [DateTimeOffset]::UtcNow; Seconds = 0.0; Error = $null
    }
    $Report.Steps.Add($step)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        $output = & $Action
        $step.Result = if ($WhatIfPreference) { 'planned' } else { 'ok' }
        $output
    }
    catch {
        $step.Result = 'failed'
        $step.Error = $_.Exception.Message
        throw
    }
    finally {
        $step.Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 2)
        if ($step.Result -eq 'running') { $step.Result = 'interrupted' }
        Show-DeployStep -Number $Number -Name $Name -Outcome $step.Result -Seconds $step.Seconds
    }
}
