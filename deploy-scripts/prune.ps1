#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Removes API image tags that fell out of the retention window; keeps every rollback target.

.DESCRIPTION
    The window is the last N versions deployed successfully (swap.ps1 -RetainVersions, default 5; the history knows
    them). Never removed: a tag inside the window, the slot tags blue and green, any tag of an image that a slot's
    container runs or a slot tag names (the active slot, and the idle slot: the target of rollback.ps1), and a tag
    this stack never deployed (an image prepared for the next deploy). Prints each tag with what happens to it and
    why, under the deploy lock, and appends the prune to the history.
    Exit codes: 0 done (or planned with -WhatIf); 1 a removal failed (docker said why); 2 refused (nothing removed).

.PARAMETER RetainVersions
    How many deployed versions to keep. Default: what the last swap recorded (else 5).

.PARAMETER ProjectName
    The docker compose project name. Default: what compose chooses (COMPOSE_PROJECT_NAME, or the directory name).

.PARAMETER ComposeFile
    The compose file(s), as for docker compose --file. Default: docker-compose.yaml at the repository root.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file. Default: compose's own (.env beside the compose file).

.PARAMETER LockWaitSeconds
    Wait up to this long for a deploy that holds the lock, instead of refusing at once.

.EXAMPLE
    ./deploy-scripts/prune.ps1 -WhatIf

    Lists what would be removed and kept, and why; removes nothing.

.EXAMPLE
    ./deploy-scripts/prune.ps1 -RetainVersions 3
#>
[CmdletBinding(SupportsShouldProcess)]
[OutputType([pscustomobject])]
param(
    [ValidateRange(1, 1000)]
    [int] $RetainVersions,

    [ValidatePattern('(?-i)^[a-z0-9][a-z0-9_-]*\z')]
    [string] $ProjectName,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Compose file {0} does not exist.')]
    [string[]] $ComposeFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Env file {0} does not exist.')]
    [string] $EnvFile,

    [ValidateRange(0, 86400)]
    [int] $LockWaitSeconds = 0
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$manifest = Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1'
Import-Module -Name $manifest -Force -Verbose:$false
$report = Invoke-PruneCommand -RetainVersions $RetainVersions -ProjectName $ProjectName -ComposeFile $ComposeFile `
    -EnvFile $EnvFile -LockWaitSeconds $LockWaitSeconds -ScriptPath $PSCommandPath -WhatIf:$WhatIfPreference `
    -Verbose:($VerbosePreference -eq 'Continue')
$report
exit $report.ExitCode
