# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Format-DeployStatus
function Format-LockHolder {
    <#
    .SYNOPSIS
        One line naming a lock holder, for messages: user@host pid, command, since when, and whether it lives; for a
        staged deployment, what is staged where, how, by whom and when.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Holder)

    $since = $Holder.StartedAt
    if ($since -is [datetime]) { $since = $since.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
    if ($Holder.Kind -eq 'staged' -and $Holder.Staged) {
        # No process behind a staged holder: name what is staged, by whom and since when.
        $staged = $Holder.Staged
        $how = if ($staged['Mode'] -eq 'Canary') { "canary $($staged['Percent']) %" } else { 'opt-in preview' }
        $at = $staged['StagedAt']
        if ($at -is [datetime]) { $at = $at.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
        $by = if ($staged['StagedBy']) { " by $($staged['StagedBy'])" } else { '' }
        if ($at) { $by += " at $at" }
        return "staged deployment of $($staged['Version']) on $($staged['Slot']) ($how), staged$by, command " +
            "'$($Holder.Command)' (alive until promoted or aborted)"
    }
    $state = if ($Holder.Kind -eq 'staged') { 'staged: alive until promoted or aborted' }
    elseif ($Holder.Alive) { "running, last heartbeat $($Holder.HeartbeatAgeSeconds) s ago" }
    else { "not running: stale, last heartbeat $($Holder.HeartbeatAgeSeconds) s ago" }
    "$($Holder.User)@$($Holder.Host) pid $($Holder.Pid) ($state), command '$($Holder.Command)', since $since"
}
