# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable, Invoke-PruneCommand
function Exit-DeployLock {
    <#
    .SYNOPSIS
        Releases the deploy lock if this process holds it; with -KeepStaged turns it into a staged holder instead.
    .DESCRIPTION
        -KeepStaged -Staged @{ Slot; FromSlot; Version; FromVersion; Mode = 'Stage'|'Canary'; Percent; StagedAt;
        StagedBy }: the lock outlives this process (Kind 'staged', no heartbeat) until a later run adopts it
        (Enter-DeployLock -AdoptStaged) to promote or abort. Only this process's own lock (its token) is touched: a
        lock broken with -BreakLock -Force meanwhile, and taken by another run, is left alone.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [switch] $KeepStaged,
        [hashtable] $Staged
    )

    $held = $script:HeldLock
    if (-not $held) { return }
    if ($KeepStaged -and -not $Staged) { throw '-KeepStaged needs -Staged (what is staged).' }
    $action = if ($KeepStaged) { 'Keep the deploy lock for the staged deployment' } else { 'Release the deploy lock' }
    if (-not $PSCmdlet.ShouldProcess("project $($Context.ProjectName)", $action)) { return }
    Stop-DeployLockHeartbeat
    $script:HeldLock = $null
    if ($KeepStaged) {
        $json = $Staged | ConvertTo-Json -Depth 5 -Compress
        $kept = Invoke-DeployStateSql -DbContainerId $held.ContainerId -Query StageLock `
            -Variables @{ token = $held.Token; staged = $json }
        if (-not $kept) { throw 'The deploy lock was taken from this run (-BreakLock -Force): nothing could be staged.' }
    }
    else {
        $released = Invoke-DeployStateSql -DbContainerId $held.ContainerId -Query ReleaseLock `
            -Variables @{ token = $held.Token }
        if (-not $released) { Write-Warning 'The deploy lock had already been taken from this run (-BreakLock -Force).' }
    }
}
