# ZeroDowntime module, private (Docker): not exported.
# Called by: Start-Slot, Wait-SlotReady
function Set-SlotCpuWeight {
    <#
    .SYNOPSIS
        Sets a slot container's CPU weight (`docker update --cpu-shares`): low while it starts, normal once it serves.
    .DESCRIPTION
        A starting .NET process (JIT, first database connection, health probes) competes for the same cores as the
        slot that serves, and on a small machine that shows as a latency spike for users before the switch. A low
        weight lets the serving slot (and nginx) have the cores when both want them; when nothing else wants them, a
        weight changes nothing, so the start is slowed only by as much as the serving side really needs. The gate
        gives the new slot the normal weight back as soon as it is ready, or when it is not ready after a few
        seconds (Wait-SlotReady: a saturated machine must not starve the start).
        Weights only divide the CPU under contention: no limit is set, nothing is throttled. Docker maps
        --cpu-shares to cgroup v2's cpu.weight (1 + (shares - 2) * 9999 / 262142), so "normal" is 1024 on cgroup v1
        (its default) and 2598 on cgroup v2 (weight 100, its default); the version is asked once per process.
        Best effort: a failure (an engine without the cpu controller, say) is a warning, never a failed swap.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $ContainerId,
        [Parameter(Mandatory)] [ValidateSet('Starting', 'Serving')] [string] $Level
    )

    if (-not $ContainerId) { return }
    # Strict mode: a script variable that was never set cannot be read, so it is looked up by name.
    if (-not (Get-Variable -Name DockerCgroupVersion -Scope Script -ValueOnly -ErrorAction Ignore)) {
        $info = Invoke-Docker -AllowFailure -TimeoutSeconds 30 -ArgumentList 'info', '--format', '{{.CgroupVersion}}'
        $script:DockerCgroupVersion = if ($info.ExitCode -eq 0 -and $info.StdOut.Trim() -eq '2') { '2' } else { '1' }
    }
    $normal = if ($script:DockerCgroupVersion -eq '2') { 2598 } else { 1024 }
    # An eighth of the normal weight (a twentieth on cgroup v2's scale): enough to start in the cores left idle.
    $shares = if ($Level -eq 'Serving') { $normal } else { 128 }
    if (-not $PSCmdlet.ShouldProcess($ContainerId, "docker update --cpu-shares $shares ($Level)")) { return }
    $result = Invoke-Docker -AllowFailure -TimeoutSeconds 30 -ArgumentList 'update', '--cpu-shares', "$shares", $ContainerId
    if ($result.ExitCode -ne 0) {
        Write-Warning ("Could not set the CPU weight of container $ContainerId to $shares ($Level): " +
            "$($result.StdErr.Trim()). The swap goes on; only its effect on latency is lost.")
    }
}
