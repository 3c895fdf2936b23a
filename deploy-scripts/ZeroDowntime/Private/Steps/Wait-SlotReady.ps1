# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Wait-SlotReady {
    <#
    .SYNOPSIS
        Step 4a: waits until Docker's health check calls the slot's container healthy, failing fast when it dies.
    .DESCRIPTION
        Readiness has one source: the container's HEALTHCHECK (api/Dockerfile, docker-compose.yaml), which runs
        `dotnet Api.dll probe /health/ready` every half second while the slot starts (start_interval). Each poll is one
        `docker inspect` of the container: its state (exited, dead, restarting: it crashed), its restart count (with
        `restart: unless-stopped` a crashing app is restarted at once and mostly looks "running"; a growing count
        gives it away) and its health. A failure quotes the health check's last output, or the log's last lines.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $ContainerId,
        [Parameter(Mandatory)] [ValidateRange(1, 3600)] [int] $TimeoutSeconds,
        [ValidateRange(0.05, 60)] [double] $IntervalSeconds = 0.25
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Wait up to $TimeoutSeconds s until its health check passes")) {
        return
    }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    $restartBaseline = $null
    while ($true) {
        $state = if ($ContainerId) { Get-ContainerState -ContainerId $ContainerId } else { $null }
        $crashed = $null
        if (-not $state) { $crashed = 'missing' }
        elseif ($state.Status -in 'exited', 'dead', 'restarting', 'removing') {
            $crashed = "$($state.Status) (exit code $($state.ExitCode))"
        }
        elseif ($null -eq $restartBaseline) { $restartBaseline = $state.RestartCount }
        elseif ($state.RestartCount -gt $restartBaseline) {
            $crashed = "restarting: it exited and was restarted $($state.RestartCount) time(s)"
        }
        if ($crashed) {
            $logs = if ($ContainerId) { Get-SlotLogTail -ContainerId $ContainerId } else { '' }
            throw "api-$Slot is $crashed instead of starting. Its last log lines:`n$logs"
        }
        if ($null -eq $state.Health) {
            throw "api-$Slot has no health check, so its readiness is unknown: the gate reads Docker's health " +
                'status (HEALTHCHECK in api/Dockerfile, healthcheck in docker-compose.yaml); do not disable it.'
        }
        if ($state.Health -eq 'healthy') { return }
        $said = if ($state.HealthOutput) { $state.HealthOutput } else { 'no check has ended yet' }
        Write-Verbose "api-$Slot not ready yet (health $($state.Health)): $said"
        if ([DateTimeOffset]::UtcNow -ge $deadline) {
            throw "api-$Slot did not become ready within $TimeoutSeconds s (health: $($state.Health)). Last " +
                "/health/ready output: $said"
        }
        Start-Sleep -Seconds $IntervalSeconds
    }
}
