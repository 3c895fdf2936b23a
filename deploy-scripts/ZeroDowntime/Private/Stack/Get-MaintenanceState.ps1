# ZeroDowntime module, private (Stack): not exported.
# Called by: Confirm-SlotSwitch, Get-DeployStatus
function Get-MaintenanceState {
    <#
    .SYNOPSIS
        Whether nginx is in maintenance mode, and its Retry-After, from nginx's routing state
        (`zdd-state.sh status` in the nginx container: the files nginx itself reads per request).
    .DESCRIPTION
        Returns On, RetryAfterSeconds, and Message, Since, By (empty here: the history knows them, and
        Get-DeployStatus fills them in).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $NginxContainerId)

    $result = Invoke-Docker -ArgumentList 'exec', $NginxContainerId, 'sh', '/etc/nginx/zdd/zdd-state.sh', 'status'
    $values = @{}
    foreach ($line in $result.StdOut -split "`r?`n") {
        if ($line -match '^(?<key>[a-z]+)=(?<value>.*)$') { $values[$Matches['key']] = $Matches['value'] }
    }
    [pscustomobject]@{
        On                = [bool]$values['maintenance']
        RetryAfterSeconds = if ($values['maintenance']) { [int]$values['maintenance'] } else { $null }
        Message           = $null
        Since             = $null
        By                = $null
    }
}
