# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable
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
