# ZeroDowntime module, private (Steps): not exported.
# Called by: Confirm-SlotSwitch, Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Wait-SlotThroughNginx {
    <#
    .SYNOPSIS
        Step 4c: the slot as nginx reaches it, before any traffic goes there: /profile through nginx's preview server
        must report the slot and the expected version.
    .DESCRIPTION
        nginx resolves each slot's name at run time (upstreams/*.conf, `resolve`, valid=1s). A recreated container has
        a new address, and until nginx has looked it up again, requests for that slot would go to the old address or
        nowhere. Polled, because nginx learns the address on its own schedule; bounded by -TimeoutSeconds. The request
        starts inside the slot's own container (`docker exec <id>`): nginx's preview port is not published.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $ContainerId,
        [string] $ExpectedVersion,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 30,
        [ValidateRange(0.05, 60)] [double] $IntervalSeconds = 0.5
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Check /profile through nginx's preview server (slot $Slot)")) {
        return
    }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $probe = Invoke-SlotProbe -ContainerId $ContainerId -Slot $Slot -Path '/profile' -ThroughNginx
        $problem = Get-ProfileMismatch -Probe $probe -Slot $Slot -ExpectedVersion $ExpectedVersion
        if (-not $problem) { return }
        Write-Verbose "api-$Slot through nginx: $problem"
        if ([DateTimeOffset]::UtcNow -ge $deadline) {
            throw "Through nginx (preview port $script:NginxPreviewPort, /$Slot/profile) api-$Slot is not reached " +
                "after $TimeoutSeconds s: $problem. Look at 'docker compose logs nginx' (resolver, upstream errors)."
        }
        Start-Sleep -Seconds $IntervalSeconds
    }
}
