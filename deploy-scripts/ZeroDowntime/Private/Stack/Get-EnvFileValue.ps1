# ZeroDowntime module, private (Stack): not exported.
# Called by: New-DeployContext
function Get-EnvFileValue {
    <#
    .SYNOPSIS
        A deploy setting, as compose would see it: the real environment wins, then the env file (-EnvFile, or .env
        beside the first compose file), else $null.
    .DESCRIPTION
        Reads KEY=VALUE lines; a value in single or double quotes loses them. Only settings of the deploy scripts
        are read this way (e.g. ZDD_WARMUP_PATHS); nothing else of the file is parsed or kept.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidatePattern('^[A-Z][A-Z0-9_]*$')] [string] $Name
    )

    $fromEnvironment = [System.Environment]::GetEnvironmentVariable($Name)
    if ($fromEnvironment) { return $fromEnvironment }
    $file = if ($Context.EnvFile) { $Context.EnvFile }
    else { Join-Path (Split-Path -Parent @($Context.ComposeFile)[0]) '.env' }
    if (-not (Test-Path -LiteralPath $file -PathType Leaf)) { return $null }
    $value = $null
    foreach ($line in Get-Content -LiteralPath $file) {
        if ($line -match "^\s*$Name\s*=\s*(?<value>.*?)\s*$") { $value = $Matches['value'] }
    }
    if ($value -match '^(["''])(?<inner>.*)\1$') { $value = $Matches['inner'] }
    $value
}
