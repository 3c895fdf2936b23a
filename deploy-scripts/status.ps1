#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Shows what is live: the active slot per nginx, each slot's container state, readiness and version, maintenance
    mode, the deploy lock and the last deploys; with -History, the history of every operation.

.DESCRIPTION
    Read-only. The active slot is read from nginx's marker file (/etc/nginx/state/active-slot.<slot>), each slot's
    readiness from Docker's health check of its container (what a swap's gate reads too), its version from the slot
    itself (`dotnet Api.dll probe /admin/status` inside its container), maintenance mode from nginx's routing state
    (zdd-state.sh status), the lock and the history from the stack's PostgreSQL (database zdd_deploy). A part that cannot be read is listed under Problems instead of failing the
    whole. Exit code 0 when the status was read (even if a slot is down), 1 when it could not be read at all.
    Uses the ZeroDowntime module (ZeroDowntime/); tests/Deploy.Tests checks its -Json output after each swap.

.PARAMETER ProjectName
    The docker compose project name. Default: what compose chooses (COMPOSE_PROJECT_NAME, or the directory name).

.PARAMETER ComposeFile
    The compose file(s), as for docker compose --file. Default: docker-compose.yaml at the repository root.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file. Default: compose's own (.env beside the compose file).

.PARAMETER Last
    How many deploys to show (with -History: how many entries; default 20 there).

.PARAMETER Json
    Print the status (or the history) as JSON (for scripts and tests) instead of tables (or objects).

.PARAMETER History
    List the history, newest first: when, who (user@host), the command, from and to slot and version, result,
    failed step, each step's duration, warnings and hook results; every swap, rollback, maintenance change, prune
    and broken lock. Objects (Format-List * shows every field), or JSON with -Json.

.EXAMPLE
    ./deploy-scripts/status.ps1

    Tables of the slots and the last five deploys.

.EXAMPLE
    dotnet pwsh deploy-scripts/status.ps1 -Json | ConvertFrom-Json

    The same facts as one JSON document.

.EXAMPLE
    ./deploy-scripts/status.ps1 -History -Last 3

    The last three operations on the stack, newest first.
#>
[CmdletBinding(SupportsShouldProcess)]
[OutputType([pscustomobject], [string])]
param(
    [ValidatePattern('(?-i)^[a-z0-9][a-z0-9_-]*\z')]
    [string] $ProjectName,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Compose file {0} does not exist.')]
    [string[]] $ComposeFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Env file {0} does not exist.')]
    [string] $EnvFile,

    [ValidateRange(1, 10000)]
    [int] $Last = 5,

    [switch] $Json,

    [switch] $History
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

try {
    $manifest = Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1'
    Import-Module -Name $manifest -Force -Verbose:$false
    if ($History) {
        $entries = @(Get-DeployHistory -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile `
                -Last $(if ($PSBoundParameters.ContainsKey('Last')) { $Last } else { 20 }) `
                -Verbose:($VerbosePreference -eq 'Continue'))
    }
    else {
        if ($Last -gt 100) { throw '-Last: at most 100 deploys in the status (use -History for more).' }
        $status = Get-DeployStatus -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile `
            -Last $Last -Verbose:($VerbosePreference -eq 'Continue')
    }
}
catch {
    Write-Error -Message "status: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
if ($History) {
    # -InputObject: one entry is still a JSON array.
    if ($Json) { ConvertTo-Json -InputObject $entries -Depth 8 }
    else { $entries }
}
elseif ($Json) { $status | ConvertTo-Json -Depth 6 }
else { Format-DeployStatus -Status $status }
exit 0
