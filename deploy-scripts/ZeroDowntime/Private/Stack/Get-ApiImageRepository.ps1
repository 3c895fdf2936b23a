# ZeroDowntime module, private (Stack): not exported.
# Called by: Invoke-DeployPreflight, Invoke-PruneCommand, Invoke-StagedPreflight
function Get-ApiImageRepository {
    <#
    .SYNOPSIS
        The API image repository (API_IMAGE), read from the slot services' image "<repository>:<slot>".
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [object] $ComposeConfig)

    $image = [string]$ComposeConfig.services.'api-blue'.image
    if ($image -notmatch '^(?<repository>.+):blue$') {
        throw "Service api-blue uses image '$image'; the deploy scripts need '<API_IMAGE>:blue' (as in " +
            'docker-compose.yaml): a swap points the tag of a slot at the version to deploy.'
    }
    $Matches['repository']
}
