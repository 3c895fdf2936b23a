# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable
function Wait-SlotReady {
    <#
    .SYNOPSIS
        Step 4a: polls the slot's /health/ready until it answers 200, failing fast when the container dies.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [ValidateRange(1, 3600)] [int] $TimeoutSeconds,
        [ValidateRange(0.05, 60)] [double] $IntervalSeconds = 1
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Wait up to $TimeoutSeconds s for /health/ready")) { return }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    $last = $null
    $restartBaseline = $null
    while ($true) {
        $container = Get-SlotContainer -Context $Context -Service "api-$Slot"
        $crashed = $null
        if (-not $container -or $container.State -in 'exited', 'dead', 'restarting', 'removing') {
            $crashed = if ($container) { "$($container.State) (exit code $($container.ExitCode))" } else { 'missing' }
        }
        else {
            # With `restart: unless-stopped` a crashing app is restarted at once and mostly looks "running": a
            # growing restart count is what gives it away.
            $restarts = Get-ContainerRestartCount -Name $container.Name
            if ($null -eq $restartBaseline) { $restartBaseline = $restarts }
            elseif ($restarts -gt $restartBaseline) { $crashed = "restarting: it exited and was restarted $restarts time(s)" }
        }
        if ($crashed) {
            throw "api-$Slot is $crashed instead of starting. Its last log lines:`n" +
                (Get-SlotLogTail -Context $Context -Slot $Slot)
        }
        $last = Invoke-SlotProbe -Context $Context -Slot $Slot -Path '/health/ready'
        if ($last.Success) { return }
        Write-Verbose "api-$Slot not ready yet: $($last.Body) $($last.Error)"
        if ([DateTimeOffset]::UtcNow -ge $deadline) {
            throw "api-$Slot did not become ready within $TimeoutSeconds s. Last /health/ready output: " +
                "$($last.Body) $($last.Error)".TrimEnd()
        }
        Start-Sleep -Seconds $IntervalSeconds
    }
}
