# ZeroDowntime module, private (Hooks): not exported.
# Called by: Get-DeployStepTable, Get-StagedStepTable, Invoke-DeployReportingHook
function Invoke-DeployHook {
    <#
    .SYNOPSIS
        Runs one hook (an executable file named pre-deploy, post-switch, post-deploy or on-failure in the hooks
        folder) with the run's facts in ZDD_* environment variables; records it in the report and returns it.
    .DESCRIPTION
        Modelled on Kamal's hooks: a file with exactly the hook's name, run directly (its shebang picks the
        interpreter) from the hooks folder, with a timeout ($script:HookTimeoutSeconds). A file with another name
        (post-deploy.sample) is never run: that is how the shipped sample stays disabled. A missing file is not an
        error: the result is $null and nothing is recorded. The last $script:HookOutputBytes bytes of its output
        (stdout and stderr interleaved as they arrive) and its exit code go into the report's Hooks, and from there
        into the history. Whether a failure stops the run is the caller's decision (only pre-deploy does).
        Variables: ZDD_HOOK, ZDD_OPERATION (swap, rollback, stage, canary, promote, abort), ZDD_PROJECT,
        ZDD_VERSION, ZDD_FROM_VERSION, ZDD_FROM_SLOT, ZDD_TO_SLOT, ZDD_PERFORMER (user@host), ZDD_COMMAND,
        ZDD_RECORDED_AT, ZDD_RUNTIME (seconds so far), ZDD_STEP_DURATIONS (JSON: step name -> seconds), ZDD_RESULT,
        ZDD_FAILED_STEP, ZDD_ERROR.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Run,
        [Parameter(Mandatory)] [ValidateSet('pre-deploy', 'post-switch', 'post-deploy', 'on-failure')] [string] $Name
    )

    $path = Get-DeployHookPath -Context $Run.Context -Name $Name
    if (-not $path) { return $null }
    if (-not $PSCmdlet.ShouldProcess($path, "Run the $Name hook")) { return $null }

    $report = $Run.Report
    $durations = [ordered]@{}
    foreach ($step in $report.Steps | Where-Object Result -NE 'running') {
        $durations[[string]$step.Name] = $step.Seconds
    }
    $variables = [ordered]@{
        ZDD_HOOK           = $Name
        ZDD_OPERATION      = ([string]$report.Mode).ToLowerInvariant()
        ZDD_PROJECT        = [string]$report.Project
        ZDD_VERSION        = [string]$report.ToVersion
        ZDD_FROM_VERSION   = [string]$report.FromVersion
        ZDD_FROM_SLOT      = [string]$report.FromSlot
        ZDD_TO_SLOT        = [string]$report.ToSlot
        ZDD_PERFORMER      = "$($report.User)@$($report.Host)"
        ZDD_COMMAND        = [string]$report.Command
        ZDD_RECORDED_AT    = [DateTimeOffset]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ')
        ZDD_RUNTIME        = [string][int]([DateTimeOffset]::UtcNow - $report.StartedAt).TotalSeconds
        ZDD_STEP_DURATIONS = $durations | ConvertTo-Json -Compress
        ZDD_RESULT         = [string]$report.Result
        ZDD_FAILED_STEP    = [string]$report.FailedStep
        ZDD_ERROR          = [string]$report.Error
    }

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($path)
    # From the repository's root, as Kamal runs its hooks from the project's.
    $root = $Run.Context.RepositoryRoot
    $startInfo.WorkingDirectory = if ($root -and (Test-Path -LiteralPath $root -PathType Container)) { $root }
    else { (Get-Location).ProviderPath }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.RedirectStandardInput = $true
    foreach ($key in $variables.Keys) { $startInfo.Environment[$key] = $variables[$key] }

    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $exitCode = $null
    $timedOut = $false
    try { $process = [System.Diagnostics.Process]::Start($startInfo) }
    catch { throw "The $Name hook $path could not be started: $($_.Exception.Message)" }
    try {
        # Both streams are read at once (a full pipe would block the hook).
        $stdoutTask = $process.StandardOutput.ReadToEndAsync()
        $stderrTask = $process.StandardError.ReadToEndAsync()
        $process.StandardInput.Close()
        if ($process.WaitForExit($script:HookTimeoutSeconds * 1000)) {
            $process.WaitForExit()
            $exitCode = $process.ExitCode
        }
        else {
            # The whole tree: a hook's children (curl) must not outlive it.
            $timedOut = $true
            $process.Kill($true)
            $null = $process.WaitForExit(5000)
        }
        $stdout = if ($stdoutTask.Wait(5000)) { $stdoutTask.Result } else { '' }
        $stderr = if ($stderrTask.Wait(5000)) { $stderrTask.Result } else { '' }
    }
    finally {
        $process.Dispose()
    }
    $text = (@($stdout.TrimEnd(), $stderr.TrimEnd()) | Where-Object { $_ }) -join "`n"
    $bytes = [System.Text.Encoding]::UTF8.GetBytes($text)
    if ($bytes.Length -gt $script:HookOutputBytes) {
        $text = '...' + [System.Text.Encoding]::UTF8.GetString($bytes, $bytes.Length - $script:HookOutputBytes,
            $script:HookOutputBytes)
    }
    $result = [pscustomobject]@{
        Name     = $Name
        Path     = $path
        ExitCode = $exitCode
        TimedOut = $timedOut
        Seconds  = [math]::Round($watch.Elapsed.TotalSeconds, 2)
        Output   = $text
    }
    $report.Hooks.Add($result)
    $result
}
