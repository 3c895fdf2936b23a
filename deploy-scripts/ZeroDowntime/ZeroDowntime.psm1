#Requires -Version 7.4
<#
    ZeroDowntime.psm1 - loads the ZeroDowntime module: the steps of a blue/green switch behind swap.ps1,
    rollback.ps1 and status.ps1 (beside this folder), imported through ZeroDowntime.psd1.

    Layout (one function per file, named after it): Public/ holds the commands the scripts call and a user may script
    against; Private/ holds everything else, by concern: Docker (the one docker runner), Parsing (pure functions),
    State (the deploy lock and history, in the stack's PostgreSQL), Stack (questions to the running stack), Steps (the step functions), Runner
    (the step table and the runner that unwinds it), Output (console lines). Private files are dot-sourced first, so
    that Public functions find them; only Public functions are exported (FunctionsToExport in the manifest).
#>

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

# The two slots, and where nginx learns which one serves: exactly one marker file, active-slot.<slot>, in nginx's
# state directory (the nginx-state volume). nginx checks it per request (nginx/snippets/active-slot.conf), so a swap
# renames it and never reloads nginx. nginx/docker-entrypoint.sh writes the first one (blue).
$script:Slots = @('blue', 'green')
$script:NginxStateDirectory = '/etc/nginx/state'
$script:ActiveSlotMarkerPrefix = 'active-slot.'
# nginx's internal server that reaches each slot by name (nginx/servers/preview.conf); not published to the host.
$script:NginxPreviewPort = 8081
# nginx's routing state besides the active slot (staged candidate, canary, maintenance): its one writer, mounted
# read-only from the repository's nginx/ (docs/stack.md, "Routing state files").
$script:RoutingStateScript = '/etc/nginx/zdd/zdd-state.sh'
# What the gate's warm-up requests by default, through nginx (Invoke-SlotWarmup): the profile, a read of the
# database (its connection pool and EF Core's query), and a note that does not exist (the 404 path). GETs only: a
# warm-up writes nothing.
$script:DefaultWarmupPath = @('/profile', '/notes?take=1', '/notes/0 404')
$script:StepCount = 9
# The deploy lock (in the stack's PostgreSQL, Private/State): a running holder beats this often, and one whose last
# beat is older than the stale age is dead (unless its process runs on this host). The retention window's default.
$script:LockHeartbeatSeconds = 5
$script:LockStaleSeconds = 30
$script:DefaultRetainVersions = 5
# The lock this process holds (Start-DeployLockHeartbeat), and the manifest its heartbeat thread imports.
$script:HeldLock = $null
$script:ModuleManifest = Join-Path $PSScriptRoot 'ZeroDowntime.psd1'
# Hooks (Invoke-DeployHook): their names, the most output kept in the record, and how long one may run.
$script:HookNames = @('pre-deploy', 'post-switch', 'post-deploy', 'on-failure')
$script:HookOutputBytes = 4096
$script:HookTimeoutSeconds = 300
# deploy-scripts/ZeroDowntime -> the repository: the default compose file and the build context of api/Dockerfile.
$script:RepositoryRoot = Split-Path -Parent (Split-Path -Parent $PSScriptRoot)

$private = @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Private') -Filter '*.ps1' -File -Recurse)
$public = @(Get-ChildItem -LiteralPath (Join-Path $PSScriptRoot 'Public') -Filter '*.ps1' -File)
foreach ($file in @($private | Sort-Object -Property FullName) + @($public | Sort-Object -Property FullName)) {
    . $file.FullName
}

# The report and status print as a short summary; every property is still there (Format-List *, ConvertTo-Json).
Update-TypeData -TypeName 'ZeroDowntime.DeployReport' -DefaultDisplayPropertySet @(
    'Mode', 'Result', 'ExitCode', 'FromSlot', 'FromVersion', 'ToSlot', 'ToVersion', 'FailedStep', 'Error', 'RecordId'
) -Force -WhatIf:$false -Confirm:$false  # display only: applies under the caller's -WhatIf as well

# A history entry lists as one line per operation; Steps, Warnings, Hooks and Details are there too.
Update-TypeData -TypeName 'ZeroDowntime.DeployRecord' -DefaultDisplayPropertySet @(
    'Id', 'StartedAt', 'Mode', 'User', 'Host', 'FromSlot', 'FromVersion', 'ToSlot', 'ToVersion', 'Result', 'FailedStep'
) -Force -WhatIf:$false -Confirm:$false

Export-ModuleMember -Function @($public | ForEach-Object { $_.BaseName })
