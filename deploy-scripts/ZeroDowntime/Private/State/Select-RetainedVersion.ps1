# ZeroDowntime module, private (State): not exported.
# Called by: Get-RetainedVersion
function Select-RetainedVersion {
    <#
    .SYNOPSIS
        The retention choice (pure): of the versions the history knows, the N that were live most recently.
    .DESCRIPTION
        LastLive orders them (Invoke-DeployStateSql, DeployedVersions): a version deployed again (a rollback to it)
        moves to the front; the version that served before the first recorded swap counts as live until then; a
        version that never went live (every try failed) is not in the window.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Deployed,
        [Parameter(Mandatory)] [ValidateRange(1, 1000)] [int] $RetainVersions
    )

    $Deployed | Where-Object { $null -ne $_.LastLive } |
        Sort-Object -Property { [long]$_.LastLive } -Descending |
        Select-Object -First $RetainVersions |
        ForEach-Object { [string]$_.Version }
}
