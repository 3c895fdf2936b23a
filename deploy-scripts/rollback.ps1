#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Returns traffic to the previous slot (the one that is not active), or with -Version to any retained version,
    through the same steps and guards as swap.

.DESCRIPTION
    The previous slot keeps the image it had (no retag, no migration): it is started if stopped, gated (ready, and
    /profile reports the slot), switched to, verified through nginx, and the slot that served is drained and stopped.
    With -Version X: X must be one of the versions the stack retains (the last N deployed, see swap.ps1
    -RetainVersions); it is deployed to the idle slot exactly as swap.ps1 -Version X would (retag, migrate, start,
    gate, switch, verify, drain, stop) and recorded as a rollback.
    Steps, lock, hooks, history and exit codes are those of swap.ps1 (same functions in the ZeroDowntime module):
    0 succeeded; 1 failed and undone (the current slot serves); 2 refused (nothing changed); 3 failed after the
    switch or the undo failed (run status.ps1); 130 interrupted.

.PARAMETER Version
    A retained version to go back to (see status.ps1 -History); without it, the previous slot as it is.

.PARAMETER RetainVersions
    The retention window to check -Version against. Default: the one the last swap recorded (else 5).

.PARAMETER ProjectName
    The docker compose project name. Default: what compose chooses (COMPOSE_PROJECT_NAME, or the directory name).

.PARAMETER ComposeFile
    The compose file(s), as for docker compose --file. Default: docker-compose.yaml at the repository root.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file. Default: compose's own (.env beside the compose file).

.PARAMETER HooksDirectory
    The folder of the hooks (executable files named pre-deploy, post-switch, post-deploy, on-failure). Default:
    $env:ZDD_HOOKS_DIRECTORY, else deploy-scripts/hooks.

.PARAMETER ReadyTimeoutSeconds
    How long the previous slot has to report ready before the rollback is undone.

.PARAMETER DrainTimeoutSeconds
    How long to wait for the current slot's in-flight requests to finish before stopping it anyway.

.PARAMETER PublicHostName
    The Host header for the verification requests through nginx.

.PARAMETER BreakLock
    Remove a deploy lock left behind by a run that died (no heartbeat for 30 s), then proceed; the break is recorded
    in the history. A holder that is alive (or a staged deployment) is refused unless -Force is given too.

.PARAMETER Force
    With -BreakLock: break the lock even though its holder looks alive.

.PARAMETER LockWaitSeconds
    Wait up to this long for a lock that another run holds (printing who holds it), instead of refusing at once.

.EXAMPLE
    ./deploy-scripts/rollback.ps1

    Moves traffic back to the slot that served before the last swap.

.EXAMPLE
    ./deploy-scripts/rollback.ps1 -Version 1.2.0

    Deploys the retained version 1.2.0 to the idle slot and switches to it.

.EXAMPLE
    dotnet pwsh deploy-scripts/rollback.ps1 -ProjectName zdd-staging -WhatIf

    Prints what the rollback would do on the compose project zdd-staging, and changes nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
[OutputType([pscustomobject])]
param(
    [Parameter(Position = 0)]
    [ValidatePattern('(?-i)^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z')]
    [ValidateScript({ $_ -notin 'blue', 'green' }, ErrorMessage = 'The slot tags blue and green are not versions.')]
    [string] $Version,

    [ValidateRange(0, 1000)]
    [int] $RetainVersions = 0,

    [ValidatePattern('(?-i)^[a-z0-9][a-z0-9_-]*\z')]
    [string] $ProjectName,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Compose file {0} does not exist.')]
    [string[]] $ComposeFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Env file {0} does not exist.')]
    [string] $EnvFile,

    [ValidateNotNullOrEmpty()]
    [string] $HooksDirectory,

    [ValidateRange(5, 3600)]
    [int] $ReadyTimeoutSeconds = 120,

    [ValidateRange(1, 3600)]
    [int] $DrainTimeoutSeconds = 90,

    [ValidateNotNullOrEmpty()]
    [string] $PublicHostName = 'localhost',

    [switch] $BreakLock,

    [switch] $Force,

    [ValidateRange(0, 86400)]
    [int] $LockWaitSeconds = 0
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$manifest = Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1'
Import-Module -Name $manifest -Force -Verbose:$false
# A module's functions do not see this script's -WhatIf and -Verbose (nor $WhatIfPreference): pass them on.
$report = Invoke-DeployCommand -Mode Rollback -Version $Version -RetainVersions $RetainVersions `
    -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile -HooksDirectory $HooksDirectory `
    -ReadyTimeoutSeconds $ReadyTimeoutSeconds -DrainTimeoutSeconds $DrainTimeoutSeconds `
    -PublicHostName $PublicHostName -BreakLock:$BreakLock -Force:$Force -LockWaitSeconds $LockWaitSeconds `
    -ScriptPath $PSCommandPath -WhatIf:$WhatIfPreference -Verbose:($VerbosePreference -eq 'Continue')
$report
exit $report.ExitCode
