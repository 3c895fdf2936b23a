# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployHistory, Get-DeployStatus, Get-RetentionWindow, Get-RollbackVersion
function Get-DeployRecord {
    <#
    .SYNOPSIS
        The last entries of the history (in the stack's PostgreSQL), newest first.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [ValidateRange(1, 10000)] [int] $Last = 5
    )

    foreach ($entry in @(Invoke-DeployStateSql -Context $Context -Query GetHistory -Variables @{ last = $Last })) {
        $entry.PSObject.TypeNames.Insert(0, 'ZeroDowntime.DeployRecord')
        $entry
    }
}
