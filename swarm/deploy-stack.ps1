#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Deploys the stack to a Docker Swarm: docker-compose.yaml with the Swarm overlay, through `docker stack deploy`.

.DESCRIPTION
    `docker stack deploy` reads the older Compose file format 3 and cannot load docker-compose.yaml itself (it has
    `depends_on` conditions, `pull_policy`, a top-level `name`). So this script:
      1. merges docker-compose.yaml and swarm/docker-compose.swarm.yaml with `docker compose config` (which also
         reads the env file and fills in every ${...}, secrets included, as `docker compose up` would);
      2. makes the result readable by `docker stack deploy`: drops `name` and the `x-` blocks, writes published
         ports as numbers, and names each Swarm config after its content (configs are immutable, so a changed nginx
         file becomes a new config instead of a refused deploy);
      3. runs `docker stack deploy --resolve-image always`, from a file readable only by the current user that is
         deleted afterwards (it holds DB_PASSWORD and SECRET_KEY);
      4. with -Wait, waits until every service has all its tasks running and every job has completed.
    Images must come from a registry every node can pull from: set NGINX_IMAGE, POSTGRES_IMAGE and API_IMAGE in the
    env file (docs/swarm.md). Returns an object naming the stack, its services and their replicas.
    Used by hand (docs/swarm.md) and by tests/Swarm.Tests.

.PARAMETER StackName
    The stack's name: services are named <stack>_<service>.

.PARAMETER EnvFile
    The env file, as for docker compose --env-file; also the API containers' env_file. Default: .env at the
    repository root.

.PARAMETER ComposeFile
    The stack's compose file. Default: docker-compose.yaml at the repository root.

.PARAMETER OverlayFile
    The Swarm overlay. Default: swarm/docker-compose.swarm.yaml beside this script.

.PARAMETER DockerHost
    A Swarm manager's engine, as for docker --host (e.g. unix:///tmp/zdd-swarm/node1/docker.sock). Default: the
    current Docker context.

.PARAMETER OutFile
    Also write the file given to `docker stack deploy` here, for review. It holds the secrets of the env file.

.PARAMETER Wait
    Wait until the stack has converged (every task running, every job completed).

.PARAMETER TimeoutSeconds
    How long -Wait waits before it fails.

.EXAMPLE
    dotnet pwsh swarm/deploy-stack.ps1 -StackName zdd -EnvFile .env -Wait

    Deploys the stack `zdd` to the swarm of the current Docker context and waits for it.

.EXAMPLE
    ./swarm/deploy-stack.ps1 -StackName zdd -EnvFile .env -OutFile /tmp/zdd-stack.json -WhatIf

    Writes what would be deployed to /tmp/zdd-stack.json, and deploys nothing.
#>
[CmdletBinding(SupportsShouldProcess)]
[OutputType([pscustomobject])]
param(
    # Config names are <stack>_<config>_<hash> and Swarm allows 64 characters: hence the bound.
    [ValidatePattern('^[a-z0-9][a-z0-9-]{0,19}$',
        ErrorMessage = 'StackName {0}: expected 1-20 lower-case letters, digits or dashes.')]
    [string] $StackName = 'zero-downtime',

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Env file {0} does not exist.')]
    [string] $EnvFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Compose file {0} does not exist.')]
    [string] $ComposeFile,

    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf }, ErrorMessage = 'Overlay file {0} does not exist.')]
    [string] $OverlayFile,

    [ValidatePattern('^(unix|tcp|ssh|npipe)://',
        ErrorMessage = 'DockerHost {0}: expected unix://, tcp://, ssh:// or npipe://.')]
    [string] $DockerHost,

    [ValidateNotNullOrEmpty()]
    [string] $OutFile,

    [switch] $Wait,

    [ValidateRange(10, 3600)]
    [int] $TimeoutSeconds = 300
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$repository = Split-Path -Parent $PSScriptRoot
if (-not $ComposeFile) { $ComposeFile = Join-Path $repository 'docker-compose.yaml' }
if (-not $OverlayFile) { $OverlayFile = Join-Path $PSScriptRoot 'docker-compose.swarm.yaml' }
if (-not $EnvFile) { $EnvFile = Join-Path $repository '.env' }
if (-not (Test-Path -LiteralPath $EnvFile -PathType Leaf)) {
    throw "No env file at ${EnvFile}: copy .env.sample to .env and set DB_PASSWORD and SECRET_KEY, or pass -EnvFile."
}

function Invoke-Docker {
    <# Runs docker (against -DockerHost unless -Local), returns its stdout lines, throws with its stderr on failure. #>
    param(
        [Parameter(Mandatory)] [string] $Description,
        [Parameter(Mandatory)] [string[]] $Arguments,
        [hashtable] $Environment = @{},
        [switch] $Local
    )

    # Reading docker's output is not a change: the file redirection below must happen under -WhatIf too.
    $WhatIfPreference = $false
    $fullArguments = if ($DockerHost -and -not $Local) { @('--host', $DockerHost) + $Arguments } else { $Arguments }
    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, $Environment[$name])
    }
    # Not New-TemporaryFile: it honours -WhatIf and would create nothing, and the read-only steps run under -WhatIf.
    $errorFile = [IO.Path]::GetTempFileName()
    try {
        $output = & docker @fullArguments 2> $errorFile
        $exitCode = $LASTEXITCODE
        $errors = [IO.File]::ReadAllText($errorFile).Trim()
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
        [IO.File]::Delete($errorFile)
    }
    if ($exitCode -ne 0) {
        throw "$Description failed (exit $exitCode): $errors"
    }
    $output
}

function ConvertTo-StackModel {
    <# The merged compose model, made readable by `docker stack deploy` (Compose file format 3.x). #>
    param([Parameter(Mandatory)] [hashtable] $Model)

    # `name` is not part of format 3 (the stack's name is the argument of `docker stack deploy`); the `x-` blocks
    # hold what only Compose uses (build, depends_on conditions), already merged into the services.
    foreach ($key in @($Model.Keys)) {
        if ($key -eq 'name' -or $key -like 'x-*') { $Model.Remove($key) }
    }
    Remove-NullEntry -Node $Model
    foreach ($service in $Model.services.Values) {
        # Compose writes published ports as strings; format 3 wants numbers.
        if ($service.ContainsKey('ports')) {
            foreach ($port in $service.ports) {
                if ($port.ContainsKey('published') -and $port.published) { $port.published = [int] $port.published }
            }
        }
    }
    if ($Model.ContainsKey('configs')) {
        foreach ($key in @($Model.configs.Keys)) {
            $config = $Model.configs[$key]
            $hash = (Get-FileHash -LiteralPath $config.file -Algorithm SHA256).Hash.Substring(0, 12).ToLowerInvariant()
            $config.name = "${StackName}_${key}_$hash"
        }
    }
    $Model
}

function Remove-NullEntry {
    <# Compose's JSON has `"command": null` and the like for what is unset; format 3 refuses a null there. #>
    param([Parameter(Mandatory)] [AllowNull()] [object] $Node)

    if ($Node -is [hashtable]) {
        foreach ($key in @($Node.Keys)) {
            if ($null -eq $Node[$key]) { $Node.Remove($key) } else { Remove-NullEntry -Node $Node[$key] }
        }
    }
    elseif ($Node -is [System.Collections.IList]) {
        foreach ($item in $Node) { if ($null -ne $item) { Remove-NullEntry -Node $item } }
    }
}

function Wait-StackConverged {
    <# Polls `docker service ls` until every service shows all its tasks running (jobs: completed). #>
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $services = @(Get-StackService)
        $pending = @($services | Where-Object { -not $_.Converged })
        if ($services.Count -gt 0 -and $pending.Count -eq 0) { return $services }
        $states = ($pending | ForEach-Object { "$($_.Name) $($_.Replicas)" }) -join '; '
        if ([DateTimeOffset]::UtcNow -gt $deadline) {
            throw "The stack $StackName has not converged after $TimeoutSeconds s: $states. " +
                "See: docker service ps --no-trunc ${StackName}_<service>"
        }
        Write-Progress -Activity "Waiting for stack $StackName" -Status $states
        Start-Sleep -Seconds 1
    }
}

function Get-StackService {
    <# The stack's services with their replica counts: "2/2", jobs "0/1 (1/1 completed)". #>
    $lines = Invoke-Docker -Description 'docker service ls' -Arguments @('service', 'ls',
        '--filter', "label=com.docker.stack.namespace=$StackName", '--format', '{{.Name}}|{{.Mode}}|{{.Replicas}}')
    foreach ($line in @($lines | Where-Object { $_ })) {
        $name, $mode, $replicas = $line -split '\|', 3
        $converged = if ($mode -like '*job') {
            $replicas -match '\((\d+)/(\d+) completed\)' -and $Matches[1] -eq $Matches[2]
        }
        else {
            $replicas -match '^(\d+)/(\d+)' -and $Matches[1] -eq $Matches[2]
        }
        [pscustomobject]@{ Name = $name; Mode = $mode; Replicas = $replicas; Converged = [bool] $converged }
    }
}

$started = [Diagnostics.Stopwatch]::StartNew()
try {
    $envFilePath = (Resolve-Path -LiteralPath $EnvFile).Path
    # ENV_FILE: the API services' env_file (docker-compose.yaml), unless the caller chose one already.
    $composeEnvironment = @{}
    if (-not $env:ENV_FILE) { $composeEnvironment['ENV_FILE'] = $envFilePath }
    Write-Verbose "Merging $ComposeFile and $OverlayFile with $envFilePath"
    # -Local: `docker compose config` reads files on this machine and needs no engine.
    $json = Invoke-Docker -Description 'docker compose config' -Local -Environment $composeEnvironment -Arguments @(
        'compose', '--project-name', $StackName, '--file', $ComposeFile, '--file', $OverlayFile,
        '--env-file', $envFilePath, 'config', '--format', 'json')
    $model = ConvertTo-StackModel -Model ($json -join "`n" | ConvertFrom-Json -AsHashtable -Depth 64)
    # JSON is YAML: `docker stack deploy` reads it as a compose file.
    $stackJson = $model | ConvertTo-Json -Depth 64

    if ($OutFile) {
        Set-Content -LiteralPath $OutFile -Value $stackJson -Encoding utf8NoBOM -WhatIf:$false
        Write-Verbose "Wrote the stack file to $OutFile"
    }

    $services = ($model.services.Keys | Sort-Object) -join ', '
    if ($PSCmdlet.ShouldProcess("stack $StackName ($services)", 'docker stack deploy')) {
        # New-TemporaryFile creates the file readable by its owner only (0600): it holds the env file's secrets.
        $stackFile = New-TemporaryFile
        try {
            Set-Content -LiteralPath $stackFile.FullName -Value $stackJson -Encoding utf8NoBOM
            # --resolve-image always: each service is pinned to the digest its tag has now, so every node runs the
            # same image, and a tag pushed again is picked up by the next deploy.
            Invoke-Docker -Description 'docker stack deploy' -Arguments @('stack', 'deploy',
                '--compose-file', $stackFile.FullName, '--resolve-image', 'always', '--detach=true', $StackName) |
                Write-Verbose
        }
        finally {
            Remove-Item -LiteralPath $stackFile.FullName -Force
        }

        $result = if ($Wait) { Wait-StackConverged } else { @(Get-StackService) }
        [pscustomobject]@{
            StackName = $StackName
            Services = $result
            Configs = @($model.configs.Values | ForEach-Object { $_.name })
            ElapsedSeconds = [math]::Round($started.Elapsed.TotalSeconds, 1)
        }
    }
}
catch {
    Write-Error -Message "deploy-stack: $($_.Exception.Message)" -ErrorAction Continue
    exit 1
}
