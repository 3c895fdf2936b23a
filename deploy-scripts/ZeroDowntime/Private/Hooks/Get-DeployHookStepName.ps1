# ZeroDowntime module, private (Hooks): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Get-DeployHookStepName {
    <#
    .SYNOPSIS
        The step line of a hook: "Hook post-deploy", or "Hook post-deploy (none)" when the folder has no such file.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Name
    )

    try { $path = Get-DeployHookPath -Context $Context -Name $Name }
    catch { return "Hook $Name (not executable)" }
    if ($path) { "Hook $Name" } else { "Hook $Name (none)" }
}
