# ZeroDowntime module, private (Stack): not exported.
# Called by: Invoke-DeployPreflight, Invoke-PruneCommand, Invoke-StagedPreflight
function Get-ComposeConfig {
    <#
    .SYNOPSIS
        The resolved compose model (`docker compose config --format json`).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    (Invoke-Compose -Context $Context -ArgumentList 'config', '--format', 'json').StdOut | ConvertFrom-Json
}
