# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-SlotDeployment
function Get-StagedStepTable {
    <#
    .SYNOPSIS
        The steps of swap.ps1 -Stage and -Canary: start and gate the idle slot like a swap, warm it up, then route
        opt-in requests (Stage) or P % of new clients (Canary) to it, and keep the deploy lock as a staged holder.
        -Mode Retarget: a canary's new percentage (or a stage turned canary) on the deployment already staged.
    .DESCRIPTION
        Entries as in Get-DeployStepTable (the runner is the same). The lock comes first: its holder is what the
        promote, abort or retarget that follows adopts (Enter-DeployLock -AdoptStaged). Hooks: pre-deploy before
        the new slot starts (it can refuse; not on a retarget, which starts nothing), on-failure after a failure;
        post-switch and post-deploy belong to the promote, when everyone moves. A run that fails or is
        interrupted before the routing step unwinds like a swap (candidate cleared, new slot stopped, its tag put
        back) and releases the lock; a successful one ends with Exit-DeployLock -KeepStaged, so the staged slot and
        the lock outlive this process (and the terminal) until swap.ps1 -Promote or -Abort. A failed retarget leaves
        the staged deployment as it was.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param([Parameter(Mandatory)] [ValidateSet('Stage', 'Canary', 'Retarget')] [string] $Mode)

    $refusedHint = { 'Nothing was changed.' }
    $rollBackHint = {
        param($Run, [string] $Outcome, [string] $UndoError)
        $target = $Run.Plan.TargetSlot
        $look = "Look at 'docker compose logs api-$target' and 'docker compose ps api-$target' (its health)."
        if ($Outcome -eq 'RolledBack') {
            "api-$($Run.Plan.ActiveSlot) still serves everyone; api-$target was stopped. $look"
        }
        else { "Undo failed too ($UndoError). Run status.ps1, then swap.ps1 -Abort or rerun. $look" }
    }
    $keptHint = {
        'The staged deployment is unchanged (status.ps1 shows it): retry, or swap.ps1 -Promote / swap.ps1 -Abort.'
    }
    $routeName = {
        param($Run)
        if ($Run.Percent) { "Canary: $($Run.Percent) % of new clients to $($Run.Plan.TargetSlot)" }
        else { "Stage $($Run.Plan.TargetSlot) for opt-in requests" }
    }
    # The routing step of every mode: nginx's candidate state, then a check through nginx, then what the lock keeps.
    $route = {
        param($Run)
        $plan = $Run.Plan
        $nginx = $plan.NginxContainerId
        if ($Run.Percent) {
            Set-RoutingState -NginxContainerId $nginx -Action Canary -Slot $plan.TargetSlot -Percent $Run.Percent
            Test-CandidateRouting -Context $Run.Context -Slot $plan.TargetSlot
        }
        else {
            Set-RoutingState -NginxContainerId $nginx -Action Stage -Slot $plan.TargetSlot
            Test-CandidateRouting -Context $Run.Context -Slot $plan.TargetSlot -ActiveSlot $plan.ActiveSlot
        }
        if ($WhatIfPreference) { return }
        $staged = if ($Run.Staged) { $Run.Staged } else {
            @{
                Slot              = $plan.TargetSlot
                FromSlot          = $plan.ActiveSlot
                Version           = $Run.Report.ToVersion
                FromVersion       = $Run.Report.FromVersion
                StagedAt          = [DateTimeOffset]::UtcNow.ToString('o')
                StagedBy          = "$([System.Environment]::UserName)@$([System.Environment]::MachineName)"
                # Abort points the slot's tag back at this image, so that rollback.ps1 still finds the last good one.
                PreviousSlotImage = $Run.PreviousSlotImage
            }
        }
        $staged.Mode = if ($Run.Percent) { 'Canary' } else { 'Stage' }
        $staged.Percent = if ($Run.Percent) { $Run.Percent } else { $null }
        $staged.ChangedAt = [DateTimeOffset]::UtcNow.ToString('o')
        $Run.Staged = $staged
        $Run.Report.Staged = $staged
        # From here on the lock outlives this process as the staged holder (the Release of the lock step).
        $Run.KeepStaged = $true
        $Run.CandidateSet = $false
    }

    $lock = @{
        Name      = 'Lock'
        OnFailure = 'Refuse'
        Hint      = $refusedHint
        Do        = {
            param($Run)
            if ($Run.Mode -eq 'Retarget') {
                $null = Enter-DeployLock -Context $Run.Context -Command $Run.Command -AdoptStaged
                $holder = Get-DeployLock -Context $Run.Context
                $Run.Staged = $holder.Staged
                $Run.Report.FromSlot = [string]$Run.Staged.FromSlot
                $Run.Report.ToSlot = [string]$Run.Staged.Slot
                $Run.Report.FromVersion = [string]$Run.Staged.FromVersion
                $Run.Report.ToVersion = [string]$Run.Staged.Version
                # Whatever happens next, the deployment stays staged: the lock goes back to being its holder.
                $Run.KeepStaged = $true
            }
            else {
                $null = Enter-DeployLock -Context $Run.Context -Command $Run.Command -BreakLock:$Run.BreakLock `
                    -Force:$Run.Force -WaitSeconds $Run.LockWaitSeconds
            }
        }
        Release   = {
            param($Run)
            if ($Run.KeepStaged -and $Run.Staged) {
                Exit-DeployLock -Context $Run.Context -KeepStaged -Staged $Run.Staged
            }
            else { Exit-DeployLock -Context $Run.Context }
        }
    }
    $preDeploy = @{
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
    $onFailure = @{
        Name  = { param($Run) Get-DeployHookStepName -Context $Run.Context -Name 'on-failure' }
        Final = $true
        Do    = {
            param($Run)
            if ($Run.Report.Result -notin 'Succeeded', 'Planned') {
                Invoke-DeployReportingHook -Run $Run -Name 'on-failure'
            }
        }
    }
    $record = @{
        Name  = 'Record'
        Final = $true
        Do    = {
            param($Run)
            $Run.Report.RecordId = Write-DeployRecord -Context $Run.Context -Report $Run.Report
        }
    }

    if ($Mode -eq 'Retarget') {
        return @(
            $lock
            @{
                Name      = 'Preflight'
                OnFailure = 'Refuse'
                Hint      = $keptHint
                Do        = {
                    param($Run)
                    $plan = Invoke-StagedPreflight -Context $Run.Context -Staged $Run.Staged -For Canary
                    $Run.Plan = $plan
                    $Run.Report.FromSlot = $plan.ActiveSlot
                    $Run.Report.ToSlot = $plan.TargetSlot
                    $Run.Report.FromVersion = $plan.ActiveVersion
                    $Run.Report.ToVersion = [string]$Run.Staged.Version
                    foreach ($warning in $plan.Warnings) { $Run.Report.Warnings.Add($warning); Write-Warning $warning }
                }
            }
            @{ Name = $routeName; OnFailure = 'RollBack'; Hint = $keptHint; Do = $route }
            $onFailure
            $record
        )
    }

    @(
        $lock
        @{
            Name      = 'Preflight'
            OnFailure = 'Refuse'
            Hint      = $refusedHint
            Do        = {
                param($Run)
                $plan = Invoke-DeployPreflight -Context $Run.Context -Mode Swap -Version $Run.Version -Build:$Run.Build
                $Run.Plan = $plan
                $Run.Report.FromSlot = $plan.ActiveSlot
                $Run.Report.ToSlot = $plan.TargetSlot
                $Run.Report.FromVersion = $plan.ActiveVersion
                foreach ($warning in $plan.Warnings) { $Run.Report.Warnings.Add($warning); Write-Warning $warning }
                if (-not $WhatIfPreference) {
                    $routing = Get-RoutingState -NginxContainerId $plan.NginxContainerId
                    if ($routing.Candidate) {
                        $message = "nginx already has a candidate ($($routing.Candidate)$(if ($routing.Percent) {
                            ", canary $($routing.Percent) %" })) that no staged deployment holds (left by hand or " +
                            'by a killed run): it is replaced.'
                        $Run.Report.Warnings.Add($message)
                        Write-Warning $message
                    }
                }
            }
        }
        $preDeploy
        @{
            Name      = { param($Run) "Start idle slot $($Run.Plan.TargetSlot)" }
            OnFailure = 'RollBack'
            Hint      = $rollBackHint
            Undo      = @(
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
            Do        = { param($Run) Start-IdleSlot -Run $Run }
        }
        @{
            Name      = { param($Run) "Gate $($Run.Plan.TargetSlot) (ready, smoke test, via nginx, warm-up)" }
            OnFailure = 'RollBack'
            Hint      = $rollBackHint
            Do        = {
                param($Run)
                $target = $Run.Plan.TargetSlot
                $container = Get-StackContainer -Context $Run.Context -Service "api-$target"
                $Run.TargetContainerId = if ($container) { $container.Id } else { '' }
                $id = $Run.TargetContainerId
                Wait-SlotReady -Slot $target -ContainerId $id -TimeoutSeconds $Run.Context.ReadyTimeoutSeconds
                $Run.Report.ToVersion = Test-SlotProfile -Slot $target -ContainerId $id `
                    -ExpectedVersion $Run.Report.ToVersion
                Wait-SlotThroughNginx -Slot $target -ContainerId $id -ExpectedVersion $Run.Report.ToVersion
                # Staged for opt-in requests and warmed up through nginx, before the canary draws real clients to it.
                Invoke-GateWarmup -Run $Run -AlwaysStage
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
        @{ Name = $routeName; OnFailure = 'RollBack'; Hint = $rollBackHint; Do = $route }
        $onFailure
        $record
    )
}
