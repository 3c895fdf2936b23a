# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-PromoteStepTable, Get-StagedStepTable
function Invoke-StagedPreflight {
    <#
    .SYNOPSIS
        The preflight of swap.ps1 -Promote, -Abort and -Canary on a staged deployment: the stack as the stage left
        it. Returns a plan shaped like Invoke-DeployPreflight's (TargetSlot is the staged slot).
    .DESCRIPTION
        Checks that nginx runs, that its active slot is still the one the deployment was staged against, and (unless
        -Abort) that the staged slot's container runs. nginx's routing state is read and returned (Routing); a
        candidate other than the staged slot is a warning: somebody changed it by hand, and the step that follows sets
        it again. Everything else (nginx -t, timeouts, the image) was checked when the deployment was staged.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [hashtable] $Staged,
        [ValidateSet('Promote', 'Abort', 'Canary')] [string] $For = 'Promote'
    )

    $containers = @{}
    foreach ($container in @(Get-StackContainer -Context $Context)) { $containers[$container.Service] = $container }
    $nginx = $containers['nginx']
    if (-not $nginx -or $nginx.State -ne 'running') {
        throw "nginx is not running; the staged deployment cannot be changed. Start it with 'docker compose up -d'."
    }
    $active = (Get-ActiveSlot -NginxContainerId $nginx.Id).Slot
    $target = [string]$Staged.Slot
    $warnings = [System.Collections.Generic.List[string]]::new()
    if ($active -ne $Staged.FromSlot) {
        # A promote killed right after its switch leaves the staged slot active: promoting again finishes it.
        if (-not ($For -eq 'Promote' -and $active -eq $target)) {
            throw "nginx routes to $active, but the deployment was staged against $($Staged.FromSlot): the stack was " +
                "changed by hand. Look at status.ps1; to drop the staged deployment, rerun with -BreakLock -Force."
        }
        $warnings.Add("nginx already routes to $target (an earlier promote was interrupted): finishing it.")
    }
    $stagedContainer = $containers["api-$target"]
    if ($For -ne 'Abort' -and (-not $stagedContainer -or $stagedContainer.State -ne 'running')) {
        $state = if ($stagedContainer) { $stagedContainer.State } else { 'missing' }
        throw "The staged slot api-$target is $state. Run swap.ps1 -Abort, then stage again."
    }
    $routing = Get-RoutingState -NginxContainerId $nginx.Id
    if ($routing.Candidate -ne $target) {
        $warnings.Add("nginx's candidate is '$($routing.Candidate)', not the staged $target (changed by hand).")
    }
    [pscustomobject]@{
        ActiveSlot        = [string]$Staged.FromSlot
        TargetSlot        = $target
        ActiveVersion     = [string]$Staged.FromVersion
        ImageRepository   = Get-ApiImageRepository -ComposeConfig (Get-ComposeConfig -Context $Context)
        Warnings          = $warnings.ToArray()
        NginxContainerId  = $nginx.Id
        ActiveContainerId = if ($containers["api-$($Staged.FromSlot)"]) { $containers["api-$($Staged.FromSlot)"].Id }
        else { '' }
        TargetContainerId = if ($stagedContainer) { $stagedContainer.Id } else { '' }
        Routing           = $routing
        AlreadySwitched   = $active -eq $target
    }
}
