# ZeroDowntime module, private (State): not exported.
# Called by: Get-RetainedVersion
function Select-RetainedVersion {
    <#
    .SYNOPSIS
        The retention choice (pure): of the deployed versions, the N whose last successful deploy is the newest.
    .DESCRIPTION
        A version deployed again (a rollback to it) moves to the front; a version that never went live (every try
        failed) is not in the window.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Deployed,
        [Parameter(Mandatory)] [ValidateRange(1, 1000)] [int] $RetainVersions
    )

    $Deployed | Where-Object { $null -ne $_.LastSucceededId } |
        Sort-Object -Property { [long]$_.LastSucceededId } -Descending |
        Select-Object -First $RetainVersions |
        ForEach-Object { [string]$_.Version }
}
