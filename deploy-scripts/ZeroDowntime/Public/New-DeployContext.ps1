# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: Get-DeployHistory, Get-DeployStatus, Invoke-DeployCommand, Invoke-MaintenanceCommand,
#   Invoke-PruneCommand, users
function New-DeployContext {
    <#
    .SYNOPSIS
        Collects what every step needs: compose project, files, env file, hooks folder, timeouts, warm-up paths.
        The deploy lock and history are not here: they live in the stack's PostgreSQL (Private/State).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Builds an object in memory; changes nothing.')]
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [string] $ProjectName,
        [string[]] $ComposeFile,
        [string] $EnvFile,
        [string] $HooksDirectory,
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
        RepositoryRoot      = $repositoryRoot
        # Empty: $env:ZDD_HOOKS_DIRECTORY, else deploy-scripts/hooks (Get-DeployHooksDirectory).
        HooksDirectory      = if ($HooksDirectory) { $PSCmdlet.GetUnresolvedProviderPathFromPSPath($HooksDirectory) }
        else { $null }
        PublicHostName      = $PublicHostName
        ReadyTimeoutSeconds = $ReadyTimeoutSeconds
        DrainTimeoutSeconds = $DrainTimeoutSeconds
    }
    if (-not $WarmupPath) {
        $setting = Get-EnvFileValue -Context $context -Name 'ZDD_WARMUP_PATHS'
        $WarmupPath = if ($setting) { @($setting) } else { $script:DefaultWarmupPath }
    }
    $warmup = if (@($WarmupPath).Count -eq 1 -and $WarmupPath[0].Trim() -eq 'off') { @() }
    else { @(ConvertFrom-WarmupPath -Spec $WarmupPath) }
    $context | Add-Member -NotePropertyName WarmupPath -NotePropertyValue $warmup
    $context
}
