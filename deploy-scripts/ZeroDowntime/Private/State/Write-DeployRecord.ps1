# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable,
#   Invoke-MaintenanceCommand, Invoke-PruneCommand
function Write-DeployRecord {
    <#
    .SYNOPSIS
        Appends a report (a swap, rollback, maintenance change, prune, broken lock) to the history in the stack's
        PostgreSQL; returns the entry's id. Entries are never changed afterwards (a trigger refuses it).
    .DESCRIPTION
        Who and where are filled in here when the report does not say (User, Host), so that every entry names them.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([long])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [pscustomobject] $Report
    )

    if (-not $PSCmdlet.ShouldProcess("project $($Context.ProjectName)", "Append the $($Report.Mode) to the history")) {
        return $null
    }
    $entry = [ordered]@{}
    foreach ($property in $Report.PSObject.Properties) { $entry[$property.Name] = $property.Value }
    if (-not $entry['User']) { $entry['User'] = [System.Environment]::UserName }
    if (-not $entry['Host']) { $entry['Host'] = [System.Environment]::MachineName }
    foreach ($time in 'StartedAt', 'FinishedAt') {
        if ($entry[$time] -is [DateTimeOffset]) { $entry[$time] = $entry[$time].ToString('o') }
    }
    $json = $entry | ConvertTo-Json -Depth 8 -Compress
    [long](Invoke-DeployStateSql -Context $Context -Query AppendHistory -Variables @{ record = $json })
}
