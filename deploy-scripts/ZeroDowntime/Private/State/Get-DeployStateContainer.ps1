# ZeroDowntime module, private (State): not exported.
# Called by: Invoke-DeployStateSql, Start-DeployLockHeartbeat
function Get-DeployStateContainer {
    <#
    .SYNOPSIS
        The id of the running db container that holds the deploy state (database zdd_deploy), asked of compose once
        per context.
    .DESCRIPTION
        The state lives in the stack's PostgreSQL: without it running there is no lock to take, so a deploy is
        refused, naming what to do.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $cached = $Context.PSObject.Properties['StateContainerId']
    if ($cached -and $cached.Value) { return $cached.Value }
    $db = @(Get-StackContainer -Context $Context -Service 'db') | Select-Object -First 1
    if (-not $db -or $db.State -ne 'running') {
        $state = if ($db) { $db.State } else { 'missing' }
        throw "The deploy lock and history live in the stack's PostgreSQL (service db), which is $state. Start " +
            "the stack with 'docker compose up -d' first."
    }
    $Context | Add-Member -NotePropertyName StateContainerId -NotePropertyValue $db.Id -Force
    $db.Id
}
