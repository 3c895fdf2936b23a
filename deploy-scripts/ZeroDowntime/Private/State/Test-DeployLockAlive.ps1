# ZeroDowntime module, private (State): not exported.
# Called by: ConvertTo-DeployLockHolder
function Test-DeployLockAlive {
    <#
    .SYNOPSIS
        Whether a lock holder is still alive: staged, or beating, or a live process on this very host.
    .DESCRIPTION
        A running holder refreshes HeartbeatAt every few seconds from a background thread ($script:LockHeartbeat-
        Seconds); a heartbeat younger than $script:LockStaleSeconds (by the database server's clock, so hosts need
        not agree on the time) means alive, wherever the holder runs. An older one still counts as alive when the
        holder's pid runs on this host (a process stopped in a debugger, a host too busy to beat). A staged holder
        (a staged or canary deployment waiting for promote or abort) has no process and stays alive until then.
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param([Parameter(Mandatory)] [pscustomobject] $Holder)

    if ($Holder.Kind -eq 'staged') { return $true }
    if ($Holder.HeartbeatAgeSeconds -lt $script:LockStaleSeconds) { return $true }
    if ($Holder.Host -eq [System.Environment]::MachineName -and $Holder.Pid -gt 0) {
        return $null -ne (Get-Process -Id $Holder.Pid -ErrorAction SilentlyContinue)
    }
    $false
}
