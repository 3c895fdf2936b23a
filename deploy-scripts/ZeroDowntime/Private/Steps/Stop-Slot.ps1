# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Stop-Slot {
    <#
    .SYNOPSIS
        Step 8: stops a slot gracefully (SIGTERM, then the compose stop_grace_period). Keeps the container.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    if ($PSCmdlet.ShouldProcess("api-$Slot", 'Stop gracefully (docker compose stop; the container is kept)')) {
        $null = Invoke-Compose -Context $Context -ArgumentList 'stop', "api-$Slot" -TimeoutSeconds 900
    }
}
