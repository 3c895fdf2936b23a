# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-DeployStepTable
function Invoke-DeployStep {
    <#
    .SYNOPSIS
        Runs one step of the table: progress, timing, the visible step line, and an entry in the report's step list.
    .DESCRIPTION
        The entry's Result is ok (planned under -WhatIf), failed (the error is rethrown for the runner), or
        interrupted: a stopping pipeline (Ctrl+C) runs only finally blocks, so a step still "running" there was
        stopped.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Run,
        [Parameter(Mandatory)] [hashtable] $Step,
        [Parameter(Mandatory)] [ValidateRange(1, 100)] [int] $Number,
        [Parameter(Mandatory)] [ValidateRange(1, 100)] [int] $Total
    )

    $report = $Run.Report
    # A name may depend on what earlier steps found (the target slot): a scriptblock is asked when the step starts.
    $name = if ($Step.Name -is [scriptblock]) { [string](& $Step.Name $Run) } else { [string]$Step.Name }
    Write-Progress -Activity "$($report.Mode) $($report.FromSlot) -> $($report.ToSlot)" `
        -Status "[$Number/$Total] $name" -PercentComplete ([int](100 * ($Number - 1) / $Total))
    Write-Verbose "Step $Number/${Total}: $name"
    $entry = [pscustomobject]@{
        Number = $Number; Name = $name; Result = 'running'; StartedAt = [DateTimeOffset]::UtcNow; Seconds = 0.0
        Error = $null
    }
    $report.Steps.Add($entry)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        $null = & $Step.Do $Run
        $entry.Result = if ($WhatIfPreference) { 'planned' } else { 'ok' }
    }
    catch {
        $entry.Result = 'failed'
        $entry.Error = $_.Exception.Message
        throw
    }
    finally {
        $entry.Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 2)
        if ($entry.Result -eq 'running') { $entry.Result = 'interrupted' }
        Show-DeployStep -Number $Number -Total $Total -Name $name -Outcome $entry.Result -Seconds $entry.Seconds
    }
}
