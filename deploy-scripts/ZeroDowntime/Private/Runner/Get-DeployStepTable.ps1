# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-SlotDeployment
function Get-DeployStepTable {
    <#
    .SYNOPSIS
        The steps of a swap or a rollback, in order: what each does, what takes it back, and what its failure means.
    .DESCRIPTION
        The one place that lists the steps: Invoke-DeployStepTable runs them, numbers them ([3/9]) and unwinds them,
        so adding a step is adding an entry here. Each step is a hashtable (a key left out reads as $null):
        Name (a string, or a scriptblock asked when the step starts), OnFailure (Refuse: exit 2, nothing changed;
        RollBack: exit 1, unwound; Fail: exit 3, past the switch), Do, Undo (actions { Name; If; Do }), Release,
        Final, Hint. Every scriptblock gets the run state $Run (Context, Mode, Version, Build, Report, Plan, and the
        flags the undo reads: PreviousSlotImage, TargetStarted, MarkerMoved, TargetContainerId).
        Swap and rollback share every entry but the start step (swap retags, migrates and recreates the idle slot;
        rollback starts the previous slot with the image it has) and the version the gate expects. A rollback to a
        retained version (-ToVersion) is a swap of that version: the swap's start step and gate.
        The lock is the first step, so that preflight reads the active slot under it: a run never plans on a slot
        that another run is switching. Hooks are steps too (Invoke-DeployHook): pre-deploy refuses (nothing changed
        yet) and is recorded; post-switch and post-deploy only warn (the switch stands); on-failure is Final.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback')] [string] $Mode,
        [switch] $ToVersion
    )

    # What the operator reads after each kind of failure.
    $refusedHint = { 'Nothing was changed.' }
    $rollBackHint = {
        param($Run, [string] $Outcome, [string] $UndoError)
        $old = $Run.Plan.ActiveSlot
        $target = $Run.Plan.TargetSlot
        $look = "Look at 'docker compose logs api-$target' and 'docker compose ps api-$target' (its health)."
        if ($Outcome -eq 'RolledBack') { "api-$old still serves; api-$target was stopped. $look" }
        else { "Undo failed too ($UndoError). Run status.ps1, then rerun swap.ps1 or rollback.ps1 to repair. $look" }
    }
    $failedHint = {
        param($Run)
        $old = $Run.Plan.ActiveSlot
        "Traffic is on api-$($Run.Plan.TargetSlot). api-$old may still run: look at 'docker compose logs api-$old', " +
            "then 'docker compose stop api-$old'."
    }
    # Step 3's undo: stop the slot once it may run, and point its tag back at the image it had (it stays the target
    # of a rollback).
    $startUndo = @(
        @{
            Name = { param($Run) "Stop $($Run.Plan.TargetSlot)" }
            If   = { param($Run) $Run.TargetStarted }
            Do   = { param($Run) Stop-Slot -Context $Run.Context -Slot $Run.Plan.TargetSlot }
        }
        @{
            Name = { param($Run) "Tag $($Run.Plan.TargetSlot)'s previous image again" }
            If   = { param($Run) $Run.PreviousSlotImage }
            Do   = {
                param($Run)
                Restore-SlotImage -Repository $Run.Plan.ImageRepository -Slot $Run.Plan.TargetSlot `
                    -ImageId $Run.PreviousSlotImage
            }
        }
    )
    $start = if ($Mode -eq 'Swap' -or $ToVersion) {
        @{
            Name      = { param($Run) "Start idle slot $($Run.Plan.TargetSlot)" }
            OnFailure = 'RollBack'
            Hint      = $rollBackHint
            Undo      = $startUndo
            Do        = { param($Run) Start-IdleSlot -Run $Run }
        }
    }
    else {
        @{
            Name      = { param($Run) "Start previous slot $($Run.Plan.TargetSlot)" }
            OnFailure = 'RollBack'
            Hint      = $rollBackHint
            Undo      = $startUndo
            Do        = {
                param($Run)
                $plan = $Run.Plan
                # The kept container starts as it is, unless its tag moved since (the undo of a failed swap puts the
                # tag back): then it is recreated from the tag.
                $recreate = -not (Test-SlotImageCurrent -Context $Run.Context -Repository $plan.ImageRepository `
                        -Slot $plan.TargetSlot)
                $Run.TargetStarted = $true
                Start-Slot -Context $Run.Context -Slot $plan.TargetSlot -Recreate:$recreate
            }
        }
    }

    @(
        @{
            Name      = 'Lock'
            OnFailure = 'Refuse'
            Hint      = $refusedHint
            Do        = {
                param($Run)
                $null = Enter-DeployLock -Context $Run.Context -Command $Run.Command -BreakLock:$Run.BreakLock `
                    -Force:$Run.Force -WaitSeconds $Run.LockWaitSeconds
            }
            # Held until the record is written, however the run ends (only this process's own lock is removed).
            Release   = { param($Run) Exit-DeployLock -Context $Run.Context }
        }
        @{
            Name      = 'Preflight'
            OnFailure = 'Refuse'
            Hint      = $refusedHint
            Do        = {
                param($Run)
                # A rollback to a retained version: first whether it is retained (the message lists the window),
                # then its image, like a swap's.
                $toVersion = $Run.Version -and $Run.Mode -eq 'Rollback'
                if ($toVersion) {
                    Assert-RetainedVersion -Context $Run.Context -Version $Run.Version -RetainVersions $Run.RetainVersions
                }
                $preflightMode = if ($toVersion) { 'Swap' } else { $Run.Mode }
                $plan = Invoke-DeployPreflight -Context $Run.Context -Mode $preflightMode -Version $Run.Version `
                    -Build:$Run.Build
                $Run.Plan = $plan
                $Run.Report.FromSlot = $plan.ActiveSlot
                $Run.Report.ToSlot = $plan.TargetSlot
                $Run.Report.FromVersion = $plan.ActiveVersion
                foreach ($warning in $plan.Warnings) { $Run.Report.Warnings.Add($warning); Write-Warning $warning }
                if ($toVersion -and $plan.ActiveVersion -eq $Run.Version) {
                    throw "Version $($Run.Version) is already live on $($plan.ActiveSlot)."
                }
            }
        }
        @{
            Name      = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'pre-deploy' }
            OnFailure = 'Refuse'
            # Its output and exit code belong in the history even when it refuses.
            Recorded  = $true
            Hint      = {
                'Nothing was changed: the pre-deploy hook refused the deploy (its output is above and in the history).'
            }
            Do        = {
                param($Run)
                $hook = Invoke-DeployHook -Run $Run -Name 'pre-deploy'
                if ($hook -and $hook.ExitCode -ne 0) {
                    $how = if ($hook.TimedOut) { "timed out after $script:HookTimeoutSeconds s" }
                    else { "exited with $($hook.ExitCode)" }
                    throw "The pre-deploy hook $how`: $($hook.Output)"
                }
            }
        }
        $start
        @{
            Name      = { param($Run) "Gate $($Run.Plan.TargetSlot) (ready, smoke test, via nginx)" }
            OnFailure = 'RollBack'
            Hint      = $rollBackHint
            Do        = {
                param($Run)
                $target = $Run.Plan.TargetSlot
                # The container step 3 made, resolved once: every question below goes to it by its id.
                $container = Get-StackContainer -Context $Run.Context -Service "api-$target"
                $Run.TargetContainerId = if ($container) { $container.Id } else { '' }
                $id = $Run.TargetContainerId
                Wait-SlotReady -Slot $target -ContainerId $id -TimeoutSeconds $Run.Context.ReadyTimeoutSeconds
                # A rollback goes back to what ran before: the records know which version that was.
                $expected = if ($Run.Mode -eq 'Swap' -or $Run.Version) { $Run.Report.ToVersion }
                else {
                    Get-RollbackVersion -Context $Run.Context -ActiveSlot $Run.Plan.ActiveSlot
                }
                $Run.Report.ToVersion = Test-SlotProfile -Slot $target -ContainerId $id -ExpectedVersion $expected
                Wait-SlotThroughNginx -Slot $target -ContainerId $id -ExpectedVersion $Run.Report.ToVersion
                # Before the switch sends the slot its first real request: staged for opt-in, warmed up through nginx.
                Invoke-GateWarmup -Run $Run
            }
            Undo      = @(
                @{
                    Name = 'Clear the staged candidate in nginx'
                    If   = { param($Run) $Run.CandidateSet }
                    Do   = {
                        param($Run)
                        Set-RoutingState -NginxContainerId $Run.Plan.NginxContainerId -Action Clear
                        $Run.CandidateSet = $false
                    }
                }
            )
        }
        @{
            Name      = { param($Run) "Switch nginx to $($Run.Plan.TargetSlot)" }
            OnFailure = 'RollBack'
            Hint      = $rollBackHint
            Do        = {
                param($Run)
                # Set before the call: a failure or Ctrl+C inside it may already have renamed the marker.
                $Run.MarkerMoved = $true
                Set-ActiveSlot -NginxContainerId $Run.Plan.NginxContainerId -Slot $Run.Plan.TargetSlot `
                    -From $Run.Plan.ActiveSlot
            }
            Undo      = @(
                @{
                    Name = { param($Run) "Switch nginx back to $($Run.Plan.ActiveSlot)" }
                    If   = { param($Run) $Run.MarkerMoved }
                    Do   = {
                        param($Run)
                        Set-ActiveSlot -NginxContainerId $Run.Plan.NginxContainerId -Slot $Run.Plan.ActiveSlot `
                            -From $Run.Plan.TargetSlot
                        $Run.MarkerMoved = $false
                    }
                }
                @{
                    # Requests may have reached the new slot between the switch and now: let them finish first.
                    Name = { param($Run) "Drain $($Run.Plan.TargetSlot)" }
                    If   = { param($Run) $Run.MarkerMoved }
                    Do   = {
                        param($Run)
                        $null = Wait-SlotDrain -Slot $Run.Plan.TargetSlot -ContainerId $Run.TargetContainerId `
                            -TimeoutSeconds $Run.Context.DrainTimeoutSeconds
                    }
                }
            )
        }
        @{
            Name      = 'Verify through nginx'
            OnFailure = 'RollBack'
            Hint      = $rollBackHint
            # In maintenance mode: on nginx's marker and its preview server (Confirm-SlotSwitch).
            Do        = { param($Run) Confirm-SlotSwitch -Run $Run }
        }
        @{
            Name      = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'post-switch' }
            OnFailure = 'Fail'
            Hint      = $failedHint
            Do        = { param($Run) Invoke-DeployReportingHook -Run $Run -Name 'post-switch' }
        }
        @{
            Name      = { param($Run) "Drain $($Run.Plan.ActiveSlot)" }
            OnFailure = 'Fail'
            Hint      = $failedHint
            Do        = {
                param($Run)
                $old = $Run.Plan.ActiveSlot
                if ($Run.CandidateSet) {
                    # The warm-up's candidate is the active slot now (nginx routes everyone there); clearing it only
                    # tidies the state, so a failure is a warning.
                    try {
                        Set-RoutingState -NginxContainerId $Run.Plan.NginxContainerId -Action Clear
                        $Run.CandidateSet = $false
                    }
                    catch { $Run.Report.Warnings.Add("Could not clear nginx's candidate: $($_.Exception.Message)") }
                }
                $seconds = $Run.Context.DrainTimeoutSeconds
                $drained = Wait-SlotDrain -Slot $old -ContainerId $Run.Plan.ActiveContainerId -TimeoutSeconds $seconds
                if (-not $drained) {
                    $Run.Report.Warnings.Add("api-$old was not drained within $seconds s; it was stopped anyway and " +
                        'had its stop_grace_period to finish.')
                }
            }
        }
        @{
            Name      = { param($Run) "Stop $($Run.Plan.ActiveSlot)" }
            OnFailure = 'Fail'
            Hint      = $failedHint
            Do        = { param($Run) Stop-Slot -Context $Run.Context -Slot $Run.Plan.ActiveSlot }
        }
        @{
            Name      = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'post-deploy' }
            OnFailure = 'Fail'
            Hint      = $failedHint
            Do        = {
                param($Run)
                # The hook sees the outcome it reports on: the run has succeeded once the old slot is stopped.
                $Run.Report.Result = 'Succeeded'
                Invoke-DeployReportingHook -Run $Run -Name 'post-deploy'
            }
        }
        @{
            Name  = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'on-failure' }
            Final = $true
            Do    = {
                param($Run)
                if ($Run.Report.Result -notin 'Succeeded', 'Planned') { Invoke-DeployReportingHook -Run $Run -Name 'on-failure' }
            }
        }
        @{
            Name  = 'Record'
            Final = $true
            Do    = {
                param($Run)
                # A swap sets the stack's retention window (Get-RetentionWindow).
                if ($Run.Mode -eq 'Swap') { $Run.Report.Details['RetainVersions'] = $Run.RetainVersions }
                $Run.Report.RecordId = Write-DeployRecord -Context $Run.Context -Report $Run.Report
            }
        }
    )
}
