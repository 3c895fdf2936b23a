# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable
function Confirm-SlotSwitch {
    <#
    .SYNOPSIS
        The verify step after a switch (swap, rollback, promote): new connections through nginx's public server carry
        X-Slot: <target>; in maintenance mode, nginx's marker and its preview server instead, with a warning.
    .DESCRIPTION
        In maintenance mode the public server answers 503 to everyone, so the public check could never pass: the
        switch is then verified on the marker nginx reads and through nginx's preview server, and the slot serves
        once maintenance is off. A maintenance state that cannot be read falls back to the public check.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [pscustomobject] $Run)

    $target = $Run.Plan.TargetSlot
    $maintenance = $null
    try { $maintenance = Get-MaintenanceState -NginxContainerId $Run.Plan.NginxContainerId }
    catch { Write-Verbose "Maintenance mode unknown, verifying through the public server: $_" }
    if ($maintenance -and $maintenance.On) {
        $active = (Get-ActiveSlot -NginxContainerId $Run.Plan.NginxContainerId).Slot
        if ($active -ne $target) { throw "nginx's active-slot marker names $active, not $target." }
        Wait-SlotThroughNginx -Slot $target -ContainerId $Run.TargetContainerId -ExpectedVersion $Run.Report.ToVersion
        $warning = 'Maintenance mode is on: public requests get 503, so the switch was verified on ' +
            "nginx's marker and through its preview server; $target serves once maintenance.ps1 -Off runs."
        $Run.Report.Warnings.Add($warning)
        Write-Warning $warning
    }
    else { Wait-PublicSlot -Context $Run.Context -Slot $target }
}
