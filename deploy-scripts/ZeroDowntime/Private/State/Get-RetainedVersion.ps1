# ZeroDowntime module, private (State): not exported.
# Called by: Assert-RetainedVersion, Invoke-PruneCommand
function Get-RetainedVersion {
    <#
    .SYNOPSIS
        The retention window: the last N distinct versions that were live (moved to by a successful swap, rollback or
        promote, or moved away from by one), newest first, from the history. Also every version ever tried, for
        prune.
    .DESCRIPTION
        Returns @{ Retained = [string[]]; Deployed = [object[]] (Version, LastLive, LastId) }. The history is
        the one source: the window needs no table of its own, and it cannot drift from what really ran.
    #>
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateRange(1, 1000)] [int] $RetainVersions
    )

    $deployed = @(Invoke-DeployStateSql -Context $Context -Query DeployedVersions)
    @{
        Retained = @(Select-RetainedVersion -Deployed $deployed -RetainVersions $RetainVersions)
        Deployed = $deployed
    }
}
