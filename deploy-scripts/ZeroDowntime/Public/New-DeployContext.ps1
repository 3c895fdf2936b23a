# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: Get-DeployStatus, Invoke-DeployCommand, users
function New-DeployContext {
    <#
    .SYNOPSIS
        Collects what every step needs: compose project, files, env file, state directory and timeouts.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Builds an object in memory; changes nothing.')]
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [string] $ProjectName,
        [string[]] $ComposeFile,
        [string] $EnvFile,
        [string] $StateDirectory,
        [string] $PublicHostName = 'localhost',
        [int] $ReadyTimeoutSeconds = 120,
        [int] $DrainTimeoutSeconds = 90,
        # Warm-up paths ('<path>' or '<path> <status>[,<status>]'); 'off' for none. Default: ZDD_WARMUP_PATHS from the
        # environment or the env file, else $script:DefaultWarmupPath.
        [string[]] $WarmupPath
    )

    $repositoryRoot = $script:RepositoryRoot
    if (-not $ComposeFile) { $ComposeFile = @(Join-Path $repositoryRoot 'docker-compose.yaml') }
    # Relative to PowerShell's location, which is not the process's working directory once Set-Location ran.
    $ComposeFile = @($ComposeFile | ForEach-Object { $PSCmdlet.GetUnresolvedProviderPathFromPSPath($_) })
    if ($EnvFile) { $EnvFile = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($EnvFile) }

    $context = [pscustomobject]@{
        PSTypeName          = 'ZeroDowntime.DeployContext'
        ProjectName         = $ProjectName
        ComposeFile         = $ComposeFile
        EnvFile             = $EnvFile
        StateDirectory      = $null
        RepositoryRoot      = $repositoryRoot
        PublicHostName      = $PublicHostName
        ReadyTimeoutSeconds = $ReadyTimeoutSeconds
        DrainTimeoutSeconds = $DrainTimeoutSeconds
    }
    if (-not $StateDirectory) {
        # The project name decides the default state directory; without -ProjectName compose derives it (from
        # COMPOSE_PROJECT_NAME or the directory), and `config` tells which one it chose.
        $name = $ProjectName
        if (-not $name) { $name = (Get-ComposeConfig -Context $context).name }
        $StateDirectory = Join-Path -Path $repositoryRoot -ChildPath '.deploy' -AdditionalChildPath $name
    }
    $context.StateDirectory = $PSCmdlet.GetUnresolvedProviderPathFromPSPath($StateDirectory)
    if (-not $WarmupPath) {
        $setting = Get-EnvFileValue -Context $context -Name 'ZDD_WARMUP_PATHS'
        $WarmupPath = if ($setting) { @($setting) } else { $script:DefaultWarmupPath }
    }
    $warmup = if (@($WarmupPath).Count -eq 1 -and $WarmupPath[0].Trim() -eq 'off') { @() }
    else { @(ConvertFrom-WarmupPath -Spec $WarmupPath) }
    $context | Add-Member -NotePropertyName WarmupPath -NotePropertyValue $warmup
    $context
}
