# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable
function Assert-RetainedVersion {
    <#
    .SYNOPSIS
        Refuses a rollback to a version outside the retention window (or one already live), listing the window.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Version,
        [int] $RetainVersions,
        [string] $ActiveVersion
    )

    if ($RetainVersions -lt 1) { $RetainVersions = Get-RetentionWindow -Context $Context }
    $retained = @((Get-RetainedVersion -Context $Context -RetainVersions $RetainVersions).Retained)
    $list = if ($retained) { $retained -join ', ' } else { 'none yet' }
    if ($Version -notin $retained) {
        throw "Version $Version is not retained: the last $RetainVersions versions deployed are $list (newest " +
            "first). Roll back to one of them, or deploy $Version with swap.ps1 -Version $Version if its image exists."
    }
    if ($ActiveVersion -and $ActiveVersion -eq $Version) {
        throw "Version $Version is already live. Retained versions: $list."
    }
}
