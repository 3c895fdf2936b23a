#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Shows what is live: the active slot per nginx, each slot's container state, readiness and version, the deploy
    lock and the last deploys.

.DESCRIPTION
    Read-only. The active slot is read from nginx's marker file (/etc/nginx/state/active-slot.<slot>), each slot's
    readiness from Docker's health check of its container (what a swap's gate reads too), its version from the slot
    itself (`dotnet Api.dll probe /admin/status` inside its container), the lock and the deploy records from
    -StateDirectory. A part that cannot be read is listed under Problems instead of failing the
    whole. Exit code 0 when the status was read (even if a slot is down), 1 when it could not be read at all.
    Uses the ZeroDowntime module (ZeroDowntime/); tests/Deploy.Tests checks its -Json output after each swap.

.PARAMETER ProjectName
    The docker compose project name. Default: what compose chooses (COMPOSE_PROJECT_NAME, or the directory name).

.PARAMETER ComposeFile
    The compose file(s), as for docker compose --file. Default: docker-compose.yaml at the repository root.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file. Default: compose's own (.env beside the compose file).

.PARAMETER StateDirectory
    Where the deploy lock and the deploy records live. Default: <repository>/.deploy/<project name>.

.PARAMETER Last
    How many deploy records to show.

.PARAMETER Json
    Print the status as JSON (for scripts and tests) instead of tables.

.EXAMPLE
    ./deploy-scripts/status.ps1

    Tables of the slots and the last five deploys.

.EXAMPLE
    dotnet pwsh deploy-scripts/status.ps1 -Json | ConvertFrom-Json

    The same facts as one JSON document.
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

    [ValidateNotNullOrEmpty()]
    [string] $StateDirectory,

    [ValidateRange(1, 100)]
    [int] $Last = 5,

    [switch] $Json
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

try {
    $manifest = Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1'
    Import-Module -Name $manifest -Force -Verbose:$false
    $status = Get-DeployStatus -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile `
        -StateDirectory $StateDirectory -Last $Last -Verbose:($VerbosePreference -eq 'Continue')
}
catch {
    Write-Error -Message "status: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
if ($Json) { $status | ConvertTo-Json -Depth 6 }
else { Format-DeployStatus -Status $status }
exit 0
