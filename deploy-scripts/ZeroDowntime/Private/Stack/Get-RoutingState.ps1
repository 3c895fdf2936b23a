# ZeroDowntime module, private (Stack): not exported.
# Called by: Get-DeployStatus, Get-StagedStepTable, Invoke-GateWarmup, Invoke-StagedPreflight
function Get-RoutingState {
    <#
    .SYNOPSIS
        nginx's routing state besides the active slot: maintenance, the staged candidate and the canary's percentage
        (`docker exec <nginx> sh /etc/nginx/zdd/zdd-state.sh status`).
    .DESCRIPTION
        zdd-state.sh is the one writer of that state (nginx/zdd-state.sh; docs/stack.md, "Routing state files"); its
        status prints key=value lines. Empty values are returned as $null; Percent as an int.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $NginxContainerId)

    $output = (Invoke-Docker -ArgumentList 'exec', $NginxContainerId, 'sh', $script:RoutingStateScript, 'status' `
            -TimeoutSeconds 30).StdOut
    $values = @{}
    foreach ($line in $output -split "`n") {
        if ($line -match '^(?<key>[a-z]+)=(?<value>.*)$') { $values[$Matches['key']] = $Matches['value'].Trim() }
    }
    $value = { param([string] $Key) if ($values[$Key]) { $values[$Key] } else { $null } }
    [pscustomobject]@{
        Active      = & $value 'active'
        Maintenance = & $value 'maintenance'
        Candidate   = & $value 'candidate'
        Percent     = if ($values['canary']) { [int]$values['canary'] } else { $null }
        Round       = & $value 'round'
    }
}
