# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: maintenance.ps1, users
function Invoke-MaintenanceCommand {
    <#
    .SYNOPSIS
        What maintenance.ps1 runs: turns maintenance mode on (every public request gets 503 with Retry-After, an
        HTML page or problem+json) or off, through nginx's routing state, without reloading nginx; appends the change
        to the history. Returns a report (ExitCode 0 done, 1 failed, 2 refused).
    .DESCRIPTION
        The change is `zdd-state.sh maintenance-on <seconds> [message]` / `maintenance-off` run in the nginx
        container (by id): one atomic rename of a symbolic link that nginx reads per request, so a request already
        running finishes normally and every later one sees the new mode. zdd-state.sh serialises changes to the
        routing state with a lock of its own; a busy one (exit 75) is retried for a few seconds.
        It does not take the deploy lock: maintenance must go on when it is needed, also while a deploy runs or a
        staged deployment holds the lock, and neither a swap nor maintenance reads what the other writes (the swap
        renames the active-slot marker, maintenance the routing link; swaps keep working during maintenance).
    .EXAMPLE
        Invoke-MaintenanceCommand -On -Message 'Back at 14:00 UTC' -RetryAfterSeconds 600 -ScriptPath maintenance.ps1
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'On')] [switch] $On,
        [Parameter(Mandatory, ParameterSetName = 'Off')] [switch] $Off,
        [Parameter(ParameterSetName = 'On')] [ValidateLength(0, 1000)] [string] $Message,
        [Parameter(ParameterSetName = 'On')] [ValidateRange(0, 999999999)] [int] $RetryAfterSeconds = 300,
        [string] $ProjectName,
        [string[]] $ComposeFile,
        [string] $EnvFile,
        [string] $ScriptPath = 'maintenance.ps1'
    )

    $mode = if ($On) { 'MaintenanceOn' } else { 'MaintenanceOff' }
    $report = New-DeployReport -Project $ProjectName -Mode $mode
    $report.Command = (@([System.IO.Path]::GetFileName($ScriptPath)
            if ($ProjectName) { "-ProjectName $ProjectName" }
            if ($On) { '-On' } else { '-Off' }
            if ($PSBoundParameters.ContainsKey('Message')) { "-Message '$Message'" }
            if ($PSBoundParameters.ContainsKey('RetryAfterSeconds')) { "-RetryAfterSeconds $RetryAfterSeconds" }
        ) -join ' ')
    try {
        $context = New-DeployContext -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile
        $nginx = @(Get-StackContainer -Context $context -Service 'nginx') | Select-Object -First 1
        if (-not $nginx -or $nginx.State -ne 'running') {
            throw "nginx is not running; start the stack with 'docker compose up -d'."
        }
        $arguments = @('exec', $nginx.Id, 'sh', '/etc/nginx/zdd/zdd-state.sh')
        if ($On) {
            $arguments += @('maintenance-on', [string]$RetryAfterSeconds)
            if ($PSBoundParameters.ContainsKey('Message')) { $arguments += $Message }
            $report.Details['RetryAfterSeconds'] = $RetryAfterSeconds
            $report.Details['Message'] = $Message
        }
        else { $arguments += 'maintenance-off' }
    }
    catch {
        $report.Result = 'Refused'
        $report.ExitCode = 2
        $report.Error = $_.Exception.Message
        $report.FinishedAt = [DateTimeOffset]::UtcNow
        Write-Error -Message "maintenance: $($report.Error) Nothing was changed." -ErrorAction Continue
        return $report
    }

    $what = if ($On) { "Turn maintenance mode on (503, Retry-After $RetryAfterSeconds s)" } else { 'Turn maintenance mode off' }
    if (-not $PSCmdlet.ShouldProcess("nginx of project $($context.ProjectName)", $what)) {
        $report.Result = 'Planned'
        $report.ExitCode = 0
        return $report
    }
    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $result = $null
    for ($attempt = 1; $attempt -le 20; $attempt++) {
        $result = Invoke-Docker -ArgumentList $arguments -AllowFailure -TimeoutSeconds 60
        # 75: another zdd-state.sh (a stage, a canary) is changing the routing state right now.
        if ($result.ExitCode -ne 75) { break }
        Start-Sleep -Milliseconds 250
    }
    $report.Steps.Add([pscustomobject]@{
            Number = 1; Name = $what; Result = if ($result.ExitCode -eq 0) { 'ok' } else { 'failed' }
            StartedAt = $report.StartedAt; Seconds = [math]::Round($watch.Elapsed.TotalSeconds, 2); Error = $null
        })
    if ($result.ExitCode -eq 0) {
        $report.Result = 'Succeeded'
        $report.ExitCode = 0
    }
    else {
        $report.Result = if ($result.ExitCode -in 64, 65) { 'Refused' } else { 'Failed' }
        $report.ExitCode = if ($result.ExitCode -in 64, 65) { 2 } else { 1 }
        $report.Error = "zdd-state.sh exited with $($result.ExitCode): $($result.StdErr.Trim())"
        $report.Steps[0].Error = $report.Error
    }
    $report.FinishedAt = [DateTimeOffset]::UtcNow
    try { $report.RecordId = Write-DeployRecord -Context $context -Report $report }
    catch {
        $report.Warnings.Add("Not recorded in the history: $($_.Exception.Message)")
        Write-Warning $report.Warnings[-1]
    }
    if ($report.ExitCode -eq 0) {
        $state = if ($On) {
            "on: every public request gets 503 with Retry-After: $RetryAfterSeconds" +
                $(if ($Message) { " and the message '$Message'" } else { '' })
        }
        else { 'off: requests go to the active slot again' }
        $seconds = $watch.Elapsed.TotalSeconds.ToString('0.0', [cultureinfo]::InvariantCulture)
        Write-Information -MessageData "maintenance $state ($seconds s, nginx not reloaded)" -InformationAction Continue
    }
    else {
        Write-Error -Message "maintenance: $($report.Error)" -ErrorAction Continue
    }
    $report
}
