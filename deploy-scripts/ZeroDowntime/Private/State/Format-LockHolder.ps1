# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Format-DeployStatus
function Format-LockHolder {
    <#
    .SYNOPSIS
        One line naming a lock holder, for messages: user@host pid, command, since when, and whether it lives.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Holder)

    $state = if ($Holder.Kind -eq 'staged') {
        $staged = $Holder.Staged
        $what = if ($staged) { " $($staged['Mode']) of $($staged['Version']) on $($staged['Slot'])" } else { '' }
        "staged${what}: alive until promoted or aborted"
    }
    elseif ($Holder.Alive) { "running, last heartbeat $($Holder.HeartbeatAgeSeconds) s ago" }
    else { "not running: stale, last heartbeat $($Holder.HeartbeatAgeSeconds) s ago" }
    $since = $Holder.StartedAt
    if ($since -is [datetime]) { $since = $since.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
    "$($Holder.User)@$($Holder.Host) pid $($Holder.Pid) ($state), command '$($Holder.Command)', since $since"
}
