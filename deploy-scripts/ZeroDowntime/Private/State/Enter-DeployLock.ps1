# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable, Invoke-PruneCommand
function Enter-DeployLock {
    <#
    .SYNOPSIS
        Takes the deploy lock in the stack's PostgreSQL and returns the holder (this run); refuses, naming the holder
        and what to do, when another run holds it.
    .DESCRIPTION
        One row, inserted if absent in one statement: of two runs at once, from any clone or machine, exactly one
        gets it. While held, a background thread refreshes the heartbeat (Start-DeployLockHeartbeat).
        -WaitSeconds N polls once a second until the lock is free or N s passed, printing who holds it every few
        seconds. -BreakLock removes a holder that is dead (no heartbeat for $script:LockStaleSeconds s and no live
        process on this host) and appends the break to the history; a live holder (a staged one included) is
        removed only with -Force as well. -AdoptStaged takes over a staged holder (promote, abort) and fails with
        "nothing is staged" otherwise.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Command,
        [switch] $BreakLock,
        [switch] $Force,
        [ValidateRange(0, 86400)] [int] $WaitSeconds = 0,
        [switch] $AdoptStaged
    )

    if ($Force -and -not $BreakLock) { throw '-Force only goes with -BreakLock (break a lock whose holder is alive).' }
    if (-not $PSCmdlet.ShouldProcess("project $($Context.ProjectName)", 'Take the deploy lock')) {
        # Nothing is taken under -WhatIf, but the operator learns now that the real run would have to wait.
        $current = Get-DeployLock -Context $Context
        if ($current) { Write-Warning "The deploy lock is held by $(Format-LockHolder -Holder $current)." }
        return $null
    }
    if ($script:HeldLock) { throw 'This process already holds the deploy lock.' }

    $process = [System.Diagnostics.Process]::GetCurrentProcess()
    $identity = @{
        token   = [guid]::NewGuid().ToString()
        user    = [System.Environment]::UserName
        host    = [System.Environment]::MachineName
        pid     = $process.Id
        command = $Command
    }
    $what = 'Wait for it to finish, or rerun with -LockWaitSeconds <seconds> to wait for it. If that run is dead ' +
        "(killed, machine rebooted: no heartbeat for $script:LockStaleSeconds s), rerun with -BreakLock; the rerun " +
        'repairs the slots. A staged deployment holds the lock until it is promoted or aborted.'

    if ($AdoptStaged) {
        $row = Invoke-DeployStateSql -Context $Context -Query AdoptStaged -Variables $identity
        if (-not $row) {
            $current = Get-DeployLock -Context $Context
            $held = if ($current) { " (the lock is held by $(Format-LockHolder -Holder $current))" } else { '' }
            throw "Nothing is staged$held."
        }
        $holder = ConvertTo-DeployLockHolder -Row $row
        Start-DeployLockHeartbeat -Context $Context -Token $holder.Token
        return $holder
    }

    $watch = [System.Diagnostics.Stopwatch]::StartNew()
    $nextProgress = 0
    while ($true) {
        $attempt = Invoke-DeployStateSql -Context $Context -Query TakeLock -Variables $identity
        if ($attempt.Taken) {
            $holder = ConvertTo-DeployLockHolder -Row $attempt.Holder
            Start-DeployLockHeartbeat -Context $Context -Token $holder.Token
            return $holder
        }
        if (-not $attempt.Holder) {
            # Released between the insert and the read: try again at once.
            Start-Sleep -Milliseconds 200
            continue
        }
        $holder = ConvertTo-DeployLockHolder -Row $attempt.Holder
        $who = Format-LockHolder -Holder $holder
        if ($BreakLock) {
            if ($holder.Kind -eq 'staged' -and -not $Force) {
                throw "Refusing to break the deploy lock: a staged deployment holds it: $who. Finish it with " +
                    'swap.ps1 -Promote or swap.ps1 -Abort, or add -Force to -BreakLock to drop it (its slot and ' +
                    "nginx's candidate are then left as they are)."
            }
            if ($holder.Alive -and -not $Force) {
                throw "Refusing to break the deploy lock: its holder is alive: $who. Wait for it (-LockWaitSeconds), " +
                    'promote or abort a staged deployment, or add -Force to -BreakLock if you know better than the ' +
                    'heartbeat (the holder is then left running without the lock).'
            }
            # Once: if another run takes the lock between the removal and our insert, it is a live holder.
            $BreakLock = $false
            Write-Warning "Breaking the deploy lock held by $who"
            $removed = Invoke-DeployStateSql -Context $Context -Query RemoveLock -Variables @{ token = $holder.Token }
            if ($removed) {
                $audit = New-DeployReport -Project $Context.ProjectName -Mode BreakLock
                $audit.Command = $Command
                $audit.Result = 'Succeeded'
                $audit.ExitCode = 0
                $audit.FinishedAt = [DateTimeOffset]::UtcNow
                $audit.Details = [ordered]@{
                    BrokenHolder = $holder | Select-Object -Property Token, User, Host, Pid, Command, StartedAt,
                        HeartbeatAt, Kind, Staged, Alive
                    Forced       = [bool]$Force
                }
                $null = Write-DeployRecord -Context $Context -Report $audit
            }
            continue
        }
        $waited = $watch.Elapsed.TotalSeconds
        if ($waited -ge $WaitSeconds) {
            $after = if ($WaitSeconds -gt 0) { " (waited $WaitSeconds s)" } else { '' }
            if ($holder.Kind -eq 'staged') {
                throw "A staged deployment holds the lock$after`: $who. Finish it first: swap.ps1 -Promote " +
                    '(switch everyone to it) or swap.ps1 -Abort (stop it); swap.ps1 -Canary <percent> without ' +
                    '-Version changes its split.'
            }
            throw "Another deploy holds the lock$after`: $who. $what"
        }
        if ($waited -ge $nextProgress) {
            Show-DeployMessage -Message ("waiting for lock held by $who, {0} s" -f [int]$waited)
            $nextProgress += 5
        }
        Start-Sleep -Milliseconds ([int][math]::Min(1000, [math]::Max(50, ($WaitSeconds - $waited) * 1000)))
    }
}
