#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Returns traffic to the previous slot (the one that is not active), through the same steps and guards as swap.

.DESCRIPTION
    The previous slot keeps the image it had (no retag, no migration): it is started if stopped, gated (ready, and
    /profile reports the slot), switched to, verified through nginx, and the slot that served is drained and stopped.
    Steps, lock, records and exit codes are those of swap.ps1 (same functions in the ZeroDowntime module):
    0 succeeded; 1 failed and undone (the current slot serves); 2 refused (nothing changed); 3 failed after the
    switch or the undo failed (run status.ps1); 130 interrupted.

.PARAMETER ProjectName
    The docker compose project name. Default: what compose chooses (COMPOSE_PROJECT_NAME, or the directory name).

.PARAMETER ComposeFile
    The compose file(s), as for docker compose --file. Default: docker-compose.yaml at the repository root.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file. Default: compose's own (.env beside the compose file).

.PARAMETER StateDirectory
    Where the deploy lock and the deploy records live. Default: <repository>/.deploy/<project name>.

.PARAMETER ReadyTimeoutSeconds
    How long the previous slot has to report ready before the rollback is undone.

.PARAMETER DrainTimeoutSeconds
    How long to wait for the current slot's in-flight requests to finish before stopping it anyway.

.PARAMETER PublicHostName
    The Host header for the verification requests through nginx.

.PARAMETER BreakLock
    Remove a deploy lock left behind by a run that died, then proceed.

.EXAMPLE
    ./deploy-scripts/rollback.ps1

    Moves traffic back to the slot that served before the last swap.

.EXAMPLE
    dotnet pwsh deploy-scripts/rollback.ps1 -ProjectName zdd-staging -WhatIf

    Prints what the rollback would do on the compose project zdd-staging, and changes nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
[OutputType([pscustomobject])]
param(
    [ValidatePattern('^[a-z0-9][a-z0-9_-]*$')]
    [string] $ProjectName,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Compose file {0} does not exist.')]
    [string[]] $ComposeFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Env file {0} does not exist.')]
    [string] $EnvFile,

    [ValidateNotNullOrEmpty()]
    [string] $StateDirectory,

    [ValidateRange(5, 3600)]
    [int] $ReadyTimeoutSeconds = 120,

    [ValidateRange(1, 3600)]
    [int] $DrainTimeoutSeconds = 90,

    [ValidateNotNullOrEmpty()]
    [string] $PublicHostName = 'localhost',

    [switch] $BreakLock
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# 130 until the run ends: stays so only when Ctrl+C stops it (the finally below then sets the exit code).
$exitCode = 130
try {
    $report = $null
    try {
        Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1') -Force -Verbose:$false
        # Script-module functions do not see this script's -WhatIf/-Verbose: pass them on explicitly.
        $common = @{ WhatIf = [bool]$WhatIfPreference; Verbose = $VerbosePreference -eq 'Continue' }
        $context = New-DeployContext -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile `
            -StateDirectory $StateDirectory -ReadyTimeoutSeconds $ReadyTimeoutSeconds `
            -DrainTimeoutSeconds $DrainTimeoutSeconds -PublicHostName $PublicHostName -Verbose:$common.Verbose
        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -BreakLock:$BreakLock -Command 'rollback.ps1' @common
    }
    catch {
        Write-Error -Message "rollback: $($_.Exception.Message)" -ErrorAction Continue
        $exitCode = 2
    }
    if ($report) {
        $report
        $exitCode = Write-DeployOutcome -Operation rollback -Report $report
    }
}
finally {
    if ($exitCode -eq 130) {
        # Ctrl+C: the module's finally blocks have run (marker consistent, lock released, record written), but a
        # stopped pipeline would end pwsh with exit code 0. A rerun of swap.ps1 or rollback.ps1 repairs the rest.
        [Console]::Error.WriteLine('rollback: interrupted. Run status.ps1, then rerun swap.ps1 or rollback.ps1.')
        # Only when this script is the process (pwsh -File, or the shebang): never end an interactive session.
        $scriptName = [System.IO.Path]::GetFileName($PSCommandPath)
        $launchedAlone = [System.Environment]::GetCommandLineArgs() |
            Where-Object { $_ -and [System.IO.Path]::GetFileName($_) -eq $scriptName }
        if ($launchedAlone) { [System.Environment]::Exit(130) }
    }
}
exit $exitCode
