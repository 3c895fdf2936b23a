# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-StagedStepTable
function Invoke-GateWarmup {
    <#
    .SYNOPSIS
        The end of the gate: stages the target slot in nginx for opt-in requests, then warms it up through nginx
        (Invoke-SlotWarmup), before a switch or a canary sends it its first real request.
    .DESCRIPTION
        Sets $Run.CandidateSet once nginx may route opt-in requests to the slot (the undo clears the candidate), and
        $Run.Report.Warmup to the warm-up's summary. With no warm-up paths (ZDD_WARMUP_PATHS=off) a plain swap or
        rollback leaves nginx's routing state alone; -AlwaysStage (swap.ps1 -Stage, -Canary) stages anyway. Under
        maintenance mode nginx answers every public request itself (503), so there is nothing to warm through it:
        skipped, with a warning.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Run,
        [switch] $AlwaysStage
    )

    $target = $Run.Plan.TargetSlot
    $nginx = $Run.Plan.NginxContainerId
    $paths = @($Run.Context.WarmupPath)
    if (-not $paths -and -not $AlwaysStage) { return }
    $routing = if ($WhatIfPreference) { $null } else { Get-RoutingState -NginxContainerId $nginx }
    # Set before the call: a failure or Ctrl+C inside it may already have staged the slot.
    $Run.CandidateSet = $true
    Set-RoutingState -NginxContainerId $nginx -Action Stage -Slot $target
    if (-not $paths) { return }
    if ($routing -and $routing.Maintenance) {
        $message = "Maintenance mode is on (nginx answers every public request with 503): api-$target was not " +
            'warmed up. Its first requests after maintenance-off pay for JIT and cold caches.'
        $Run.Report.Warnings.Add($message)
        Write-Warning $message
        return
    }
    $limit = if ($WhatIfPreference) { $null } else { Get-NginxClientLimit -NginxContainerId $nginx }
    $Run.Report.Warmup = Invoke-SlotWarmup -Context $Run.Context -Slot $target -ClientLimit $limit
}
