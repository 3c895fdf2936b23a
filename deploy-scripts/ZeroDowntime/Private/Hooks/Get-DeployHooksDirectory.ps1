# ZeroDowntime module, private (Hooks): not exported.
# Called by: Get-DeployHookPath
function Get-DeployHooksDirectory {
    <#
    .SYNOPSIS
        The hooks folder: the context's HooksDirectory (-HooksDirectory), else $env:ZDD_HOOKS_DIRECTORY, else
        deploy-scripts/hooks of the repository.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $configured = $Context.PSObject.Properties['HooksDirectory']
    if ($configured -and $configured.Value) { return [string]$configured.Value }
    if ($env:ZDD_HOOKS_DIRECTORY) { return $env:ZDD_HOOKS_DIRECTORY }
    Join-Path $Context.RepositoryRoot 'deploy-scripts' -AdditionalChildPath 'hooks'
}
