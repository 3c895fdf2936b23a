# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Start-IdleSlot
function Start-Slot {
    <#
    .SYNOPSIS
        Starts a slot's container: recreated from the compose file (swap), or as it is (rollback).
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
    }
}
