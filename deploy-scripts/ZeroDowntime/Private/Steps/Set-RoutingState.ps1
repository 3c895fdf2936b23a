# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable, Invoke-GateWarmup
function Set-RoutingState {
    <#
    .SYNOPSIS
        Stages a slot for opt-in requests, sets a canary's percentage, or clears both: nginx's routing state, changed
        by zdd-state.sh inside nginx's container, atomically and without a reload.
    .DESCRIPTION
        -Stage <slot>: requests with `X-ZDD-Preview: 1` or the cookie `zdd_preview=1` go to the slot. -Canary <slot>
        -Percent <P>: besides those, P % of new clients, sticky by the cookie nginx sets; the same slot again changes
        only the split, and clients keep their slot. -Clear: every request to the active slot from the next one on,
        and a client pinned to the candidate gets its cookie expired (nginx/http/routing.conf). Exit code 75 (another
        zdd-state.sh holds its lock, e.g. an operator's maintenance-on) is retried for a few seconds.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [string] $NginxContainerId,
        [Parameter(Mandatory)] [ValidateSet('Stage', 'Canary', 'Clear')] [string] $Action,
        [ValidateSet('blue', 'green')] [string] $Slot,
        [ValidateRange(1, 99)] [int] $Percent
    )

    if ($Action -ne 'Clear' -and -not $Slot) { throw "-Action $Action needs -Slot." }
    if ($Action -eq 'Canary' -and -not $Percent) { throw '-Action Canary needs -Percent (1-99).' }
    [string[]] $arguments = @()
    $what = ''
    switch ($Action) {
        'Stage' { $arguments = 'stage', $Slot; $what = "Stage api-$Slot for opt-in requests (X-ZDD-Preview: 1)" }
        'Canary' { $arguments = 'canary', $Slot, "$Percent"; $what = "Send $Percent % of new clients to api-$Slot" }
        'Clear' { $arguments = @('clear-candidate'); $what = 'Route every request to the active slot again' }
    }
    if (-not $PSCmdlet.ShouldProcess('nginx', "$what (zdd-state.sh $($arguments -join ' '); no reload)")) { return }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds(10)
    while ($true) {
        $result = Invoke-Docker -ArgumentList (@('exec', $NginxContainerId, 'sh', $script:RoutingStateScript) +
                $arguments) -AllowFailure -TimeoutSeconds 30
        if ($result.ExitCode -eq 0) { return }
        if ($result.ExitCode -ne 75 -or [DateTimeOffset]::UtcNow -ge $deadline) {
            throw "zdd-state.sh $($arguments -join ' ') in nginx failed (exit $($result.ExitCode)): " +
                "$($result.StdErr.Trim()) Look at 'docker compose exec nginx sh $script:RoutingStateScript status'."
        }
        Start-Sleep -Milliseconds 300
    }
}
