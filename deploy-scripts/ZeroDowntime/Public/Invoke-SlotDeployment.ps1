# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: rollback.ps1, swap.ps1, users
function Invoke-SlotDeployment {
    <#
    .SYNOPSIS
        Moves traffic to the idle slot in nine steps (swap: a new version; rollback: the previous slot as it is).
    .DESCRIPTION
        Returns the deploy report. Result and exit code: Succeeded (0); RolledBack (1, a step 3-6 failed and the
        old slot serves); Refused (2, preflight or lock failed, nothing changed); Failed (3, the switch happened
        but a later step failed, or the undo itself failed: look at status.ps1).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback')] [string] $Mode,
        [string] $Version,
        [switch] $Build,
        [switch] $BreakLock,
        [string] $Command = $Mode
    )

    if ($Mode -eq 'Swap' -and -not $Version -and -not $Build) { throw 'Swap needs -Version or -Build.' }
    $report = [pscustomobject]@{
        PSTypeName  = 'ZeroDowntime.DeployReport'
        Project     = $Context.ProjectName
        Mode        = $Mode
        Result      = 'Running'
        ExitCode    = -1
        FromSlot    = $null
        ToSlot      = $null
        FromVersion = $null
        ToVersion   = $Version
        FailedStep  = $null
        Error       = $null
        Hint        = $null
        Warnings    = [System.Collections.Generic.List[string]]::new()
        Steps       = [System.Collections.Generic.List[object]]::new()
        StartedAt   = [DateTimeOffset]::UtcNow
        FinishedAt  = $null
        WhatIf      = [bool]$WhatIfPreference
        RecordPath  = $null
    }
    $state = [pscustomobject]@{
        Locked = $false; TargetStarted = $false; MarkerMoved = $false; Switched = $false; PreviousSlotImage = $null
    }
    $plan = $null
    $stepNumber = 0
    $finished = $false

    try {
        $refused = $false
        try {
            $stepNumber = 1
            $plan = Invoke-DeployStep -Report $report -Number 1 -Name 'Preflight' -Action {
                Invoke-DeployPreflight -Context $Context -Mode $Mode -Version $Version -Build:$Build
            }
            $report.FromSlot = $plan.ActiveSlot
            $report.ToSlot = $plan.TargetSlot
            $report.FromVersion = $plan.ActiveVersion
            foreach ($warning in $plan.Warnings) { $report.Warnings.Add($warning); Write-Warning $warning }

            $stepNumber = 2
            $null = Invoke-DeployStep -Report $report -Number 2 -Name 'Lock' -Action {
                $null = Enter-DeployLock -StateDirectory $Context.StateDirectory -Command $Command -BreakLock:$BreakLock
                $state.Locked = -not $WhatIfPreference
            }
        }
        catch {
            $refused = $true
            $report.Result = 'Refused'
            $report.ExitCode = 2
            $report.FailedStep = $stepNumber
            $report.Error = $_.Exception.Message
            $report.Hint = 'Nothing was changed.'
        }

        $undone = $false
        if (-not $refused) {
            $target = $plan.TargetSlot
            $old = $plan.ActiveSlot
            try {
                $stepNumber = 3
                $startName = if ($Mode -eq 'Swap') { "Start idle slot $target" } else { "Start previous slot $target" }
                $null = Invoke-DeployStep -Report $report -Number 3 -Name $startName -Action {
                    if ($Mode -eq 'Swap') {
                        if ($Build) {
                            if (-not $Version) { $Version = 'build-' + [DateTimeOffset]::UtcNow.ToString('yyyyMMddTHHmmssZ') }
                            $report.ToVersion = $Version
                            New-ApiImage -Context $Context -Repository $plan.ImageRepository -Version $Version
                        }
                        $state.PreviousSlotImage = Publish-SlotImage -Repository $plan.ImageRepository `
                            -Version $Version -Slot $target
                        Invoke-SlotMigration -Context $Context -Slot $target
                        $recreate = $true
                    }
                    else {
                        # The kept container starts as it is, unless its tag moved since (the undo of a failed swap
                        # puts the tag back): then it is recreated from the tag.
                        $recreate = -not (Test-SlotImageCurrent -Context $Context -Repository $plan.ImageRepository `
                                -Slot $target)
                    }
                    # From here on the target slot may be running: undo must stop it.
                    $state.TargetStarted = $true
                    Start-Slot -Context $Context -Slot $target -Recreate:$recreate
                }

                $stepNumber = 4
                $gateName = "Gate $target (ready, smoke test, via nginx)"
                $null = Invoke-DeployStep -Report $report -Number 4 -Name $gateName -Action {
                    Wait-SlotReady -Context $Context -Slot $target -TimeoutSeconds $Context.ReadyTimeoutSeconds
                    # A rollback goes back to what ran before: the records know which version that was.
                    $expected = if ($Mode -eq 'Swap') { $report.ToVersion }
                    else { Get-RollbackVersion -StateDirectory $Context.StateDirectory -ActiveSlot $old }
                    $report.ToVersion = Test-SlotProfile -Context $Context -Slot $target -ExpectedVersion $expected
                    Wait-SlotThroughNginx -Context $Context -Slot $target -ExpectedVersion $report.ToVersion
                }

                $stepNumber = 5
                $null = Invoke-DeployStep -Report $report -Number 5 -Name "Switch nginx to $target" -Action {
                    # Set before the call: a failure or Ctrl+C inside it may already have renamed the marker.
                    $state.MarkerMoved = -not $WhatIfPreference
                    Set-ActiveSlot -Context $Context -Slot $target -From $old
                }

                $stepNumber = 6
                $null = Invoke-DeployStep -Report $report -Number 6 -Name 'Verify through nginx' -Action {
                    Wait-PublicSlot -Context $Context -Slot $target
                }
                $state.Switched = $true
            }
            catch {
                $undone = $true
                $report.FailedStep = $stepNumber
                $report.Error = $_.Exception.Message
                $report.Hint = "Look at 'docker compose logs api-$target' and its readiness output " +
                    "('docker compose exec api-$target dotnet Api.dll probe /health/ready')."
                Write-Warning "Step $stepNumber failed: $($_.Exception.Message)"
                try {
                    Undo-SlotSwitch -Context $Context -Plan $plan -State $state
                    $report.Result = 'RolledBack'
                    $report.ExitCode = 1
                    $report.Hint = "api-$old still serves; api-$target was stopped. " + $report.Hint
                }
                catch {
                    $report.Result = 'Failed'
                    $report.ExitCode = 3
                    $report.Hint = "Undo failed too ($($_.Exception.Message)). Run status.ps1, then rerun swap.ps1 " +
                        'or rollback.ps1 to repair. ' + $report.Hint
                }
            }
        }

        if (-not $refused -and -not $undone) {
            try {
                $stepNumber = 7
                $drained = Invoke-DeployStep -Report $report -Number 7 -Name "Drain $old" -Action {
                    Wait-SlotDrain -Context $Context -Slot $old -TimeoutSeconds $Context.DrainTimeoutSeconds
                }
                if (-not $drained) {
                    $report.Warnings.Add("api-$old was not drained within $($Context.DrainTimeoutSeconds) s; it was " +
                        'stopped anyway and had its stop_grace_period to finish.')
                }

                $stepNumber = 8
                $null = Invoke-DeployStep -Report $report -Number 8 -Name "Stop $old" -Action {
                    Stop-Slot -Context $Context -Slot $old
                }
                $report.Result = if ($WhatIfPreference) { 'Planned' } else { 'Succeeded' }
                $report.ExitCode = 0
            }
            catch {
                $report.Result = 'Failed'
                $report.ExitCode = 3
                $report.FailedStep = $stepNumber
                $report.Error = $_.Exception.Message
                $report.Hint = "Traffic is on api-$target. api-$old may still run: look at " +
                    "'docker compose logs api-$old', then 'docker compose stop api-$old'."
            }
        }
        $finished = $true
    }
    finally {
        if (-not $finished) {
            # Interrupted (Ctrl+C): leave nginx pointing at a slot that was verified. If the marker was moved
            # but not verified, move it back; the target slot may keep running, a rerun recreates or stops it.
            $report.Result = 'Interrupted'
            $report.ExitCode = 130
            $report.FailedStep = $stepNumber
            if ($state.MarkerMoved -and -not $state.Switched) {
                try { Set-ActiveSlot -Context $Context -Slot $plan.ActiveSlot -From $plan.TargetSlot }
                catch { Write-Warning "Could not move the active-slot marker back: $_. Rerun swap.ps1 or rollback.ps1." }
            }
            if ($state.PreviousSlotImage -and -not $state.Switched) {
                # The idle slot stays the rollback target: its tag names the image it had before this run.
                try {
                    Restore-SlotImage -Repository $plan.ImageRepository -Slot $plan.TargetSlot `
                        -ImageId $state.PreviousSlotImage
                }
                catch { Write-Warning "Could not tag api-$($plan.TargetSlot)'s previous image again: $_" }
            }
        }
        if ($state.Locked) {
            $report.FinishedAt = [DateTimeOffset]::UtcNow
            try {
                $null = Invoke-DeployStep -Report $report -Number 9 -Name 'Record' -Action {
                    $report.RecordPath = Write-DeployRecord -StateDirectory $Context.StateDirectory -Report $report
                }
            }
            catch { $report.Warnings.Add("The deploy record was not written: $($_.Exception.Message)") }
            finally { Exit-DeployLock -StateDirectory $Context.StateDirectory }
        }
        elseif ($WhatIfPreference -and $report.Result -ne 'Refused') {
            $null = Invoke-DeployStep -Report $report -Number 9 -Name 'Record' -Action {
                $null = Write-DeployRecord -StateDirectory $Context.StateDirectory -Report $report
            }
        }
        $report.FinishedAt = [DateTimeOffset]::UtcNow
        Write-Progress -Activity "$Mode" -Completed
    }
    $report
}
