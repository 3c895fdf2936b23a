#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Deploys a version to the idle slot (blue or green) and moves nginx's traffic to it without failing a request.

.DESCRIPTION
    Thirteen steps, each shown with its duration: 1 Lock (the deploy lock in the stack's PostgreSQL, shared by every
    clone and machine), 2 Preflight (docker, stack, nginx -t, active slot, timeout order), 3 the pre-deploy hook,
    4 Start the idle slot (retag the version as <API_IMAGE>:<slot>, run migrations, recreate the container), 5 Gate
    (Docker's health check calls the slot healthy within -ReadyTimeoutSeconds, then /profile reports the slot and
    version, on the slot and through nginx's preview server, then the warm-up), 6 Switch (rename nginx's
    active-slot marker: atomic, and nginx is never reloaded), 7 Verify through nginx (X-Slot header), 8 the
    post-switch hook, 9 Drain (the old slot has 0 in flight and starts no request for a quiet second, within
    -DrainTimeoutSeconds), 10 Stop the old slot (container kept for an instant rollback), 11 the post-deploy hook,
    12 the on-failure hook (after a failure), 13 Record (appended to the history in the stack's PostgreSQL;
    status.ps1 -History lists it).

    A failure in steps 4 to 7, or Ctrl+C before step 8, moves the marker back, stops the new slot and leaves the old
    slot serving.

    The gate ends with a warm-up: the new slot is staged in nginx for opt-in requests, and -WarmupPath's paths are
    requested through nginx (https, -PublicHostName) until their latency settles, before any real request reaches it.

    Staged deployments: -Stage runs lock, preflight, start and gate (with the warm-up), then serves the new version
    to requests that opt in (header X-ZDD-Preview: 1 or cookie zdd_preview=1) while everyone else stays on the
    active slot. -Canary <P> does the same and also sends P % of new clients to it (sticky by a cookie nginx sets);
    run again without -Version to change P. The deploy lock stays held after the script ends, until -Promote
    (switch everyone to it, drain and stop the old slot) or -Abort (everyone back at once, the staged slot stopped).
    A plain swap or a rollback is refused while a deployment is staged.
    Exit codes: 0 succeeded; 1 failed and rolled back (old slot serves); 2 refused by preflight or lock (nothing
    changed); 3 failed after the switch or the undo failed (run status.ps1); 130 interrupted.
    Called by operators and by tests/Deploy.Tests and tests/Proof.Tests. The steps live in the ZeroDowntime module
    (ZeroDowntime/).

.PARAMETER Version
    An existing tag of the API image repository (API_IMAGE, e.g. zero-downtime/api:1.4.0 -> 1.4.0) to deploy. With
    -Build, the tag to give the image built from the working tree (default build-<UTC timestamp>).

.PARAMETER Build
    Build api/Dockerfile from the working tree (APP_VERSION = the version) instead of deploying an existing tag.

.PARAMETER ProjectName
    The docker compose project name. Default: what compose chooses (COMPOSE_PROJECT_NAME, or the directory name).

.PARAMETER ComposeFile
    The compose file(s), as for docker compose --file. Default: docker-compose.yaml at the repository root.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file. Default: compose's own (.env beside the compose file).

.PARAMETER HooksDirectory
    The folder of the hooks (executable files named pre-deploy, post-switch, post-deploy, on-failure). Default:
    $env:ZDD_HOOKS_DIRECTORY, else deploy-scripts/hooks.

.PARAMETER RetainVersions
    How many deployed versions the stack retains (default 5): rollback.ps1 -Version accepts them, prune.ps1 keeps
    their images. Recorded with the swap; prune.ps1 and rollback.ps1 use the last swap's value.

.PARAMETER ReadyTimeoutSeconds
    How long the new slot has to report ready (GET /health/ready 200) before the swap is undone.

.PARAMETER DrainTimeoutSeconds
    How long to wait for the old slot's in-flight requests to finish before stopping it anyway.

.PARAMETER PublicHostName
    The Host header for the verification requests through nginx.

.PARAMETER Stage
    Start and gate the new version on the idle slot and serve it only to requests that opt in; keep it staged.

.PARAMETER Canary
    Like -Stage, and send this percentage (1-99) of new clients to the staged slot. Without -Version/-Build while a
    deployment is staged: change its percentage (clients keep the slot they were given).

.PARAMETER Promote
    Finish the staged deployment: switch everyone to it, verify, drain and stop the old slot.

.PARAMETER Abort
    Take the staged deployment back: everyone to the active slot from their next request, the staged slot stopped.

.PARAMETER WarmupPath
    The paths the gate's warm-up requests through nginx, each '<path>' or '<path> <status>[,<status>]' (accepted
    statuses, default 200), or 'off'. Default: ZDD_WARMUP_PATHS from the environment or the env file (entries
    separated by ';'), else '/profile', '/notes?take=1' and '/notes/0 404'.

.PARAMETER BreakLock
    Remove a deploy lock left behind by a run that died (no heartbeat for 30 s), then proceed; the break is recorded
    in the history. A holder that is alive (or a staged deployment) is refused unless -Force is given too.

.PARAMETER Force
    With -BreakLock: break the lock even though its holder looks alive.

.PARAMETER LockWaitSeconds
    Wait up to this long for a lock that another run holds (printing who holds it), instead of refusing at once.

.EXAMPLE
    ./deploy-scripts/swap.ps1 -Version 1.4.0

    Deploys zero-downtime/api:1.4.0 to the idle slot and switches traffic to it.

.EXAMPLE
    dotnet pwsh deploy-scripts/swap.ps1 -Build -Version 1.5.0-rc1 -WhatIf

    Prints the whole plan (build, retag, migrate, start, gate, switch, verify, drain, stop) and changes nothing.

.EXAMPLE
    ./deploy-scripts/swap.ps1 -Canary 10 -Version 1.4.0; ./deploy-scripts/swap.ps1 -Canary 50; ./deploy-scripts/swap.ps1 -Promote

    A canary of 1.4.0 for 10 % of new clients, then 50 %, then everyone.
#>
[CmdletBinding(SupportsShouldProcess)]
[OutputType([pscustomobject])]
param(
    [Parameter(Position = 0)]
    [ValidatePattern('(?-i)^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\z')]
    [ValidateScript({ $_ -notin 'blue', 'green' }, ErrorMessage = 'The slot tags blue and green are not versions.')]
    [string] $Version,

    [switch] $Build,

    [ValidatePattern('(?-i)^[a-z0-9][a-z0-9_-]*\z')]
    [string] $ProjectName,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Compose file {0} does not exist.')]
    [string[]] $ComposeFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Env file {0} does not exist.')]
    [string] $EnvFile,

    [ValidateNotNullOrEmpty()]
    [string] $HooksDirectory,

    [ValidateRange(1, 1000)]
    [int] $RetainVersions = 5,

    [ValidateRange(5, 3600)]
    [int] $ReadyTimeoutSeconds = 120,

    [ValidateRange(1, 3600)]
    [int] $DrainTimeoutSeconds = 90,

    [ValidateNotNullOrEmpty()]
    [string] $PublicHostName = 'localhost',

    [switch] $BreakLock,

    [switch] $Force,

    [ValidateRange(0, 86400)]
    [int] $LockWaitSeconds = 0,

    [switch] $Stage,

    [ValidateRange(1, 99)]
    [int] $Canary,

    [switch] $Promote,

    [switch] $Abort,

    [ValidateNotNullOrEmpty()]
    [string[]] $WarmupPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$manifest = Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1'
Import-Module -Name $manifest -Force -Verbose:$false
# One mode at a time: a plain swap, or one of the staged deployment's commands.
$chosen = [ordered]@{ Stage = [bool]$Stage; Canary = $Canary -gt 0; Promote = [bool]$Promote; Abort = [bool]$Abort }
$modes = @($chosen.GetEnumerator() | Where-Object Value | ForEach-Object Key)
if ($modes.Count -gt 1) {
    Write-Error -Message "swap: give one of -Stage, -Canary, -Promote, -Abort, not $($modes -join ' and ')." `
        -ErrorAction Continue
    exit 2
}
$mode = if ($modes) { $modes[0] } else { 'Swap' }
# A module's functions do not see this script's -WhatIf and -Verbose (nor $WhatIfPreference): pass them on.
$report = Invoke-DeployCommand -Mode $mode -Percent $Canary -WarmupPath $WarmupPath -Version $Version -Build:$Build `
    -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile -HooksDirectory $HooksDirectory `
    -RetainVersions $RetainVersions `
    -ReadyTimeoutSeconds $ReadyTimeoutSeconds -DrainTimeoutSeconds $DrainTimeoutSeconds `
    -PublicHostName $PublicHostName -BreakLock:$BreakLock -Force:$Force -LockWaitSeconds $LockWaitSeconds `
    -ScriptPath $PSCommandPath -WhatIf:$WhatIfPreference `
    -Verbose:($VerbosePreference -eq 'Continue')
$report
exit $report.ExitCode
