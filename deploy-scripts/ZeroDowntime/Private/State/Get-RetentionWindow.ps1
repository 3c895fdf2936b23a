# ZeroDowntime module, private (State): not exported.
# Called by: Assert-RetainedVersion, Invoke-PruneCommand
function Get-RetentionWindow {
    <#
    .SYNOPSIS
        How many versions the stack retains: the -RetainVersions of the last successful swap (its history entry
        records it), else $script:DefaultRetainVersions.
    .DESCRIPTION
        The window belongs to the stack, set by whoever deploys (like Kamal's retain setting), so that prune.ps1 and
        rollback.ps1 -Version run from any clone agree on it without being told again.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $last = Get-DeployRecord -Context $Context -Last 200 |
        Where-Object { $_.Mode -eq 'Swap' -and $_.Result -eq 'Succeeded' -and $_.PSObject.Properties['Details'] -and
            $_.Details -and $_.Details.PSObject.Properties['RetainVersions'] -and $_.Details.RetainVersions -ge 1 } |
        Select-Object -First 1
    if ($last) { [int]$last.Details.RetainVersions } else { $script:DefaultRetainVersions }
}
