# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock
function Start-DeployLockHeartbeat {
    <#
    .SYNOPSIS
        Remembers the lock this process holds and starts a background thread that refreshes its heartbeat.
    .DESCRIPTION
        A thread rather than beats between steps: a step may wait minutes (the gate, the drain) and the holder must
        still look alive to a run on another machine. The thread (a thread job in this process) imports this module
        and updates HeartbeatAt every $script:LockHeartbeatSeconds s; it dies with the process, so a killed run stops
        beating and its lock is stale $script:LockStaleSeconds s later. It stops by itself if the lock was taken
        from this run (-BreakLock -Force elsewhere). Exit-DeployLock stops it (Stop-DeployLockHeartbeat).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Called once the lock is taken, under the caller''s ShouldProcess.')]
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Token
    )

    $containerId = Get-DeployStateContainer -Context $Context
    $job = Start-ThreadJob -Name "zdd-lock-heartbeat-$Token" -ArgumentList $script:ModuleManifest, $containerId,
        $Token, $script:LockHeartbeatSeconds -ScriptBlock {
        param($Manifest, $ContainerId, $Token, $Seconds)
        Import-Module -Name $Manifest -Force
        & (Get-Module ZeroDowntime) {
            param($ContainerId, $Token, $Seconds)
            while ($true) {
                Start-Sleep -Seconds $Seconds
                try {
                    $holds = Invoke-DeployStateSql -DbContainerId $ContainerId -Query Heartbeat `
                        -Variables @{ token = $Token }
                    if (-not $holds) { return }
                }
                catch { Write-Verbose "Heartbeat failed (retried): $_" }
            }
        } $ContainerId $Token $Seconds
    }
    $script:HeldLock = [pscustomobject]@{ Token = $Token; ContainerId = $containerId; Job = $job }
}
