# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock
function Format-LockHolder {
    <#
    .SYNOPSIS
        One line naming a lock holder, for messages.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Holder)

    $state = switch ($Holder.Alive) {
        $true { 'running' }
        $false { 'not running: stale' }
        default { 'on another host' }
    }
    $since = $Holder.StartedAt
    if ($since -is [datetime]) { $since = $since.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
    $kind = if ($Holder.PSObject.Properties['Kind']) { $Holder.Kind } else { 'run' }
    if ($kind -eq 'staged' -and $Holder.Staged) {
        # No process behind a staged holder: name what is staged, by whom and since when.
        $staged = $Holder.Staged
        $how = if ($staged['Mode'] -eq 'Canary') { "canary $($staged['Percent']) %" } else { 'opt-in preview' }
        $at = $staged['StagedAt']
        if ($at -is [datetime]) { $at = $at.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
        return "staged deployment of $($staged['Version']) on $($staged['Slot']) ($how), staged by " +
            "$($staged['StagedBy']) at $at, command '$($Holder.Command)'"
    }
    "pid $($Holder.Pid) on $($Holder.Host) ($state), user $($Holder.User), since $since, " +
        "command '$($Holder.Command)'"
}
