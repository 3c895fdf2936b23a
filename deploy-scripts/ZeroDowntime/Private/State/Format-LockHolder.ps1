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
    "pid $($Holder.Pid) on $($Holder.Host) ($state), user $($Holder.User), since $since, " +
        "command '$($Holder.Command)'"
}
