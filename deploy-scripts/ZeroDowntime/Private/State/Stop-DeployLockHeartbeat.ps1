# ZeroDowntime module, private (State): not exported.
# Called by: Exit-DeployLock
function Stop-DeployLockHeartbeat {
    <#
    .SYNOPSIS
        Stops the heartbeat thread of the lock this process holds (Start-DeployLockHeartbeat).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Stops a thread of this process; changes no state outside it.')]
    [CmdletBinding()]
    param()

    $held = $script:HeldLock
    if ($held -and $held.Job) {
        Stop-Job -Job $held.Job -ErrorAction SilentlyContinue
        Remove-Job -Job $held.Job -Force -ErrorAction SilentlyContinue
        $held.Job = $null
    }
}
