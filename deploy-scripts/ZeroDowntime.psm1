#Requires -Version 7.4
<#
    ZeroDowntime.psm1 - the steps of a blue/green switch, shared by swap.ps1, rollback.ps1 and status.ps1.

    Imported by the three scripts beside it and by the Pester tests (*.Tests.ps1). Swap and rollback run the very
    same step functions through Invoke-SlotDeployment; only step 3 differs (swap retags and migrates, rollback
    starts the slot with the image it already has).

    Seams: every call of docker goes through Invoke-Docker (one place that checks exit codes). The step functions
    (Invoke-DeployPreflight, Start-Slot, Wait-SlotReady, ...) are what the unit tests mock; the Docker test in
    tests/Deploy.Tests runs the real thing.

    Why not $PSNativeCommandUseErrorActionPreference: many docker calls are expected to fail (a probe of a slot that
    is not ready yet), and the error text has to reach the operator; one helper returning exit code, stdout and
    stderr keeps that in one place.
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
$script:StepCount = 9

#region Docker

function Invoke-Docker {
    <#
    .SYNOPSIS
        Runs docker with the given arguments and returns its exit code, stdout and stderr.
    .DESCRIPTION
        The one place where docker runs. Throws, naming the command and quoting stderr, when the exit code is not
        0, unless -AllowFailure is given (then the caller inspects ExitCode). Arguments are passed as a list, so no
        quoting rules of any shell apply.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [switch] $AllowFailure,
        [ValidateRange(1, 86400)] [int] $TimeoutSeconds = 600
    )

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('docker')
    foreach ($argument in $ArgumentList) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.UseShellExecute = $false
    $commandLine = 'docker ' + ($ArgumentList -join ' ')
    Write-Verbose "> $commandLine"

    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        # docker must not wait for input that never comes (compose exec without -T would).
        $process.StandardInput.Close()
        # Both streams are read at once: reading one to the end first can deadlock when the other fills its pipe.
        $stdoutTask = $process.StandardOutput.ReadToEndAsync()
        $stderrTask = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "Timed out after $TimeoutSeconds s: $commandLine"
        }
        $process.WaitForExit()
        $result = [pscustomobject]@{
            CommandLine = $commandLine
            ExitCode    = $process.ExitCode
            StdOut      = $stdoutTask.GetAwaiter().GetResult()
            StdErr      = $stderrTask.GetAwaiter().GetResult()
        }
    }
    finally {
        $process.Dispose()
    }

    if ($result.ExitCode -ne 0 -and -not $AllowFailure) {
        $detail = (($result.StdErr, $result.StdOut) | Where-Object { $_ -and $_.Trim() } | Select-Object -First 1)
        throw "'$commandLine' failed with exit code $($result.ExitCode): $("$detail".Trim())"
    }
    $result
}

function Invoke-Compose {
    <#
    .SYNOPSIS
        Runs `docker compose` for the deploy context's project, compose files and env file.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [switch] $AllowFailure,
        [ValidateRange(1, 86400)] [int] $TimeoutSeconds = 600
    )

    $composeArguments = [System.Collections.Generic.List[string]]::new()
    $composeArguments.Add('compose')
    if ($Context.ProjectName) { $composeArguments.AddRange([string[]]@('--project-name', $Context.ProjectName)) }
    foreach ($file in $Context.ComposeFile) { $composeArguments.AddRange([string[]]@('--file', $file)) }
    if ($Context.EnvFile) { $composeArguments.AddRange([string[]]@('--env-file', $Context.EnvFile)) }
    $composeArguments.AddRange($ArgumentList)
    Invoke-Docker -ArgumentList $composeArguments.ToArray() -AllowFailure:$AllowFailure -TimeoutSeconds $TimeoutSeconds
}

#endregion

#region Pure logic (no containers)

function Get-OtherSlot {
    <#
    .SYNOPSIS
        The slot that is not the given one: blue <-> green.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot)

    if ($Slot -eq 'blue') { 'green' } else { 'blue' }
}

function Get-ActiveSlotMarkerPath {
    <#
    .SYNOPSIS
        The path, inside the nginx container, of the marker file that makes a slot the active one.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot)

    "$script:NginxStateDirectory/$script:ActiveSlotMarkerPrefix$Slot"
}

function ConvertFrom-ActiveSlotMarker {
    <#
    .SYNOPSIS
        Reads the active slot out of a listing of nginx's state directory; throws unless exactly one marker is there.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Listing)

    # Other files (an earlier kit's active-slot.conf) are ignored. No marker, or both, is refused instead of guessed
    # at: nginx answers 503 without one, and would pick green with both (nginx/snippets/active-slot.conf).
    $markers = @($Listing -split "`r?`n" |
        ForEach-Object { $_.Trim() } |
        Where-Object { $_ -match '^active-slot\.(blue|green)$' })
    if ($markers.Count -ne 1) {
        $found = if ($markers) { $markers -join ' and ' } else { 'none' }
        throw "nginx's state directory ($script:NginxStateDirectory) must hold exactly one of active-slot.blue or " +
            "active-slot.green; it holds $found. With both, remove the marker of the slot that should not serve " +
            "(status.ps1 shows which slots are ready). With none (a stack started by the kit's earlier, " +
            "include-based version), recreate nginx once: 'docker compose up -d --force-recreate nginx' writes the " +
            "marker of the slot the old include named."
    }
    $markers[0].Substring($script:ActiveSlotMarkerPrefix.Length)
}

function ConvertFrom-GoDuration {
    <#
    .SYNOPSIS
        Converts a Go duration string as printed by `docker compose config` ("1m30s", "45s", "500ms") to seconds.
    #>
    [CmdletBinding()]
    [OutputType([double])]
    param([Parameter(Mandatory)] [string] $Value)

    $units = @{ h = 3600.0; m = 60.0; s = 1.0; ms = 0.001; us = 0.000001; ns = 0.000000001 }
    $text = $Value.Trim()
    if ($text -eq '0') { return 0.0 }
    $parts = [regex]::Matches($text, '(\d+(?:\.\d+)?)(ms|us|ns|h|m|s)')
    if ($parts.Count -eq 0 -or (($parts | ForEach-Object { $_.Value }) -join '') -ne $text) {
        throw "Not a duration: '$Value' (expected e.g. 45s, 1m30s)."
    }
    $total = 0.0
    foreach ($part in $parts) {
        $total += [double]::Parse($part.Groups[1].Value, [cultureinfo]::InvariantCulture) * $units[$part.Groups[2].Value]
    }
    $total
}

function Get-SlotTimeout {
    <#
    .SYNOPSIS
        Reads a slot's stop grace period, app shutdown timeout and longest request from `docker compose config`.
    .DESCRIPTION
        Defaults are those that apply when a value is not set: Docker's 10 s stop grace, the app's 30 s shutdown
        timeout and 10 s request limit (notes/contract.md).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [object] $ComposeConfig,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    $serviceName = "api-$Slot"
    $service = $ComposeConfig.services.PSObject.Properties[$serviceName]
    if (-not $service) { throw "The compose project has no service '$serviceName'." }
    $service = $service.Value

    $grace = 10.0
    $graceProperty = $service.PSObject.Properties['stop_grace_period']
    if ($graceProperty -and $graceProperty.Value) { $grace = ConvertFrom-GoDuration -Value ([string]$graceProperty.Value) }

    $environment = $null
    $environmentProperty = $service.PSObject.Properties['environment']
    if ($environmentProperty) { $environment = $environmentProperty.Value }
    $readSeconds = {
        param([string] $Name, [double] $Default)
        if ($null -eq $environment) { return $Default }
        $entry = $environment.PSObject.Properties[$Name]
        if (-not $entry -or [string]::IsNullOrWhiteSpace([string]$entry.Value)) { return $Default }
        $parsed = 0.0
        if (-not [double]::TryParse([string]$entry.Value, [System.Globalization.NumberStyles]::Float,
                [cultureinfo]::InvariantCulture, [ref]$parsed)) {
            throw "$serviceName sets $Name to '$($entry.Value)': expected a number of seconds."
        }
        $parsed
    }

    [pscustomobject]@{
        Service                = $serviceName
        StopGraceSeconds       = $grace
        ShutdownTimeoutSeconds = & $readSeconds 'SHUTDOWN_TIMEOUT_SECONDS' 30
        MaxRequestSeconds      = & $readSeconds 'MAX_REQUEST_SECONDS' 10
    }
}

function Assert-TimeoutOrder {
    <#
    .SYNOPSIS
        Throws unless stop grace > app shutdown timeout > longest allowed request (ZERO-DOWNTIME.md item 12).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [pscustomobject] $Timeout)

    $t = $Timeout
    if (-not ($t.StopGraceSeconds -gt $t.ShutdownTimeoutSeconds -and $t.ShutdownTimeoutSeconds -gt $t.MaxRequestSeconds)) {
        throw "$($t.Service): unsafe timeouts. Required: stop_grace_period ($($t.StopGraceSeconds) s) > " +
            "SHUTDOWN_TIMEOUT_SECONDS ($($t.ShutdownTimeoutSeconds) s) > MAX_REQUEST_SECONDS " +
            "($($t.MaxRequestSeconds) s); otherwise Docker kills the app mid-drain or the app aborts requests. " +
            'Fix them in the compose file or the env file.'
    }
}

function ConvertFrom-ComposeJsonLine {
    <#
    .SYNOPSIS
        Parses `docker compose ... --format json` output, which is a JSON array in some compose versions and one
        object per line in others.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([AllowEmptyString()] [string] $Text)

    $trimmed = "$Text".Trim()
    if (-not $trimmed) { return }
    if ($trimmed.StartsWith('[')) { return ($trimmed | ConvertFrom-Json) }
    $trimmed -split "`r?`n" | Where-Object { $_.Trim() } | ForEach-Object { $_ | ConvertFrom-Json }
}

#endregion

#region Context, lock and records

function New-DeployContext {
    <#
    .SYNOPSIS
        Collects what every step needs: compose project, files, env file, state directory and timeouts.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Builds an object in memory; changes nothing.')]
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [string] $ProjectName,
        [string[]] $ComposeFile,
        [string] $EnvFile,
        [string] $StateDirectory,
        [string] $PublicHostName = 'localhost',
        [int] $ReadyTimeoutSeconds = 120,
        [int] $DrainTimeoutSeconds = 90
    )

    $repositoryRoot = Split-Path -Parent $PSScriptRoot
    if (-not $ComposeFile) { $ComposeFile = @(Join-Path $repositoryRoot 'docker-compose.yaml') }
    $ComposeFile = @($ComposeFile | ForEach-Object { [System.IO.Path]::GetFullPath($_) })
    if ($EnvFile) { $EnvFile = [System.IO.Path]::GetFullPath($EnvFile) }

    $context = [pscustomobject]@{
        PSTypeName          = 'ZeroDowntime.DeployContext'
        ProjectName         = $ProjectName
        ComposeFile         = $ComposeFile
        EnvFile             = $EnvFile
        StateDirectory      = $null
        RepositoryRoot      = $repositoryRoot
        PublicHostName      = $PublicHostName
        ReadyTimeoutSeconds = $ReadyTimeoutSeconds
        DrainTimeoutSeconds = $DrainTimeoutSeconds
    }
    if (-not $StateDirectory) {
        # The project name decides the default state directory; without -ProjectName compose derives it (from
        # COMPOSE_PROJECT_NAME or the directory), and `config` tells which one it chose.
        $name = $ProjectName
        if (-not $name) { $name = (Get-ComposeConfig -Context $context).name }
        $StateDirectory = Join-Path -Path $repositoryRoot -ChildPath '.deploy' -AdditionalChildPath $name
    }
    $context.StateDirectory = [System.IO.Path]::GetFullPath($StateDirectory)
    $context
}

function Get-DeployLock {
    <#
    .SYNOPSIS
        Returns the current lock holder (pid, host, user, start, command) or $null; flags a holder that is gone.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $StateDirectory)

    $path = Join-Path $StateDirectory 'deploy.lock'
    if (-not (Test-Path -LiteralPath $path)) { return $null }
    $holder = $null
    try { $holder = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json }
    catch { Write-Verbose "Unreadable lock file ${path}: $_" }
    if ($null -eq $holder) {
        # A run killed between create and write leaves an empty file: report it as a stale holder.
        $holder = [pscustomobject]@{ Pid = 0; Host = '?'; User = '?'; StartedAt = $null; Command = '?' }
    }
    $alive = $null
    if ($holder.Pid -eq 0) { $alive = $false }
    elseif ($holder.Host -eq [System.Environment]::MachineName) {
        $alive = $null -ne (Get-Process -Id $holder.Pid -ErrorAction SilentlyContinue)
    }
    $holder | Add-Member -NotePropertyName Path -NotePropertyValue $path -Force
    $holder | Add-Member -NotePropertyName Alive -NotePropertyValue $alive -Force
    $holder
}

function Format-LockHolder {
    <#
    .SYNOPSIS
        One line naming a lock holder, for messages.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Holder)

    $state = switch ($Holder.Alive) { $true { 'running' } $false { 'not running: stale' } default { 'on another host' } }
    $since = $Holder.StartedAt
    if ($since -is [datetime]) { $since = $since.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
    "pid $($Holder.Pid) on $($Holder.Host) ($state), user $($Holder.User), since $since, " +
        "command '$($Holder.Command)'"
}

function Enter-DeployLock {
    <#
    .SYNOPSIS
        Takes the deploy lock (a file created with CreateNew, so that two runs cannot both get it).
    .DESCRIPTION
        A second run is refused with a message naming the holder. A lock left behind by a run that was killed is
        removed only with -BreakLock: the operator decides, because a pid check cannot see a run on another host.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $StateDirectory,
        [Parameter(Mandatory)] [string] $Command,
        [switch] $BreakLock
    )

    $path = Join-Path $StateDirectory 'deploy.lock'
    if (-not $PSCmdlet.ShouldProcess($path, 'Take the deploy lock')) { return $null }
    $null = New-Item -ItemType Directory -Path $StateDirectory -Force

    if ($BreakLock) {
        $holder = Get-DeployLock -StateDirectory $StateDirectory
        if ($holder) {
            Write-Warning "Breaking the deploy lock held by $(Format-LockHolder -Holder $holder)"
            Remove-Item -LiteralPath $path -Force
        }
    }

    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    $content = [ordered]@{
        Pid       = $process.Id
        Host      = [System.Environment]::MachineName
        User      = [System.Environment]::UserName
        StartedAt = [DateTimeOffset]::UtcNow.ToString('o')
        Command   = $Command
    } | ConvertTo-Json
    try {
        $stream = [System.IO.FileStream]::new($path, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write,
            [System.IO.FileShare]::Read)
    }
    catch [System.IO.IOException] {
        $holder = Get-DeployLock -StateDirectory $StateDirectory
        $who = if ($holder) { Format-LockHolder -Holder $holder } else { 'a run that just finished' }
        throw "Another deploy holds the lock ${path}: $who. Wait for it to finish. If that run is dead (killed, " +
            'machine rebooted), rerun with -BreakLock; the rerun repairs the slots.'
    }
    try {
        $bytes = [System.Text.Encoding]::UTF8.GetBytes($content)
        $stream.Write($bytes, 0, $bytes.Length)
    }
    finally {
        $stream.Dispose()
    }
    $path
}

function Exit-DeployLock {
    <#
    .SYNOPSIS
        Releases the deploy lock if this process holds it.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory)] [string] $StateDirectory)

    $holder = Get-DeployLock -StateDirectory $StateDirectory
    if ($holder -and $holder.Pid -eq $PID -and $holder.Host -eq [System.Environment]::MachineName -and
        $PSCmdlet.ShouldProcess($holder.Path, 'Release the deploy lock')) {
        Remove-Item -LiteralPath $holder.Path -Force
    }
}

function Write-DeployRecord {
    <#
    .SYNOPSIS
        Writes the deploy report as JSON into <StateDirectory>/deploys and returns the file's path.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $StateDirectory,
        [Parameter(Mandatory)] [pscustomobject] $Report
    )

    $directory = Join-Path $StateDirectory 'deploys'
    $name = '{0}-{1}-{2}-to-{3}.json' -f $Report.StartedAt.UtcDateTime.ToString('yyyyMMddTHHmmssfffZ'),
        $Report.Mode.ToLowerInvariant(), $Report.FromSlot, $Report.ToSlot
    $path = Join-Path $directory $name
    if (-not $PSCmdlet.ShouldProcess($path, 'Write the deploy record')) { return $null }
    $null = New-Item -ItemType Directory -Path $directory -Force
    # Written to a temporary name and moved, so that status.ps1 never reads half a record.
    $temporary = "$path.tmp"
    $Report | Select-Object -Property * -ExcludeProperty RecordPath | ConvertTo-Json -Depth 6 |
        Set-Content -LiteralPath $temporary -Encoding utf8NoBOM
    Move-Item -LiteralPath $temporary -Destination $path -Force
    $path
}

function Get-DeployRecord {
    <#
    .SYNOPSIS
        The last deploy records, newest first.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [string] $StateDirectory,
        [ValidateRange(1, 1000)] [int] $Last = 5
    )

    $directory = Join-Path $StateDirectory 'deploys'
    if (-not (Test-Path -LiteralPath $directory)) { return }
    # File names start with a sortable UTC timestamp.
    Get-ChildItem -LiteralPath $directory -Filter '*.json' |
        Sort-Object -Property Name -Descending |
        Select-Object -First $Last |
        ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json }
}

#endregion

#region Reading the stack

function Get-ComposeConfig {
    <#
    .SYNOPSIS
        The resolved compose model (`docker compose config --format json`).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    (Invoke-Compose -Context $Context -ArgumentList 'config', '--format', 'json').StdOut | ConvertFrom-Json
}

function Get-ApiImageRepository {
    <#
    .SYNOPSIS
        The API image repository (API_IMAGE), read from the slot services' image "<repository>:<slot>".
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [object] $ComposeConfig)

    $image = [string]$ComposeConfig.services.'api-blue'.image
    if ($image -notmatch '^(?<repository>.+):blue$') {
        throw "Service api-blue uses image '$image'; the contract says '<API_IMAGE>:blue'."
    }
    $Matches['repository']
}

function Get-SlotContainer {
    <#
    .SYNOPSIS
        The container of a compose service (state, status, exit code) or $null when it does not exist.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Service
    )

    $result = Invoke-Compose -Context $Context -ArgumentList 'ps', '--all', '--format', 'json', $Service
    $containers = @(ConvertFrom-ComposeJsonLine -Text $result.StdOut)
    $container = $containers | Where-Object { $_.Service -eq $Service } | Select-Object -First 1
    if (-not $container) { return $null }
    # Fields differ between compose versions; a missing one reads as empty rather than failing under StrictMode.
    $field = { param([string] $Name) $p = $container.PSObject.Properties[$Name]; if ($p) { $p.Value } else { $null } }
    [pscustomobject]@{
        Service  = $Service
        Name     = [string](& $field 'Name')
        State    = [string](& $field 'State')
        Status   = [string](& $field 'Status')
        Health   = [string](& $field 'Health')
        ExitCode = [int](& $field 'ExitCode')
        Image    = [string](& $field 'Image')
    }
}

function Get-ActiveSlot {
    <#
    .SYNOPSIS
        Reads which slot nginx routes to: the one marker file in nginx's state directory.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $listing = (Invoke-Compose -Context $Context -ArgumentList 'exec', '-T', 'nginx', 'ls', '-1',
        $script:NginxStateDirectory).StdOut
    [pscustomobject]@{ Slot = ConvertFrom-ActiveSlotMarker -Listing $listing }
}

function Test-NginxConfig {
    <#
    .SYNOPSIS
        Runs `nginx -t` in the nginx container; throws with nginx's own message when the config is bad.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $result = Invoke-Compose -Context $Context -ArgumentList 'exec', '-T', 'nginx', 'nginx', '-t' -AllowFailure
    if ($result.ExitCode -ne 0) {
        throw "nginx -t failed: $(("$($result.StdErr)`n$($result.StdOut)").Trim())"
    }
}

function Invoke-SlotProbe {
    <#
    .SYNOPSIS
        GETs a path from inside a slot's container (`dotnet Api.dll probe <path>`); never throws.
    .DESCRIPTION
        By default the slot asks itself. With -ThroughNginx it asks nginx's preview server for the same slot
        (`probe /<slot><path> --host nginx --port 8081`): what nginx reaches under that slot's name right now.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [string] $Path,
        [switch] $ThroughNginx
    )

    $target = if ($ThroughNginx) { "/$Slot$Path", '--host', 'nginx', '--port', "$script:NginxPreviewPort" }
    else { $Path }
    $result = Invoke-Compose -Context $Context -AllowFailure -TimeoutSeconds 30 -ArgumentList (@('exec', '-T',
        "api-$Slot", 'dotnet', 'Api.dll', 'probe') + $target)
    $body = $result.StdOut.Trim()
    $json = $null
    if ($body.StartsWith('{')) {
        try { $json = $body | ConvertFrom-Json } catch { Write-Verbose "Probe body is not JSON: $body" }
    }
    [pscustomobject]@{
        Success = $result.ExitCode -eq 0
        Body    = $body
        Json    = $json
        Error   = $result.StdErr.Trim()
    }
}

function Get-SlotLogTail {
    <#
    .SYNOPSIS
        The last lines of a slot's log, for error messages; never throws.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [ValidateRange(1, 1000)] [int] $Lines = 20
    )

    # --ansi never: no terminal control sequences in a message that may end up in a log file or a test report.
    $result = Invoke-Compose -Context $Context -AllowFailure -ArgumentList '--ansi', 'never', 'logs', '--no-color',
        '--no-log-prefix', '--tail', "$Lines", "api-$Slot"
    # compose still writes erase-line sequences (ESC[2K) before each line; strip any ANSI control sequence.
    ("$($result.StdOut)$($result.StdErr)" -replace '\x1b\[[0-9;?]*[A-Za-z]', '').TrimEnd()
}

function Get-PublicEndpoint {
    <#
    .SYNOPSIS
        The host URL of nginx's HTTPS port (`docker compose port nginx 443`), on 127.0.0.1.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $binding = (Invoke-Compose -Context $Context -ArgumentList 'port', 'nginx', '443').StdOut.Trim()
    if ($binding -notmatch ':(?<port>\d+)$') { throw "docker compose port nginx 443 printed '$binding'." }
    # A wildcard or loopback binding is reached on 127.0.0.1; the stack binds 127.0.0.1 by default.
    "https://127.0.0.1:$($Matches['port'])"
}

function Get-PublicSlot {
    <#
    .SYNOPSIS
        One GET /profile through nginx from the host: status code and the X-Slot header; never throws.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [string] $BaseUrl,
        [Parameter(Mandatory)] [string] $HostName
    )

    try {
        # A new connection each time (no -WebSession): the verify step must see what new connections get.
        $response = Invoke-WebRequest -Uri "$BaseUrl/profile" -Headers @{ Host = $HostName } -SkipCertificateCheck `
            -SkipHttpErrorCheck -TimeoutSec 10 -MaximumRedirection 0
        $slot = $response.Headers['X-Slot'] | Select-Object -First 1
        [pscustomobject]@{ StatusCode = [int]$response.StatusCode; Slot = [string]$slot; Error = $null }
    }
    catch {
        [pscustomobject]@{ StatusCode = 0; Slot = ''; Error = $_.Exception.Message }
    }
}

#endregion

#region Steps

function Invoke-DeployPreflight {
    <#
    .SYNOPSIS
        Step 1: checks that nothing stands in the way, before anything changes; returns the plan's facts.
    .DESCRIPTION
        Docker answers, nginx and db run, `nginx -t` passes (a swap changes no nginx configuration, but a broken one
        on disk would fail nginx's next start: the operator hears of it now), the active slot is known from its
        marker, the timeouts are ordered, and the image to deploy exists. An active slot that does not answer is a
        warning, not a refusal: a swap is then the way to restore service.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback')] [string] $Mode,
        [string] $Version,
        [switch] $Build
    )

    $engine = Invoke-Docker -ArgumentList 'version', '--format', '{{.Server.Version}}' -AllowFailure -TimeoutSeconds 30
    if ($engine.ExitCode -ne 0) { throw "Docker does not answer: $($engine.StdErr.Trim())" }

    $config = Get-ComposeConfig -Context $Context
    foreach ($service in 'nginx', 'db') {
        $container = Get-SlotContainer -Context $Context -Service $service
        if (-not $container -or $container.State -ne 'running') {
            $state = if ($container) { $container.State } else { 'missing' }
            throw "The stack is not up: service '$service' is $state. Start it with 'docker compose up -d'."
        }
    }
    Test-NginxConfig -Context $Context
    $active = Get-ActiveSlot -Context $Context
    $target = Get-OtherSlot -Slot $active.Slot

    foreach ($slot in $script:Slots) { Assert-TimeoutOrder -Timeout (Get-SlotTimeout -ComposeConfig $config -Slot $slot) }

    $repository = Get-ApiImageRepository -ComposeConfig $config
    $warnings = [System.Collections.Generic.List[string]]::new()
    $activeStatus = Invoke-SlotProbe -Context $Context -Slot $active.Slot -Path '/admin/status'
    $activeVersion = $null
    if ($activeStatus.Success -and $activeStatus.Json) {
        $activeVersion = [string]$activeStatus.Json.version
    }
    else {
        $warnings.Add("The active slot $($active.Slot) does not answer ($($activeStatus.Error)" +
            "$($activeStatus.Body)); the switch goes ahead because it restores service.")
    }

    if ($Mode -eq 'Swap' -and -not $Build) {
        $image = "${repository}:$Version"
        $inspect = Invoke-Docker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', $image -AllowFailure
        if ($inspect.ExitCode -ne 0) {
            throw "Image $image does not exist. Build it, or pass -Build to build the working tree."
        }
    }
    if ($Mode -eq 'Rollback') {
        $inspect = Invoke-Docker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', "${repository}:$target" `
            -AllowFailure
        if ($inspect.ExitCode -ne 0) {
            throw "Nothing to roll back to: image ${repository}:$target does not exist (slot $target never deployed)."
        }
    }

    [pscustomobject]@{
        ActiveSlot     = $active.Slot
        TargetSlot     = $target
        ActiveVersion  = $activeVersion
        ImageRepository = $repository
        Warnings       = $warnings.ToArray()
    }
}

function New-ApiImage {
    <#
    .SYNOPSIS
        Builds the working tree's api/Dockerfile as <repository>:<version> with APP_VERSION baked in.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [string] $Version
    )

    $image = "${Repository}:$Version"
    if (-not $PSCmdlet.ShouldProcess($image, 'Build api/Dockerfile from the working tree')) { return }
    $arguments = [System.Collections.Generic.List[string]]::new()
    $arguments.AddRange([string[]]@('build', '--file', (Join-Path -Path $Context.RepositoryRoot -ChildPath 'api' -AdditionalChildPath 'Dockerfile'),
        '--tag', $image, '--build-arg', "APP_VERSION=$Version"))
    # The base images are overridable (offline CI uses stand-ins); pass them on when the environment names them.
    # Same variables as the compose stack (DOTNET_SDK_IMAGE, ASPNET_IMAGE), mapped to the Dockerfile's arguments.
    foreach ($pair in @(@('DOTNET_SDK_IMAGE', 'SDK_IMAGE'), @('ASPNET_IMAGE', 'RUNTIME_IMAGE'))) {
        $value = [System.Environment]::GetEnvironmentVariable($pair[0])
        if ($value) { $arguments.AddRange([string[]]@('--build-arg', "$($pair[1])=$value")) }
    }
    $arguments.Add($Context.RepositoryRoot)
    $null = Invoke-Docker -ArgumentList $arguments.ToArray() -TimeoutSeconds 1800
}

function Publish-SlotImage {
    <#
    .SYNOPSIS
        Points the slot's mutable tag (<repository>:<slot>) at the requested version's image.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [string] $Version,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    if (-not $PSCmdlet.ShouldProcess("${Repository}:$Slot", "Tag image ${Repository}:$Version")) { return $null }
    # The image the tag pointed at before, so that an undo can point it back: the idle slot is the rollback target.
    $previous = Invoke-Docker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', "${Repository}:$Slot" -AllowFailure
    $null = Invoke-Docker -ArgumentList 'tag', "${Repository}:$Version", "${Repository}:$Slot"
    if ($previous.ExitCode -eq 0) { $previous.StdOut.Trim() } else { $null }
}

function Restore-SlotImage {
    <#
    .SYNOPSIS
        Points the slot's tag back at the image it had before a failed swap (an image id from Publish-SlotImage).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [string] $ImageId
    )

    if ($PSCmdlet.ShouldProcess("${Repository}:$Slot", "Tag image $ImageId again")) {
        $null = Invoke-Docker -ArgumentList 'tag', $ImageId, "${Repository}:$Slot"
    }
}

function Test-SlotImageCurrent {
    <#
    .SYNOPSIS
        True when the slot's container runs the image its tag names now (false: recreate it to follow the tag).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    $id = (Invoke-Compose -Context $Context -ArgumentList 'ps', '--all', '--quiet', "api-$Slot").StdOut.Trim()
    if (-not $id) { return $false }
    $containerImage = (Invoke-Docker -ArgumentList 'inspect', '--format', '{{.Image}}', $id).StdOut.Trim()
    $tagImage = (Invoke-Docker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', "${Repository}:$Slot").StdOut.Trim()
    $containerImage -eq $tagImage
}

function Get-RollbackVersion {
    <#
    .SYNOPSIS
        The version the previous slot ran when traffic last left it (from the deploy records), or $null if unknown.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $StateDirectory,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $ActiveSlot
    )

    $last = Get-DeployRecord -StateDirectory $StateDirectory -Last 50 |
        Where-Object { $_.Result -eq 'Succeeded' -and $_.ToSlot -eq $ActiveSlot } |
        Select-Object -First 1
    if ($last -and $last.FromVersion) { [string]$last.FromVersion } else { $null }
}

function Invoke-SlotMigration {
    <#
    .SYNOPSIS
        Runs the database migrations with the slot's (new) image, before the slot serves.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    if ($PSCmdlet.ShouldProcess("api-$Slot", 'Run migrations (docker compose run --rm --no-deps ... migrate)')) {
        $null = Invoke-Compose -Context $Context -ArgumentList 'run', '--rm', '--no-deps', '-T', "api-$Slot", 'migrate'
    }
}

function Start-Slot {
    <#
    .SYNOPSIS
        Starts a slot's container: recreated from the compose file (swap), or as it is (rollback).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [switch] $Recreate
    )

    # --no-build: the slot's tag was set by Publish-SlotImage (or kept, for a rollback); compose must never build
    # the working tree in its place.
    $arguments = @('up', '--detach', '--no-deps', '--no-build')
    if ($Recreate) { $arguments += '--force-recreate' }
    $action = if ($Recreate) { 'Recreate and start' } else { 'Start' }
    if ($PSCmdlet.ShouldProcess("api-$Slot", "$action (docker compose $($arguments -join ' ') api-$Slot)")) {
        $null = Invoke-Compose -Context $Context -ArgumentList ($arguments + "api-$Slot")
    }
}

function Wait-SlotReady {
    <#
    .SYNOPSIS
        Step 4a: polls the slot's /health/ready until it answers 200, failing fast when the container dies.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [ValidateRange(1, 3600)] [int] $TimeoutSeconds,
        [ValidateRange(0.05, 60)] [double] $IntervalSeconds = 1
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Wait up to $TimeoutSeconds s for /health/ready")) { return }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    $last = $null
    $restartBaseline = $null
    while ($true) {
        $container = Get-SlotContainer -Context $Context -Service "api-$Slot"
        $crashed = $null
        if (-not $container -or $container.State -in 'exited', 'dead', 'restarting', 'removing') {
            $crashed = if ($container) { "$($container.State) (exit code $($container.ExitCode))" } else { 'missing' }
        }
        else {
            # With `restart: unless-stopped` a crashing app is restarted at once and mostly looks "running": a
            # growing restart count is what gives it away.
            $restarts = Get-ContainerRestartCount -Name $container.Name
            if ($null -eq $restartBaseline) { $restartBaseline = $restarts }
            elseif ($restarts -gt $restartBaseline) { $crashed = "restarting: it exited and was restarted $restarts time(s)" }
        }
        if ($crashed) {
            throw "api-$Slot is $crashed instead of starting. Its last log lines:`n" +
                (Get-SlotLogTail -Context $Context -Slot $Slot)
        }
        $last = Invoke-SlotProbe -Context $Context -Slot $Slot -Path '/health/ready'
        if ($last.Success) { return }
        Write-Verbose "api-$Slot not ready yet: $($last.Body) $($last.Error)"
        if ([DateTimeOffset]::UtcNow -ge $deadline) {
            throw "api-$Slot did not become ready within $TimeoutSeconds s. Last /health/ready output: " +
                "$($last.Body) $($last.Error)".TrimEnd()
        }
        Start-Sleep -Seconds $IntervalSeconds
    }
}

function Get-ContainerRestartCount {
    <#
    .SYNOPSIS
        How many times Docker's restart policy has restarted a container.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param([Parameter(Mandatory)] [string] $Name)

    [int](Invoke-Docker -ArgumentList 'inspect', '--format', '{{.RestartCount}}', $Name).StdOut.Trim()
}

function Get-ProfileMismatch {
    <#
    .SYNOPSIS
        What is wrong with a /profile probe for a slot and version (a sentence), or $null when it is right.
    .DESCRIPTION
        Shared by the smoke test on the slot (Test-SlotProfile) and the same check through nginx
        (Wait-SlotThroughNginx), so that both judge a slot by the same rules and say it in the same words.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Probe,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [string] $ExpectedVersion
    )

    if (-not $Probe.Success -or -not $Probe.Json) {
        return "GET /profile failed: $($Probe.Body) $($Probe.Error)".TrimEnd()
    }
    if ($Probe.Json.slot -ne $Slot) { return "/profile reports slot '$($Probe.Json.slot)' (expected $Slot)" }
    if ($ExpectedVersion -and $Probe.Json.version -ne $ExpectedVersion) {
        return "/profile reports version '$($Probe.Json.version)' (expected $ExpectedVersion)"
    }
    $null
}

function Test-SlotProfile {
    <#
    .SYNOPSIS
        Step 4b: smoke test. GET /profile on the slot directly must report the slot and the expected version.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [string] $ExpectedVersion
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Smoke-test /profile (slot $Slot, version $ExpectedVersion)")) {
        return $ExpectedVersion
    }
    $probe = Invoke-SlotProbe -Context $Context -Slot $Slot -Path '/profile'
    $problem = Get-ProfileMismatch -Probe $probe -Slot $Slot -ExpectedVersion $ExpectedVersion
    if ($problem) { throw "Smoke test of api-${Slot}: $problem." }
    [string]$probe.Json.version
}

function Wait-SlotThroughNginx {
    <#
    .SYNOPSIS
        Step 4c: the slot as nginx reaches it, before any traffic goes there: /profile through nginx's preview server
        must report the slot and the expected version.
    .DESCRIPTION
        nginx resolves each slot's name at run time (upstreams/*.conf, `resolve`, valid=1s). A recreated container has
        a new address, and until nginx has looked it up again, requests for that slot would go to the old address or
        nowhere. Polled, because nginx learns the address on its own schedule; bounded by -TimeoutSeconds.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [string] $ExpectedVersion,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 30,
        [ValidateRange(0.05, 60)] [double] $IntervalSeconds = 0.5
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Check /profile through nginx's preview server (slot $Slot)")) {
        return
    }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    while ($true) {
        $probe = Invoke-SlotProbe -Context $Context -Slot $Slot -Path '/profile' -ThroughNginx
        $problem = Get-ProfileMismatch -Probe $probe -Slot $Slot -ExpectedVersion $ExpectedVersion
        if (-not $problem) { return }
        Write-Verbose "api-$Slot through nginx: $problem"
        if ([DateTimeOffset]::UtcNow -ge $deadline) {
            throw "Through nginx (preview port $script:NginxPreviewPort, /$Slot/profile) api-$Slot is not reached " +
                "after $TimeoutSeconds s: $problem. Look at 'docker compose logs nginx' (resolver, upstream errors)."
        }
        Start-Sleep -Seconds $IntervalSeconds
    }
}

function Set-ActiveSlot {
    <#
    .SYNOPSIS
        Step 5: routes nginx's traffic to a slot by renaming the active-slot marker (atomic; nginx is not reloaded).
    .DESCRIPTION
        nginx checks the marker on every request (nginx/snippets/active-slot.conf), so the rename is the switch: each
        request from then on goes to the new slot, and no connection of any client is closed. Idempotent: when the
        marker already names the slot, nothing happens (the undo of an interrupted switch may run twice).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $From
    )

    $to = Get-ActiveSlotMarkerPath -Slot $Slot
    $previous = Get-ActiveSlotMarkerPath -Slot $From
    if (-not $PSCmdlet.ShouldProcess('nginx', "Route traffic to api-$Slot (rename $previous to $to; no reload)")) {
        return
    }
    # The paths travel as arguments, not through a shell's quoting. rename(2) within one directory is atomic.
    $script = 'if [ -e "$1" ] && [ ! -e "$0" ]; then exit 0; fi; mv "$0" "$1"'
    $null = Invoke-Compose -Context $Context -ArgumentList 'exec', '-T', 'nginx', 'sh', '-c', $script, $previous, $to
}

function Wait-PublicSlot {
    <#
    .SYNOPSIS
        Step 6: through nginx from the host, several consecutive requests must be answered by the slot.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [ValidateRange(1, 100)] [int] $ConsecutiveCount = 5,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 20
    )

    if (-not $PSCmdlet.ShouldProcess('nginx', "Verify $ConsecutiveCount consecutive responses with X-Slot: $Slot")) {
        return
    }
    $baseUrl = Get-PublicEndpoint -Context $Context
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    $streak = 0
    $last = $null
    # New connections, each through the marker check; a streak, so that one lucky answer is not taken for the switch.
    while ($streak -lt $ConsecutiveCount) {
        $last = Get-PublicSlot -BaseUrl $baseUrl -HostName $Context.PublicHostName
        if ($last.StatusCode -eq 200 -and $last.Slot -eq $Slot) { $streak++; continue }
        $streak = 0
        if ([DateTimeOffset]::UtcNow -ge $deadline) {
            throw "Through nginx ($baseUrl/profile, Host $($Context.PublicHostName)) the answer is status " +
                "$($last.StatusCode), X-Slot '$($last.Slot)' $($last.Error) after $TimeoutSeconds s; expected $Slot."
        }
        Start-Sleep -Milliseconds 200
    }
}

function Wait-SlotDrain {
    <#
    .SYNOPSIS
        Step 7: waits until the slot is idle: nothing in flight, and no request started during a quiet window.
    .DESCRIPTION
        Observed, not slept. 0 in flight at one instant is not enough: nginx may have picked the slot for a request
        an instant before the switch and not yet have sent it. So the slot's own count of started requests
        (/admin/status requestsStarted) must stay unchanged, with 0 in flight, for -QuietSeconds. A slot of a version
        that has no such count is judged by 0 in flight over the same window. Returns $true when drained, $false when
        the timeout passed first (the caller decides; the stop's grace period still lets the app finish its
        requests). A slot whose container is not running has nothing in flight.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [ValidateRange(1, 3600)] [int] $TimeoutSeconds,
        [ValidateRange(0.05, 60)] [double] $IntervalSeconds = 0.25,
        [ValidateRange(0, 60)] [double] $QuietSeconds = 1
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot",
            "Wait up to $TimeoutSeconds s until inFlight is 0 and no request started for $QuietSeconds s")) {
        return $true
    }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    $quietSince = $null
    $quietStarted = $null
    while ($true) {
        # One docker call per poll while the slot answers; its container is looked at only when it does not.
        $status = Invoke-SlotProbe -Context $Context -Slot $Slot -Path '/admin/status'
        if (-not $status.Success) {
            $container = Get-SlotContainer -Context $Context -Service "api-$Slot"
            if (-not $container -or $container.State -ne 'running') { return $true }
        }
        # A running slot that cannot say what it has in flight is not known to be drained.
        $inFlight = -1
        $started = $null
        if ($status.Success -and $status.Json) {
            $inFlight = [int]$status.Json.inFlight
            if ($status.Json.PSObject.Properties['requestsStarted']) { $started = [long]$status.Json.requestsStarted }
        }
        $now = [DateTimeOffset]::UtcNow
        if ($inFlight -ne 0) {
            $quietSince = $null
        }
        elseif ($null -eq $quietSince -or $started -ne $quietStarted) {
            $quietSince = $now
            $quietStarted = $started
        }
        elseif (($now - $quietSince).TotalSeconds -ge $QuietSeconds) {
            return $true
        }
        Write-Verbose "Draining api-${Slot}: inFlight $inFlight, requests started $started"
        if ($now -ge $deadline) {
            Write-Warning ("api-$Slot not drained within $TimeoutSeconds s (inFlight $inFlight, " +
                "requests started $started).")
            return $false
        }
        Start-Sleep -Seconds $IntervalSeconds
    }
}

function Stop-Slot {
    <#
    .SYNOPSIS
        Step 8: stops a slot gracefully (SIGTERM, then the compose stop_grace_period). Keeps the container.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    if ($PSCmdlet.ShouldProcess("api-$Slot", 'Stop gracefully (docker compose stop; the container is kept)')) {
        $null = Invoke-Compose -Context $Context -ArgumentList 'stop', "api-$Slot" -TimeoutSeconds 900
    }
}

#endregion

#region Orchestration

function Write-DeployOutcome {
    <#
    .SYNOPSIS
        Says how a swap or rollback ended (a summary, or the failed step with its hint) and returns the exit code.
    .DESCRIPTION
        Shared by swap.ps1 and rollback.ps1, so that both end a run in the same words and with the same code.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory)] [ValidateSet('swap', 'rollback')] [string] $Operation,
        [Parameter(Mandatory)] [pscustomobject] $Report
    )

    $summary = "$Operation $($Report.FromSlot) ($($Report.FromVersion)) -> $($Report.ToSlot) ($($Report.ToVersion)): " +
        "$($Report.Result)"
    if ($Report.ExitCode -eq 0) {
        Write-Information -MessageData $summary -InformationAction Continue
    }
    else {
        Write-Error -Message ("$summary at step $($Report.FailedStep): $($Report.Error)`n$($Report.Hint)") `
            -ErrorAction Continue
    }
    $Report.ExitCode
}

function Show-DeployStep {
    <#
    .SYNOPSIS
        Prints the visible step line ("[3/9] Start idle slot green ... ok (4.2 s)").
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [int] $Number,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Outcome,
        [double] $Seconds
    )

    # Number 0 marks the undo of a failed swap, which is not one of the nine steps.
    $label = if ($Number -eq 0) { 'undo' } else { "$Number/$script:StepCount" }
    $line = '[{0}] {1} ... {2} ({3} s)' -f $label, $Name, $Outcome,
        $Seconds.ToString('0.0', [cultureinfo]::InvariantCulture)
    # Write-Host writes to the information stream: visible on a console, capturable with 6>, never mixed into the
    # report object on the output stream.
    Write-Host $line
}

function Invoke-DeployStep {
    <#
    .SYNOPSIS
        Runs one step: progress, timing, the visible step line, and an entry in the report's step list.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Report,
        [Parameter(Mandatory)] [int] $Number,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [scriptblock] $Action
    )

    Write-Progress -Activity "$($Report.Mode) $($Report.FromSlot) -> $($Report.ToSlot)" -Status "[$Number/$script:StepCount] $Name" `
        -PercentComplete ([int](100 * ($Number - 1) / $script:StepCount))
    Write-Verbose "Step $Number/${script:StepCount}: $Name"
    $step = [pscustomobject]@{
        Number = $Number; Name = $Name; Result = 'running'; StartedAt = [DateTimeOffset]::UtcNow; Seconds = 0.0; Error = $null
    }
    $Report.Steps.Add($step)
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        $output = & $Action
        $step.Result = if ($WhatIfPreference) { 'planned' } else { 'ok' }
        $output
    }
    catch {
        $step.Result = 'failed'
        $step.Error = $_.Exception.Message
        throw
    }
    finally {
        $step.Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 2)
        if ($step.Result -eq 'running') { $step.Result = 'interrupted' }
        Show-DeployStep -Number $Number -Name $Name -Outcome $step.Result -Seconds $step.Seconds
    }
}

function Undo-SlotSwitch {
    <#
    .SYNOPSIS
        After a failure in steps 3-6: routes traffic back to the old slot if the marker was moved, then stops the
        new slot once nothing reaches it any more. The old slot keeps serving throughout.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [pscustomobject] $Plan,
        [Parameter(Mandatory)] [pscustomobject] $State
    )

    # Each part of the undo shows a line like the steps do, so the operator sees what was put back.
    $show = {
        param([string] $Name, [scriptblock] $Action)
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        try {
            & $Action
            Show-DeployStep -Number 0 -Name $Name -Outcome 'ok' -Seconds $watch.Elapsed.TotalSeconds
        }
        catch {
            Show-DeployStep -Number 0 -Name $Name -Outcome 'failed' -Seconds $watch.Elapsed.TotalSeconds
            throw
        }
    }
    $old = $Plan.ActiveSlot
    $new = $Plan.TargetSlot
    if ($State.MarkerMoved) {
        & $show "Switch nginx back to $old" { Set-ActiveSlot -Context $Context -Slot $old -From $new }
        $State.MarkerMoved = $false
        # Requests may have reached the new slot between the switch and now: let them finish before stopping it.
        & $show "Drain $new" {
            $null = Wait-SlotDrain -Context $Context -Slot $new -TimeoutSeconds $Context.DrainTimeoutSeconds
        }
    }
    if ($State.TargetStarted) {
        & $show "Stop $new" { Stop-Slot -Context $Context -Slot $new }
    }
    if ($State.PreviousSlotImage) {
        & $show "Tag ${new}'s previous image again" {
            Restore-SlotImage -Repository $Plan.ImageRepository -Slot $new -ImageId $State.PreviousSlotImage
        }
    }
}

function Invoke-SlotDeployment {
    <#
    .SYNOPSIS
        Moves traffic to the idle slot in nine steps (swap: a new version; rollback: the previous slot as it is).
    .DESCRIPTION
        Returns the deploy report. Result and exit code: Succeeded (0); RolledBack (1, a step 3-6 failed and the
        old slot serves); Refused (2, preflight or lock failed, nothing changed); Failed (3, the switch happened
        but a later step failed, or the undo itself failed: look at status.ps1).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback')] [string] $Mode,
        [string] $Version,
        [switch] $Build,
        [switch] $BreakLock,
        [string] $Command = $Mode
    )

    if ($Mode -eq 'Swap' -and -not $Version -and -not $Build) { throw 'Swap needs -Version or -Build.' }
    $report = [pscustomobject]@{
        PSTypeName  = 'ZeroDowntime.DeployReport'
        Project     = $Context.ProjectName
        Mode        = $Mode
        Result      = 'Running'
        ExitCode    = -1
        FromSlot    = $null
        ToSlot      = $null
        FromVersion = $null
        ToVersion   = $Version
        FailedStep  = $null
        Error       = $null
        Hint        = $null
        Warnings    = [System.Collections.Generic.List[string]]::new()
        Steps       = [System.Collections.Generic.List[object]]::new()
        StartedAt   = [DateTimeOffset]::UtcNow
        FinishedAt  = $null
        WhatIf      = [bool]$WhatIfPreference
        RecordPath  = $null
    }
    $state = [pscustomobject]@{
        Locked = $false; TargetStarted = $false; MarkerMoved = $false; Switched = $false; PreviousSlotImage = $null
    }
    $plan = $null
    $stepNumber = 0
    $finished = $false

    try {
        $refused = $false
        try {
            $stepNumber = 1
            $plan = Invoke-DeployStep -Report $report -Number 1 -Name 'Preflight' -Action {
                Invoke-DeployPreflight -Context $Context -Mode $Mode -Version $Version -Build:$Build
            }
            $report.FromSlot = $plan.ActiveSlot
            $report.ToSlot = $plan.TargetSlot
            $report.FromVersion = $plan.ActiveVersion
            foreach ($warning in $plan.Warnings) { $report.Warnings.Add($warning); Write-Warning $warning }

            $stepNumber = 2
            $null = Invoke-DeployStep -Report $report -Number 2 -Name 'Lock' -Action {
                $null = Enter-DeployLock -StateDirectory $Context.StateDirectory -Command $Command -BreakLock:$BreakLock
                $state.Locked = -not $WhatIfPreference
            }
        }
        catch {
            $refused = $true
            $report.Result = 'Refused'
            $report.ExitCode = 2
            $report.FailedStep = $stepNumber
            $report.Error = $_.Exception.Message
            $report.Hint = 'Nothing was changed.'
        }

        $undone = $false
        if (-not $refused) {
            $target = $plan.TargetSlot
            $old = $plan.ActiveSlot
            try {
                $stepNumber = 3
                $startName = if ($Mode -eq 'Swap') { "Start idle slot $target" } else { "Start previous slot $target" }
                $null = Invoke-DeployStep -Report $report -Number 3 -Name $startName -Action {
                    if ($Mode -eq 'Swap') {
                        if ($Build) {
                            if (-not $Version) { $Version = 'build-' + [DateTimeOffset]::UtcNow.ToString('yyyyMMddTHHmmssZ') }
                            $report.ToVersion = $Version
                            New-ApiImage -Context $Context -Repository $plan.ImageRepository -Version $Version
                        }
                        $state.PreviousSlotImage = Publish-SlotImage -Repository $plan.ImageRepository `
                            -Version $Version -Slot $target
                        Invoke-SlotMigration -Context $Context -Slot $target
                        $recreate = $true
                    }
                    else {
                        # The kept container starts as it is, unless its tag moved since (the undo of a failed swap
                        # puts the tag back): then it is recreated from the tag.
                        $recreate = -not (Test-SlotImageCurrent -Context $Context -Repository $plan.ImageRepository `
                                -Slot $target)
                    }
                    # From here on the target slot may be running: undo must stop it.
                    $state.TargetStarted = $true
                    Start-Slot -Context $Context -Slot $target -Recreate:$recreate
                }

                $stepNumber = 4
                $gateName = "Gate $target (ready, smoke test, via nginx)"
                $null = Invoke-DeployStep -Report $report -Number 4 -Name $gateName -Action {
                    Wait-SlotReady -Context $Context -Slot $target -TimeoutSeconds $Context.ReadyTimeoutSeconds
                    # A rollback goes back to what ran before: the records know which version that was.
                    $expected = if ($Mode -eq 'Swap') { $report.ToVersion }
                    else { Get-RollbackVersion -StateDirectory $Context.StateDirectory -ActiveSlot $old }
                    $report.ToVersion = Test-SlotProfile -Context $Context -Slot $target -ExpectedVersion $expected
                    Wait-SlotThroughNginx -Context $Context -Slot $target -ExpectedVersion $report.ToVersion
                }

                $stepNumber = 5
                $null = Invoke-DeployStep -Report $report -Number 5 -Name "Switch nginx to $target" -Action {
                    # Set before the call: a failure or Ctrl+C inside it may already have renamed the marker.
                    $state.MarkerMoved = -not $WhatIfPreference
                    Set-ActiveSlot -Context $Context -Slot $target -From $old
                }

                $stepNumber = 6
                $null = Invoke-DeployStep -Report $report -Number 6 -Name 'Verify through nginx' -Action {
                    Wait-PublicSlot -Context $Context -Slot $target
                }
                $state.Switched = $true
            }
            catch {
                $undone = $true
                $report.FailedStep = $stepNumber
                $report.Error = $_.Exception.Message
                $report.Hint = "Look at 'docker compose logs api-$target' and its readiness output " +
                    "('docker compose exec api-$target dotnet Api.dll probe /health/ready')."
                Write-Warning "Step $stepNumber failed: $($_.Exception.Message)"
                try {
                    Undo-SlotSwitch -Context $Context -Plan $plan -State $state
                    $report.Result = 'RolledBack'
                    $report.ExitCode = 1
                    $report.Hint = "api-$old still serves; api-$target was stopped. " + $report.Hint
                }
                catch {
                    $report.Result = 'Failed'
                    $report.ExitCode = 3
                    $report.Hint = "Undo failed too ($($_.Exception.Message)). Run status.ps1, then rerun swap.ps1 " +
                        'or rollback.ps1 to repair. ' + $report.Hint
                }
            }
        }

        if (-not $refused -and -not $undone) {
            try {
                $stepNumber = 7
                $drained = Invoke-DeployStep -Report $report -Number 7 -Name "Drain $old" -Action {
                    Wait-SlotDrain -Context $Context -Slot $old -TimeoutSeconds $Context.DrainTimeoutSeconds
                }
                if (-not $drained) {
                    $report.Warnings.Add("api-$old was not drained within $($Context.DrainTimeoutSeconds) s; it was " +
                        'stopped anyway and had its stop_grace_period to finish.')
                }

                $stepNumber = 8
                $null = Invoke-DeployStep -Report $report -Number 8 -Name "Stop $old" -Action {
                    Stop-Slot -Context $Context -Slot $old
                }
                $report.Result = if ($WhatIfPreference) { 'Planned' } else { 'Succeeded' }
                $report.ExitCode = 0
            }
            catch {
                $report.Result = 'Failed'
                $report.ExitCode = 3
                $report.FailedStep = $stepNumber
                $report.Error = $_.Exception.Message
                $report.Hint = "Traffic is on api-$target. api-$old may still run: look at " +
                    "'docker compose logs api-$old', then 'docker compose stop api-$old'."
            }
        }
        $finished = $true
    }
    finally {
        if (-not $finished) {
            # Interrupted (Ctrl+C): leave nginx pointing at a slot that was verified. If the marker was moved
            # but not verified, move it back; the target slot may keep running, a rerun recreates or stops it.
            $report.Result = 'Interrupted'
            $report.ExitCode = 130
            $report.FailedStep = $stepNumber
            if ($state.MarkerMoved -and -not $state.Switched) {
                try { Set-ActiveSlot -Context $Context -Slot $plan.ActiveSlot -From $plan.TargetSlot }
                catch { Write-Warning "Could not move the active-slot marker back: $_. Rerun swap.ps1 or rollback.ps1." }
            }
            if ($state.PreviousSlotImage -and -not $state.Switched) {
                # The idle slot stays the rollback target: its tag names the image it had before this run.
                try {
                    Restore-SlotImage -Repository $plan.ImageRepository -Slot $plan.TargetSlot `
                        -ImageId $state.PreviousSlotImage
                }
                catch { Write-Warning "Could not tag api-$($plan.TargetSlot)'s previous image again: $_" }
            }
        }
        if ($state.Locked) {
            $report.FinishedAt = [DateTimeOffset]::UtcNow
            try {
                $null = Invoke-DeployStep -Report $report -Number 9 -Name 'Record' -Action {
                    $report.RecordPath = Write-DeployRecord -StateDirectory $Context.StateDirectory -Report $report
                }
            }
            catch { $report.Warnings.Add("The deploy record was not written: $($_.Exception.Message)") }
            finally { Exit-DeployLock -StateDirectory $Context.StateDirectory }
        }
        elseif ($WhatIfPreference -and $report.Result -ne 'Refused') {
            $null = Invoke-DeployStep -Report $report -Number 9 -Name 'Record' -Action {
                $null = Write-DeployRecord -StateDirectory $Context.StateDirectory -Report $report
            }
        }
        $report.FinishedAt = [DateTimeOffset]::UtcNow
        Write-Progress -Activity "$Mode" -Completed
    }
    $report
}

function Get-DeployStatus {
    <#
    .SYNOPSIS
        What is live: the active slot per nginx, each slot's container, readiness and version, the lock, the last
        deploys. Read-only; each part that cannot be read is reported as unknown rather than failing the whole.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [ValidateRange(1, 100)] [int] $Last = 5
    )

    $problems = [System.Collections.Generic.List[string]]::new()
    $activeSlot = $null
    try { $activeSlot = (Get-ActiveSlot -Context $Context).Slot }
    catch { $problems.Add("Active slot unknown: $($_.Exception.Message)") }

    $slots = foreach ($slot in $script:Slots) {
        $container = $null
        try { $container = Get-SlotContainer -Context $Context -Service "api-$slot" }
        catch { $problems.Add("api-${slot}: $($_.Exception.Message)") }
        $ready = $false
        $version = $null
        $inFlight = $null
        if ($container -and $container.State -eq 'running') {
            $ready = (Invoke-SlotProbe -Context $Context -Slot $slot -Path '/health/ready').Success
            $status = Invoke-SlotProbe -Context $Context -Slot $slot -Path '/admin/status'
            if ($status.Json) { $version = [string]$status.Json.version; $inFlight = [int]$status.Json.inFlight }
        }
        [pscustomobject]@{
            Slot     = $slot
            Active   = $slot -eq $activeSlot
            State    = if ($container) { $container.State } else { 'missing' }
            Ready    = $ready
            Version  = $version
            InFlight = $inFlight
            Status   = if ($container) { $container.Status } else { '' }
        }
    }

    [pscustomobject]@{
        PSTypeName  = 'ZeroDowntime.DeployStatus'
        Project     = $Context.ProjectName
        ActiveSlot  = $activeSlot
        Slots       = @($slots)
        Lock        = Get-DeployLock -StateDirectory $Context.StateDirectory
        LastDeploys = @(Get-DeployRecord -StateDirectory $Context.StateDirectory -Last $Last |
            Select-Object -Property StartedAt, Mode, FromSlot, ToSlot, FromVersion, ToVersion, Result, FailedStep, Error)
        Problems    = $problems.ToArray()
    }
}

#endregion

# The report and status print as a short summary; every property is still there (Format-List *, ConvertTo-Json).
Update-TypeData -TypeName 'ZeroDowntime.DeployReport' -DefaultDisplayPropertySet @(
    'Mode', 'Result', 'ExitCode', 'FromSlot', 'FromVersion', 'ToSlot', 'ToVersion', 'FailedStep', 'Error', 'RecordPath'
) -Force -WhatIf:$false -Confirm:$false  # display only: applies under the caller's -WhatIf as well

Export-ModuleMember -Function @(
    'Invoke-Docker', 'Invoke-Compose',
    'Get-OtherSlot', 'Get-ActiveSlotMarkerPath', 'ConvertFrom-ActiveSlotMarker', 'ConvertFrom-GoDuration',
    'Get-SlotTimeout', 'Assert-TimeoutOrder', 'ConvertFrom-ComposeJsonLine',
    'New-DeployContext', 'Get-DeployLock', 'Enter-DeployLock', 'Exit-DeployLock', 'Write-DeployRecord',
    'Get-DeployRecord',
    'Get-ComposeConfig', 'Get-ApiImageRepository', 'Get-SlotContainer', 'Get-ActiveSlot', 'Test-NginxConfig',
    'Invoke-SlotProbe', 'Get-SlotLogTail', 'Get-PublicEndpoint', 'Get-PublicSlot',
    'Invoke-DeployPreflight', 'New-ApiImage', 'Publish-SlotImage', 'Restore-SlotImage', 'Test-SlotImageCurrent',
    'Get-RollbackVersion', 'Invoke-SlotMigration', 'Start-Slot',
    'Wait-SlotReady', 'Get-ContainerRestartCount', 'Get-ProfileMismatch', 'Test-SlotProfile', 'Wait-SlotThroughNginx',
    'Set-ActiveSlot',
    'Wait-PublicSlot', 'Wait-SlotDrain', 'Stop-Slot', 'Invoke-SlotDeployment', 'Write-DeployOutcome',
    'Get-DeployStatus'
)
