# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Enter-DeployLock {
    <#
    .SYNOPSIS
        Takes the deploy lock (a file created with CreateNew, so that two runs cannot both get it).
    .DESCRIPTION
        A second run is refused with a message naming the holder. A lock left behind by a run that was killed is
        removed only with -BreakLock: the operator decides, because a pid check cannot see a run on another host.
        A staged deployment (swap.ps1 -Stage or -Canary) keeps the lock after its process ended (Exit-DeployLock
        -KeepStaged); it counts as alive, so only -BreakLock -Force removes it, and -AdoptStaged takes it over for
        the run that promotes, aborts or changes it.
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Directory')]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Directory')] [string] $StateDirectory,
        [Parameter(Mandatory, ParameterSetName = 'Context')] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Command,
        [switch] $BreakLock,
        [switch] $Force,
        [ValidateRange(0, 3600)] [int] $WaitSeconds = 0,
        [switch] $AdoptStaged
    )

    if ($Context) { $StateDirectory = $Context.StateDirectory }
    $path = Join-Path $StateDirectory 'deploy.lock'
    if (-not $PSCmdlet.ShouldProcess($path, 'Take the deploy lock')) { return $null }
    $null = New-Item -ItemType Directory -Path $StateDirectory -Force
    $process = [System.Diagnostics.Process]::GetCurrentProcess()

    if ($AdoptStaged) {
        $holder = Get-DeployLock -StateDirectory $StateDirectory
        if (-not $holder -or $holder.Kind -ne 'staged') {
            $who = if ($holder) { " (the lock is held by $(Format-LockHolder -Holder $holder))" } else { '' }
            throw "nothing is staged$who. Stage with swap.ps1 -Stage -Version <tag> or -Canary <percent> " +
                '-Version <tag>.'
        }
        # Exclusive while reading and rewriting: two runs adopting at once cannot both succeed.
        $stream = $null
        try {
            $stream = [System.IO.FileStream]::new($path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::ReadWrite,
                [System.IO.FileShare]::None)
        }
        catch [System.IO.IOException] { throw "Another run is taking over the staged deployment in ${path}; retry." }
        try {
            $reader = [System.IO.StreamReader]::new($stream, [System.Text.Encoding]::UTF8, $false, 4096, $true)
            $current = $reader.ReadToEnd() | ConvertFrom-Json
            $reader.Dispose()
            if ($current.Kind -ne 'staged') { throw 'nothing is staged (another run took it over a moment ago).' }
            $current.Pid = $process.Id
            $current.Host = [System.Environment]::MachineName
            $current.User = [System.Environment]::UserName
            $current.Command = $Command
            $current.Kind = 'run'
            $bytes = [System.Text.Encoding]::UTF8.GetBytes(($current | ConvertTo-Json -Depth 4))
            $stream.SetLength(0)
            $stream.Write($bytes, 0, $bytes.Length)
        }
        finally { $stream.Dispose() }
        return $path
    }

    if ($BreakLock) {
        $holder = Get-DeployLock -StateDirectory $StateDirectory
        if ($holder -and $holder.Kind -eq 'staged' -and -not $Force) {
            throw "The lock is held by a staged deployment ($(Format-LockHolder -Holder $holder)); -BreakLock does " +
                'not remove it. Finish it with swap.ps1 -Promote or swap.ps1 -Abort.'
        }
        if ($holder) {
            Write-Warning "Breaking the deploy lock held by $(Format-LockHolder -Holder $holder)"
            Remove-Item -LiteralPath $path -Force
        }
    }

    $content = [ordered]@{
        Token     = [guid]::NewGuid().ToString('n')
        Pid       = $process.Id
        Host      = [System.Environment]::MachineName
        User      = [System.Environment]::UserName
        StartedAt = [DateTimeOffset]::UtcNow.ToString('o')
        Command   = $Command
        Kind      = 'run'
        Staged    = $null
    } | ConvertTo-Json
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($WaitSeconds)
    while ($true) {
        try {
            $stream = [System.IO.FileStream]::new($path, [System.IO.FileMode]::CreateNew, [System.IO.FileAccess]::Write,
                [System.IO.FileShare]::Read)
            break
        }
        catch [System.IO.IOException] {
            if ([DateTimeOffset]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 500; continue }
            $holder = Get-DeployLock -StateDirectory $StateDirectory
            if ($holder -and $holder.Kind -eq 'staged') {
                throw "A staged deployment holds the lock ${path}: $(Format-LockHolder -Holder $holder). Finish it " +
                    'first: swap.ps1 -Promote (switch everyone to it) or swap.ps1 -Abort (stop it); swap.ps1 ' +
                    '-Canary <percent> without -Version changes its split.'
            }
            $who = if ($holder) { Format-LockHolder -Holder $holder } else { 'a run that just finished' }
            throw "Another deploy holds the lock ${path}: $who. Wait for it to finish. If that run is dead (killed, " +
                'machine rebooted), rerun with -BreakLock; the rerun repairs the slots.'
        }
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
