# ZeroDowntime module, private (Hooks): not exported.
# Called by: Get-DeployHookStepName, Invoke-DeployHook
function Get-DeployHookPath {
    <#
    .SYNOPSIS
        The path of a hook's file in the hooks folder if there is one, else $null. A file that is there but not
        executable is an error: it was meant to run, and silently skipping it would hide that.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Name
    )

    $directory = Get-DeployHooksDirectory -Context $Context
    if (-not $directory) { return $null }
    $path = Join-Path $directory $Name
    if (-not (Test-Path -LiteralPath $path -PathType Leaf)) { return $null }
    if (-not $IsWindows) {
        $mode = [System.IO.File]::GetUnixFileMode($path)
        if (-not ($mode -band [System.IO.UnixFileMode]::UserExecute)) {
            throw "Hook $path is not executable: 'chmod +x $path' to run it, or rename it (e.g. $Name.disabled) to " +
                'turn it off.'
        }
    }
    $path
}
