# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable
function Assert-RetainedVersion {
    <#
    .SYNOPSIS
        Refuses a rollback to a version outside the retention window, listing the window.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Version,
        [int] $RetainVersions
    )

    if ($RetainVersions -lt 1) { $RetainVersions = Get-RetentionWindow -Context $Context }
    $retained = @((Get-RetainedVersion -Context $Context -RetainVersions $RetainVersions).Retained)
    $list = if ($retained) { $retained -join ', ' } else { 'none yet' }
    if ($Version -notin $retained) {
        throw "Version $Version is not retained. Retained (the last $RetainVersions versions that were live, newest " +
            "first): $list. Roll back to one of them, or deploy $Version with swap.ps1 -Version $Version if its image exists."
    }
}
