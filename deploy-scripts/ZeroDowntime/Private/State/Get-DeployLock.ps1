# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Get-DeployStatus, Get-PromoteStepTable, Get-StagedStepTable
function Get-DeployLock {
    <#
    .SYNOPSIS
        The holder of the deploy lock (in the stack's PostgreSQL), or $null when it is free.
    .DESCRIPTION
        Fields: Token, User, Host, Pid, Command, StartedAt, HeartbeatAt, HeartbeatAgeSeconds, Kind ('run' or
        'staged'), Staged (a hashtable, or $null), Alive (Test-DeployLockAlive).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $holder = Invoke-DeployStateSql -Context $Context -Query GetLock
    if ($null -eq $holder) { return $null }
    ConvertTo-DeployLockHolder -Row $holder
}
