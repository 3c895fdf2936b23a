# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-SlotDeployment
function Invoke-DeployStepTable {
    <#
    .SYNOPSIS
        The runner: runs a table of steps in order and, when one fails or Ctrl+C stops the run, unwinds the steps
        that ran, the last first. Sets the report's Result, ExitCode, FailedStep, Error and Hint.
    .DESCRIPTION
        A step (Get-DeployStepTable) is { Name; OnFailure; Do; Undo; Release; Final; Hint }:
        - OnFailure says what its failure means: Refuse (exit 2: nothing changed yet), RollBack (exit 1: unwind and
          leave the old slot serving) or Fail (exit 3: past the point of no return; the first such step drops every
          undo before it, and nothing is unwound from then on).
        - Undo lists the actions that take the step's changes back, each { Name; If; Do }. A step is put on the undo
          list before its Do runs, so a step that fails or is interrupted midway is undone as far as it got.
        - Release runs at the end however the run ended, for each step whose Do finished (the lock), after the Final
          steps (the record). Final steps run only once every Refuse step passed: a refused run leaves no record,
          unless the refusing step is marked Recorded (it ran under the lock and has something to record).
        One unwinding serves a failure and Ctrl+C alike: on Ctrl+C pwsh stops the pipeline with a
        PipelineStoppedException that no catch block sees, and runs only finally blocks; the finally below unwinds
        when the run did not end by itself, and the result is Interrupted (130). Under -WhatIf every step's Do runs
        with -WhatIf (each change only prints its plan) and nothing is unwound.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Run,
        [Parameter(Mandatory)] [hashtable[]] $Step
    )

    # Every key present, so that StrictMode reads a key left out as $null; a misspelt key is an error, not a no-op.
    $Step = @(foreach ($entry in $Step) {
            $unknown = @($entry.Keys |
                    Where-Object { $_ -notin 'Name', 'OnFailure', 'Do', 'Undo', 'Release', 'Final', 'Hint', 'Recorded' })
            if ($entry['Do'] -isnot [scriptblock] -or -not $entry['Name'] -or $unknown -or
                (-not $entry['Final'] -and $entry['OnFailure'] -notin 'Refuse', 'RollBack', 'Fail')) {
                throw "Not a step: $($entry | Out-String)A step needs Name, Do (a scriptblock) and OnFailure " +
                    '(Refuse, RollBack or Fail) unless it is Final; optional: Undo, Release, Hint, Recorded.'
            }
            $undo = @(foreach ($action in @($entry['Undo'] | Where-Object { $_ })) {
                    if ($action['Do'] -isnot [scriptblock] -or -not $action['Name']) {
                        throw "Not an undo action: $($action | Out-String)It needs Name and Do; If is optional."
                    }
                    @{ Name = $action['Name']; If = $action['If']; Do = $action['Do'] }
                })
            @{
                Name = $entry['Name']; OnFailure = $entry['OnFailure']; Do = $entry['Do']; Undo = $undo
                Release = $entry['Release']; Final = [bool]$entry['Final']; Hint = $entry['Hint']
                Recorded = [bool]$entry['Recorded']
            }
        })
    $report = $Run.Report
    $total = $Step.Count
    $refusals = @($Step | Where-Object { -not $_.Final -and $_.OnFailure -eq 'Refuse' }).Count
    $toUndo = [System.Collections.Generic.List[object]]::new()
    $toRelease = [System.Collections.Generic.List[object]]::new()
    $number = 0
    $passed = 0
    $ended = $false
    $hint = {
        param([object] $Entry, [string] $Outcome, [string] $UndoError)
        if ($Entry.Hint) { [string](& $Entry.Hint $Run $Outcome $UndoError) } else { $null }
    }

    $failed = $null
    try {
        $failure = $null
        for ($index = 0; $index -lt $total; $index++) {
            $entry = $Step[$index]
            if ($entry.Final) { continue }
            $number = $index + 1
            # The point of no return: from the first Fail step on, nothing is taken back.
            if ($entry.OnFailure -eq 'Fail') { $toUndo.Clear() }
            elseif ($entry.Undo) { $toUndo.Add($entry) }
            try { Invoke-DeployStep -Run $Run -Step $entry -Number $number -Total $total }
            catch {
                $failed = $entry
                $failure = $_.Exception.Message
                break
            }
            # Only what was taken is released: a refused lock belongs to the run that holds it.
            if ($entry.Release) { $toRelease.Add($entry) }
            if ($entry.OnFailure -eq 'Refuse') { $passed++ }
        }

        if (-not $failed) {
            $report.Result = if ($WhatIfPreference) { 'Planned' } else { 'Succeeded' }
            $report.ExitCode = 0
        }
        else {
            $report.FailedStep = $number
            $report.Error = $failure
            switch ($failed.OnFailure) {
                'Refuse' {
                    $report.Result = 'Refused'
                    $report.ExitCode = 2
                    $report.Hint = & $hint $failed 'Refused' $null
                }
                'RollBack' {
                    Write-Warning "Step $number failed: $failure"
                    try {
                        Invoke-DeployUndo -Run $Run -Step $toUndo.ToArray()
                        $report.Result = 'RolledBack'
                        $report.ExitCode = 1
                        $report.Hint = & $hint $failed 'RolledBack' $null
                    }
                    catch {
                        $report.Result = 'Failed'
                        $report.ExitCode = 3
                        $report.Hint = & $hint $failed 'Failed' $_.Exception.Message
                    }
                }
                default {
                    $report.Result = 'Failed'
                    $report.ExitCode = 3
                    $report.Hint = & $hint $failed 'Failed' $null
                }
            }
        }
        $ended = $true
    }
    finally {
        if (-not $ended) {
            # Ctrl+C: the same unwinding as after a failure.
            $report.Result = 'Interrupted'
            $report.ExitCode = 130
            $report.FailedStep = $number
            try { Invoke-DeployUndo -Run $Run -Step $toUndo.ToArray() }
            catch {
                Write-Warning ("Undo after Ctrl+C failed: $($_.Exception.Message). Run status.ps1, then rerun " +
                    'swap.ps1 or rollback.ps1.')
            }
        }
        $report.FinishedAt = [DateTimeOffset]::UtcNow
        # Final steps (the record) once the run got past every refusal: it holds the lock, or plans under -WhatIf.
        # A refusal by a Recorded step (a pre-deploy hook: it ran under the lock, and its output belongs in the
        # history) is recorded too.
        $recordedRefusal = $failed -and $failed.OnFailure -eq 'Refuse' -and $failed.Recorded
        if ($passed -eq $refusals -or $recordedRefusal) {
            for ($index = 0; $index -lt $total; $index++) {
                if (-not $Step[$index].Final) { continue }
                try { Invoke-DeployStep -Run $Run -Step $Step[$index] -Number ($index + 1) -Total $total }
                catch {
                    $report.Warnings.Add("Step $($index + 1) ($($Step[$index].Name)) failed: $($_.Exception.Message)")
                }
            }
        }
        for ($i = $toRelease.Count - 1; $i -ge 0; $i--) {
            try { $null = & $toRelease[$i].Release $Run }
            catch {
                Write-Warning "Could not release what step '$($toRelease[$i].Name)' holds: $($_.Exception.Message)"
            }
        }
        $report.FinishedAt = [DateTimeOffset]::UtcNow
    }
}
