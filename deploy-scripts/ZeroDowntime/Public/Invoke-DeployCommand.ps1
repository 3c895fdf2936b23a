# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: rollback.ps1, swap.ps1, users
function Invoke-DeployCommand {
    <#
    .SYNOPSIS
        What swap.ps1 and rollback.ps1 run: a swap, rollback or staged deployment's command on the stack they name,
        its outcome in words, and the report (with the exit code the script ends with). Ctrl+C ends the script's
        process with exit code 130.
    .DESCRIPTION
        Builds the deploy context, runs Invoke-SlotDeployment, says how it ended (Write-DeployOutcome) and returns
        the report. An error before the first step (no -Version nor -Build for a swap, a compose file compose cannot
        read) returns a report with Result Refused and ExitCode 2, like a refusal at preflight.
        Ctrl+C: the runner has unwound, recorded and released the lock in its finally blocks, but a stopped pipeline
        would end pwsh with exit code 0, so the process is ended with 130 here, when the script is the process
        (pwsh -File, or its shebang); an interactive session that ran the script is never ended.
    .PARAMETER ScriptPath
        The entry script ($PSCommandPath): its name goes into the lock (who holds it) and tells whether it is the
        process.
    .EXAMPLE
        $report = Invoke-DeployCommand -Mode Swap -Version 1.4.0 -ScriptPath ./deploy-scripts/swap.ps1
    .EXAMPLE
        Invoke-DeployCommand -Mode Rollback -ProjectName zdd-staging -ScriptPath ./deploy-scripts/rollback.ps1 -WhatIf
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback', 'Stage', 'Canary', 'Promote', 'Abort')] [string] $Mode,
        [string] $Version,
        [switch] $Build,
        [string] $ProjectName,
        [string[]] $ComposeFile,
        [string] $EnvFile,
        [string] $HooksDirectory,
        [ValidateRange(5, 3600)] [int] $ReadyTimeoutSeconds = 120,
        [ValidateRange(1, 3600)] [int] $DrainTimeoutSeconds = 90,
        [ValidateNotNullOrEmpty()] [string] $PublicHostName = 'localhost',
        [switch] $BreakLock,
        [switch] $Force,
        [ValidateRange(0, 86400)] [int] $LockWaitSeconds = 0,
        [ValidateRange(0, 1000)] [int] $RetainVersions = 0,
        [Parameter(Mandatory)] [string] $ScriptPath,
        # Canary: the percentage of new clients for the staged slot (1-99).
        [ValidateRange(0, 99)] [int] $Percent,
        # The gate's warm-up paths (New-DeployContext); default: ZDD_WARMUP_PATHS, else the module's list.
        [string[]] $WarmupPath
    )

    $operation = $Mode.ToLowerInvariant()
    $scriptName = [System.IO.Path]::GetFileName($ScriptPath)
    $ended = $false
    try {
        $report = $null
        try {
            if ($Mode -in 'Swap', 'Stage' -and -not $Version -and -not $Build) {
                throw 'Give -Version <tag> (an existing image) or -Build (build the working tree).'
            }
            if ($Mode -in 'Promote', 'Abort' -and ($Version -or $Build)) {
                throw "-$Mode finishes the staged deployment (status.ps1 shows it): it takes no -Version or -Build."
            }
            if ($Force -and -not $BreakLock) { throw '-Force goes with -BreakLock (break a lock whose holder is alive).' }
            $context = New-DeployContext -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile `
                -HooksDirectory $HooksDirectory -ReadyTimeoutSeconds $ReadyTimeoutSeconds `
                -DrainTimeoutSeconds $DrainTimeoutSeconds -PublicHostName $PublicHostName -WarmupPath $WarmupPath
            # The command as the history and the lock show it: what was asked, not every default.
            $command = @($scriptName
                switch ($Mode) {
                    'Stage' { '-Stage' }
                    'Canary' { "-Canary $Percent" }
                    'Promote' { '-Promote' }
                    'Abort' { '-Abort' }
                }
                if ($ProjectName) { "-ProjectName $ProjectName" }
                if ($Version) { "-Version $Version" }
                if ($Build) { '-Build' }
                if ($RetainVersions) { "-RetainVersions $RetainVersions" }
                if ($LockWaitSeconds) { "-LockWaitSeconds $LockWaitSeconds" }
                if ($BreakLock) { '-BreakLock' }
                if ($Force) { '-Force' }
                if ($WhatIfPreference) { '-WhatIf' }) -join ' '
            $report = Invoke-SlotDeployment -Context $context -Mode $Mode -Version $Version -Build:$Build `
                -BreakLock:$BreakLock -Force:$Force -LockWaitSeconds $LockWaitSeconds -RetainVersions $RetainVersions `
                -Command $command -Percent $Percent
            $null = Write-DeployOutcome -Operation $operation -Report $report
        }
        catch {
            Write-Error -Message "${operation}: $($_.Exception.Message)" -ErrorAction Continue
            $report = New-DeployReport -Project $ProjectName -Mode $Mode -Version $Version
            $report.Result = 'Refused'
            $report.ExitCode = 2
            $report.Error = $_.Exception.Message
            $report.Hint = 'Nothing was changed.'
            $report.FinishedAt = [DateTimeOffset]::UtcNow
        }
        $ended = $true
        $report
    }
    finally {
        if (-not $ended) {
            # Only a stopping pipeline (Ctrl+C) gets here: every error above became a report.
            [Console]::Error.WriteLine(
                "${operation}: interrupted. Run status.ps1, then rerun swap.ps1 or rollback.ps1.")
            $launchedAlone = [System.Environment]::GetCommandLineArgs() |
                Where-Object { $_ -and [System.IO.Path]::GetFileName($_) -eq $scriptName }
            if ($launchedAlone) { [System.Environment]::Exit(130) }
        }
    }
}
