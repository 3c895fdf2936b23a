# ZeroDowntime module, private (Steps): not exported.
# Called by: Start-IdleSlot
function Invoke-SlotMigration {
    <#
    .SYNOPSIS
        Runs the database migrations with the slot's (new) image, before the slot serves.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    if ($PSCmdlet.ShouldProcess("api-$Slot", 'Run migrations (docker compose run --rm --no-deps ... migrate)')) {
        $null = Invoke-Compose -Context $Context -ArgumentList 'run', '--rm', '--no-deps', '-T', "api-$Slot", 'migrate'
    }
}
