#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Turns maintenance mode on or off: nginx answers every public request with 503 and Retry-After, without a reload.

.DESCRIPTION
    On: every request to the public server gets 503 Service Unavailable with a Retry-After header, an HTML page when
    the client asks for text/html (browsers), application/problem+json otherwise (API clients); the message is the
    operator's. Requests already running finish normally. Both slots stay up and healthy, and swaps still work
    (their gate goes through nginx's preview server, not the public one). Off: requests reach the active slot again.
    The change is one atomic rename in nginx's routing state (nginx/zdd-state.sh); nginx is never reloaded.
    status.ps1 shows the mode; each change is appended to the history (status.ps1 -History) with who and when.
    Exit codes: 0 done; 1 failed; 2 refused (bad input, stack not up; nothing changed).

.PARAMETER On
    Turn maintenance mode on (or change its message / Retry-After while on).

.PARAMETER Off
    Turn maintenance mode off.

.PARAMETER Message
    One line of plain text for the page and the problem's detail (at most 1000 characters). Default: nginx's.

.PARAMETER RetryAfterSeconds
    The Retry-After header's value, in seconds (default 300).

.PARAMETER ProjectName
    The docker compose project name. Default: what compose chooses (COMPOSE_PROJECT_NAME, or the directory name).

.PARAMETER ComposeFile
    The compose file(s), as for docker compose --file. Default: docker-compose.yaml at the repository root.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file. Default: compose's own (.env beside the compose file).

.EXAMPLE
    ./deploy-scripts/maintenance.ps1 -On -Message 'Upgrading the database; back at 14:00 UTC.' -RetryAfterSeconds 900

.EXAMPLE
    ./deploy-scripts/maintenance.ps1 -Off
#>
[CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'On')]
[OutputType([pscustomobject])]
param(
    [Parameter(Mandatory, ParameterSetName = 'On')]
    [switch] $On,

    [Parameter(Mandatory, ParameterSetName = 'Off')]
    [switch] $Off,

    [Parameter(ParameterSetName = 'On')]
    [ValidateLength(0, 1000)]
    [string] $Message,

    [Parameter(ParameterSetName = 'On')]
    [ValidateRange(0, 999999999)]
    [int] $RetryAfterSeconds = 300,

    [ValidatePattern('(?-i)^[a-z0-9][a-z0-9_-]*\z')]
    [string] $ProjectName,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Compose file {0} does not exist.')]
    [string[]] $ComposeFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Env file {0} does not exist.')]
    [string] $EnvFile
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$manifest = Join-Path -Path $PSScriptRoot -ChildPath 'ZeroDowntime' -AdditionalChildPath 'ZeroDowntime.psd1'
Import-Module -Name $manifest -Force -Verbose:$false
$arguments = @{
    ProjectName = $ProjectName; ComposeFile = $ComposeFile; EnvFile = $EnvFile; ScriptPath = $PSCommandPath
    WhatIf = $WhatIfPreference; Verbose = ($VerbosePreference -eq 'Continue')
}
if ($On) {
    $arguments.On = $true
    $arguments.RetryAfterSeconds = $RetryAfterSeconds
    if ($PSBoundParameters.ContainsKey('Message')) { $arguments.Message = $Message }
}
else { $arguments.Off = $true }
$report = Invoke-MaintenanceCommand @arguments
$report
exit $report.ExitCode
