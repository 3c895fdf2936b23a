# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable
function Start-Slot {
    <#
    .SYNOPSIS
        Starts a slot's container: recreated from the compose file (swap), or as it is (rollback), with a low CPU
        weight until the switch (Set-SlotCpuWeight).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [switch] $Recreate
    )

    # --no-build: the slot's tag was set by Publish-SlotImage (or kept, for a rollback); compose must never build
    # the working tree in its place.
    $arguments = @('up', '--detach', '--no-deps', '--no-build')
    if ($Recreate) { $arguments += '--force-recreate' }
    $action = if ($Recreate) { 'Recreate and start' } else { 'Start' }
    if ($PSCmdlet.ShouldProcess("api-$Slot", "$action (docker compose $($arguments -join ' ') api-$Slot)")) {
        $null = Invoke-Compose -Context $Context -ArgumentList ($arguments + "api-$Slot")
        # A low CPU weight while it starts, so that the serving slot keeps the cores; the switch raises it
        # (Set-SlotCpuWeight, Set-ActiveSlot).
        $container = Get-StackContainer -Context $Context -Service "api-$Slot"
        if ($container) { Set-SlotCpuWeight -ContainerId $container.Id -Level Starting }
    }
}
