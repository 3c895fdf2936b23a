# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable
function Wait-SlotDrain {
    <#
    .SYNOPSIS
        Step 7: waits until the slot is idle: nothing in flight, and no request started during a quiet window.
    .DESCRIPTION
        Observed, not slept. 0 in flight at one instant is not enough: nginx may have picked the slot for a request
        an instant before the switch and not yet have sent it. So the slot's own count of started requests
        (/admin/status requestsStarted) must stay unchanged, with 0 in flight, for -QuietSeconds. A slot of a version
        that has no such count is judged by 0 in flight over the same window. Returns $true when drained, $false when
        the timeout passed first (the caller decides; the stop's grace period still lets the app finish its
        requests). A slot whose container is not running has nothing in flight.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $ContainerId,
        [Parameter(Mandatory)] [ValidateRange(1, 3600)] [int] $TimeoutSeconds,
        [ValidateRange(0.05, 60)] [double] $IntervalSeconds = 0.25,
        [ValidateRange(0, 60)] [double] $QuietSeconds = 1
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot",
            "Wait up to $TimeoutSeconds s until inFlight is 0 and no request started for $QuietSeconds s")) {
        return $true
    }
    # A slot without a container has nothing in flight.
    if (-not $ContainerId) { return $true }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    $quietSince = $null
    $quietStarted = $null
    $watcherFailed = $false
    while ($true) {
        # One docker call per poll while the slot answers; its container is looked at only when it does not.
        $status = Invoke-SlotProbe -ContainerId $ContainerId -Path '/admin/status'
        if (-not $status.Success) {
            $container = Get-ContainerState -ContainerId $ContainerId
            if (-not $container -or $container.Status -ne 'running') { return $true }
        }
        # A running slot that cannot say what it has in flight is not known to be drained.
        $inFlight = -1
        $started = $null
        if ($status.Success -and $status.Json) {
            $inFlight = [int]$status.Json.inFlight
            if ($status.Json.PSObject.Properties['requestsStarted']) { $started = [long]$status.Json.requestsStarted }
        }
        $now = [DateTimeOffset]::UtcNow
        # A slot that has the drain-wait verb (its status says drainWait) waits for itself: one process for the
        # whole drain, polling every 50 ms inside the container, instead of a `docker exec` and a .NET start per
        # poll on the cores the new slot serves on. It applies the same rule; when it cannot ask its slot (exit 3),
        # the polling below goes on and looks at the container.
        if ($status.Success -and $status.Json -and $status.Json.PSObject.Properties['drainWait'] -and
            $status.Json.drainWait -and -not $watcherFailed) {
            $left = [Math]::Max(1, [int][Math]::Ceiling(($deadline - $now).TotalSeconds))
            $watch = Invoke-Docker -AllowFailure -TimeoutSeconds ($left + 30) -ArgumentList 'exec', $ContainerId,
                'dotnet', 'Api.dll', 'drain-wait', '--quiet', ([string]::Format([cultureinfo]::InvariantCulture,
                    '{0}', $QuietSeconds)), '--timeout', "$left"
            if ($watch.ExitCode -eq 0) { return $true }
            if ($watch.ExitCode -eq 1) {
                Write-Warning "api-$Slot not drained within $TimeoutSeconds s: $($watch.StdOut.Trim())"
                return $false
            }
            Write-Verbose "drain-wait in api-$Slot ended with exit code $($watch.ExitCode): $($watch.StdErr.Trim())"
            $watcherFailed = $true
            continue
        }
        if ($inFlight -ne 0) {
            $quietSince = $null
        }
        elseif ($null -eq $quietSince -or $started -ne $quietStarted) {
            $quietSince = $now
            $quietStarted = $started
        }
        elseif (($now - $quietSince).TotalSeconds -ge $QuietSeconds) {
            return $true
        }
        Write-Verbose "Draining api-${Slot}: inFlight $inFlight, requests started $started"
        if ($now -ge $deadline) {
            Write-Warning ("api-$Slot not drained within $TimeoutSeconds s (inFlight $inFlight, " +
                "requests started $started).")
            return $false
        }
        Start-Sleep -Seconds $IntervalSeconds
    }
}
