# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-SlotDeployment
function Get-PromoteStepTable {
    <#
    .SYNOPSIS
        The steps of swap.ps1 -Promote (finish a staged deployment or canary: everyone to the staged slot) and
        swap.ps1 -Abort (everyone back to the active slot at once, the staged slot stopped).
    .DESCRIPTION
        Entries as in Get-DeployStepTable. Both start by adopting the lock that swap.ps1 -Stage or -Canary left as a
        staged holder (Enter-DeployLock -AdoptStaged). Until the point of no return (promote: the verified switch;
        abort: the cleared candidate), a failure or Ctrl+C puts the lock back as the staged holder, so the staged
        deployment stays as it was and can be promoted or aborted again; from there on the lock is released at the
        end.
        Promote: re-gate the staged slot (ready, version, through nginx; it was warmed up when staged), switch the
        active marker (nginx routes everyone to it from the next request, the candidate included), verify, clear the
        candidate (expires canary cookies), drain and stop the old slot, record. Abort: clear the candidate (the next
        request of a client pinned to the staged slot goes to the active slot and its cookie is expired), verify,
        drain and stop the staged slot, point its tag back at its previous image (rollback.ps1's target), record.
        Hooks: a promote runs post-switch (once the candidate is cleared: the switch stands) and post-deploy like a
        swap; both run on-failure after a failure. They only warn (Invoke-DeployReportingHook).
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)] [ValidateSet('Promote', 'Abort')] [string] $Mode)

    $refusedHint = {
        param($Run)
        if ($Run.Staged) { 'Nothing was changed; the deployment is still staged (status.ps1 shows it).' }
        else { 'Nothing was changed.' }
    }
    $keptHint = {
        param($Run, [string] $Outcome, [string] $UndoError)
        $target = $Run.Plan.TargetSlot
        if ($Outcome -eq 'RolledBack') {
            "api-$($Run.Plan.ActiveSlot) still serves; api-$target is still staged. Look at 'docker compose logs " +
                "api-$target', then retry, or swap.ps1 -Abort."
        }
        else { "Undo failed too ($UndoError). Run status.ps1; then swap.ps1 -Promote or swap.ps1 -Abort again." }
    }
    $failedHint = {
        param($Run)
        $stopped = if ($Run.Mode -eq 'Promote') { $Run.Plan.ActiveSlot } else { $Run.Plan.TargetSlot }
        $serving = if ($Run.Mode -eq 'Promote') { $Run.Plan.TargetSlot } else { $Run.Plan.ActiveSlot }
        "Everyone is on api-$serving. api-$stopped may still run: look at 'docker compose logs api-$stopped', " +
            "then 'docker compose stop api-$stopped'."
    }
    $steps = [System.Collections.Generic.List[hashtable]]::new()
    $steps.Add(@{
            Name      = 'Lock (adopt the staged deployment)'
            OnFailure = 'Refuse'
            Hint      = $refusedHint
            Do        = {
                param($Run)
                $null = Enter-DeployLock -Context $Run.Context -Command $Run.Command -AdoptStaged
                $Run.Staged = (Get-DeployLock -Context $Run.Context).Staged
                $Run.KeepStaged = $true
                $Run.Report.Staged = $Run.Staged
                $Run.Report.FromSlot = [string]$Run.Staged.FromSlot
                $Run.Report.ToSlot = [string]$Run.Staged.Slot
                $Run.Report.FromVersion = [string]$Run.Staged.FromVersion
                $Run.Report.ToVersion = [string]$Run.Staged.Version
            }
            Release   = {
                param($Run)
                if ($Run.KeepStaged -and $Run.Staged) {
                    Exit-DeployLock -Context $Run.Context -KeepStaged -Staged $Run.Staged
                }
                else { Exit-DeployLock -Context $Run.Context }
            }
        })
    $steps.Add(@{
            Name      = 'Preflight'
            OnFailure = 'Refuse'
            Hint      = $refusedHint
            Do        = {
                param($Run)
                $plan = Invoke-StagedPreflight -Context $Run.Context -Staged $Run.Staged -For $Run.Mode
                $Run.Plan = $plan
                $Run.TargetContainerId = $plan.TargetContainerId
                foreach ($warning in $plan.Warnings) { $Run.Report.Warnings.Add($warning); Write-Warning $warning }
            }
        })

    if ($Mode -eq 'Promote') {
        $steps.Add(@{
                Name      = { param($Run) "Gate $($Run.Plan.TargetSlot) again (ready, version, via nginx)" }
                OnFailure = 'RollBack'
                Hint      = $keptHint
                Do        = {
                    param($Run)
                    $target = $Run.Plan.TargetSlot
                    $id = $Run.TargetContainerId
                    # It was gated and warmed when staged: this only proves it is still there, so the wait is short.
                    $seconds = [math]::Min(30, $Run.Context.ReadyTimeoutSeconds)
                    Wait-SlotReady -Slot $target -ContainerId $id -TimeoutSeconds $seconds
                    $null = Test-SlotProfile -Slot $target -ContainerId $id -ExpectedVersion $Run.Report.ToVersion
                    Wait-SlotThroughNginx -Slot $target -ContainerId $id -ExpectedVersion $Run.Report.ToVersion
                }
            })
        $steps.Add(@{
                Name      = { param($Run) "Switch nginx to $($Run.Plan.TargetSlot)" }
                OnFailure = 'RollBack'
                Hint      = $keptHint
                Do        = {
                    param($Run)
                    $Run.MarkerMoved = -not $Run.Plan.AlreadySwitched
                    Set-ActiveSlot -NginxContainerId $Run.Plan.NginxContainerId -Slot $Run.Plan.TargetSlot `
                        -From $Run.Plan.ActiveSlot
                }
                Undo      = @(
                    @{
                        # Back to the staged state: the candidate stays set, so opt-in and canary clients keep
                        # reaching the staged slot. No drain: it keeps serving them.
                        Name = { param($Run) "Switch nginx back to $($Run.Plan.ActiveSlot)" }
                        If   = { param($Run) $Run.MarkerMoved }
                        Do   = {
                            param($Run)
                            Set-ActiveSlot -NginxContainerId $Run.Plan.NginxContainerId -Slot $Run.Plan.ActiveSlot `
                                -From $Run.Plan.TargetSlot
                            $Run.MarkerMoved = $false
                        }
                    }
                )
            })
        $steps.Add(@{
                Name      = 'Verify through nginx'
                OnFailure = 'RollBack'
                Hint      = $keptHint
                # As a swap's: in maintenance mode on nginx's marker and its preview server.
                Do        = { param($Run) Confirm-SlotSwitch -Run $Run }
            })
        $steps.Add(@{
                Name      = 'Clear the candidate (canary cookies expire)'
                OnFailure = 'Fail'
                Hint      = $failedHint
                Do        = {
                    param($Run)
                    # Past the point of no return: the lock is released at the end, whatever follows.
                    $Run.KeepStaged = $false
                    try { Set-RoutingState -NginxContainerId $Run.Plan.NginxContainerId -Action Clear }
                    catch {
                        $message = "Could not clear nginx's candidate ($($_.Exception.Message)); everyone reaches " +
                            "api-$($Run.Plan.TargetSlot) anyway. Run 'docker compose exec nginx sh " +
                            "$script:RoutingStateScript clear-candidate'."
                        $Run.Report.Warnings.Add($message)
                        Write-Warning $message
                    }
                }
            })
        $steps.Add(@{
                Name      = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'post-switch' }
                OnFailure = 'Fail'
                Hint      = $failedHint
                Do        = { param($Run) Invoke-DeployReportingHook -Run $Run -Name 'post-switch' }
            })
        $steps.Add(@{
                Name      = { param($Run) "Drain $($Run.Plan.ActiveSlot)" }
                OnFailure = 'Fail'
                Hint      = $failedHint
                Do        = {
                    param($Run)
                    $seconds = $Run.Context.DrainTimeoutSeconds
                    $drained = Wait-SlotDrain -Slot $Run.Plan.ActiveSlot -ContainerId $Run.Plan.ActiveContainerId `
                        -TimeoutSeconds $seconds
                    if (-not $drained) {
                        $Run.Report.Warnings.Add("api-$($Run.Plan.ActiveSlot) was not drained within $seconds s; it " +
                            'was stopped anyway and had its stop_grace_period to finish.')
                    }
                }
            })
        $steps.Add(@{
                Name      = { param($Run) "Stop $($Run.Plan.ActiveSlot)" }
                OnFailure = 'Fail'
                Hint      = $failedHint
                Do        = { param($Run) Stop-Slot -Context $Run.Context -Slot $Run.Plan.ActiveSlot }
            })
        $steps.Add(@{
                Name      = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'post-deploy' }
                OnFailure = 'Fail'
                Hint      = $failedHint
                Do        = {
                    param($Run)
                    # The hook sees the outcome it reports on: the run has succeeded once the old slot is stopped.
                    $Run.Report.Result = 'Succeeded'
                    Invoke-DeployReportingHook -Run $Run -Name 'post-deploy'
                }
            })
    }
    else {
        $steps.Add(@{
                Name      = { param($Run) "Route everyone to $($Run.Plan.ActiveSlot) (clear the candidate)" }
                OnFailure = 'RollBack'
                Hint      = $keptHint
                Do        = {
                    param($Run)
                    Set-RoutingState -NginxContainerId $Run.Plan.NginxContainerId -Action Clear
                    # The staged deployment is gone from nginx: from here on the lock is released at the end.
                    $Run.KeepStaged = $false
                    $active = $Run.Plan.ActiveSlot
                    Test-CandidateRouting -Context $Run.Context -Slot $active -ActiveSlot $active
                }
            })
        $steps.Add(@{
                Name      = { param($Run) "Drain $($Run.Plan.TargetSlot)" }
                OnFailure = 'Fail'
                Hint      = $failedHint
                Do        = {
                    param($Run)
                    if (-not $Run.TargetContainerId) { return }
                    $seconds = $Run.Context.DrainTimeoutSeconds
                    $drained = Wait-SlotDrain -Slot $Run.Plan.TargetSlot -ContainerId $Run.TargetContainerId `
                        -TimeoutSeconds $seconds
                    if (-not $drained) {
                        $Run.Report.Warnings.Add("api-$($Run.Plan.TargetSlot) was not drained within $seconds s; it " +
                            'was stopped anyway and had its stop_grace_period to finish.')
                    }
                }
            })
        $steps.Add(@{
                Name      = { param($Run) "Stop $($Run.Plan.TargetSlot) and tag its previous image again" }
                OnFailure = 'Fail'
                Hint      = $failedHint
                Do        = {
                    param($Run)
                    Stop-Slot -Context $Run.Context -Slot $Run.Plan.TargetSlot
                    $previous = [string]$Run.Staged['PreviousSlotImage']
                    if ($previous) {
                        Restore-SlotImage -Repository $Run.Plan.ImageRepository -Slot $Run.Plan.TargetSlot `
                            -ImageId $previous
                    }
                    else {
                        $Run.Report.Warnings.Add("The staged deployment did not record api-$($Run.Plan.TargetSlot)'s " +
                            'previous image: its tag still names the aborted version, so rollback.ps1 would start ' +
                            'that.')
                    }
                }
            })
    }
    $steps.Add(@{
            Name  = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'on-failure' }
            Final = $true
            Do    = {
                param($Run)
                if ($Run.Report.Result -notin 'Succeeded', 'Planned') {
                    Invoke-DeployReportingHook -Run $Run -Name 'on-failure'
                }
            }
        })
    $steps.Add(@{
            Name  = 'Record'
            Final = $true
            Do    = {
                param($Run)
                $Run.Report.RecordId = Write-DeployRecord -Context $Run.Context -Report $Run.Report
            }
        })
    $steps.ToArray()
}
