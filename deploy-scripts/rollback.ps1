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
    [ValidatePattern('(?-i)^[a-z0-9][a-z0-9_-]*\z')]
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

$manifest = Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1'
Import-Module -Name $manifest -Force -Verbose:$false
# A module's functions do not see this script's -WhatIf and -Verbose (nor $WhatIfPreference): pass them on.
$report = Invoke-DeployCommand -Mode Rollback -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile `
    -StateDirectory $StateDirectory -ReadyTimeoutSeconds $ReadyTimeoutSeconds `
    -DrainTimeoutSeconds $DrainTimeoutSeconds -PublicHostName $PublicHostName -BreakLock:$BreakLock `
    -ScriptPath $PSCommandPath -WhatIf:$WhatIfPreference -Verbose:($VerbosePreference -eq 'Continue')
$report
exit $report.ExitCode
