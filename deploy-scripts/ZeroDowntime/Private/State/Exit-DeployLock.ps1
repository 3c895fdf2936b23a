# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Exit-DeployLock {
    <#
    .SYNOPSIS
        Releases the deploy lock if this process holds it; with -KeepStaged, turns it into a staged holder instead.
    .DESCRIPTION
        -KeepStaged -Staged @{ Slot; FromSlot; Version; FromVersion; Mode; Percent; StagedAt; StagedBy; ... }: the
        lock stays held after this process ends (Kind 'staged'), so that nothing else deploys while a slot is staged,
        until swap.ps1 -Promote or -Abort adopts it (Enter-DeployLock -AdoptStaged).
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Directory')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Directory')] [string] $StateDirectory,
        [Parameter(Mandatory, ParameterSetName = 'Context')] [pscustomobject] $Context,
        [switch] $KeepStaged,
        [hashtable] $Staged
    )

    if ($Context) { $StateDirectory = $Context.StateDirectory }
    if ($KeepStaged -and -not $Staged) { throw '-KeepStaged needs -Staged (what is staged).' }
    $holder = Get-DeployLock -StateDirectory $StateDirectory
    if (-not ($holder -and $holder.Pid -eq $PID -and $holder.Host -eq [System.Environment]::MachineName -and
            $holder.Kind -ne 'staged')) { return }
    if ($KeepStaged) {
        if (-not $PSCmdlet.ShouldProcess($holder.Path, 'Keep the deploy lock for the staged deployment')) { return }
        $content = [ordered]@{
            Token = $holder.Token; Pid = $holder.Pid; Host = $holder.Host; User = $holder.User
            StartedAt = $holder.StartedAt; Command = $holder.Command; Kind = 'staged'; Staged = $Staged
        } | ConvertTo-Json -Depth 4
        # Written aside and renamed over the lock: a reader sees the run's lock or the staged one, never half.
        $temporary = "$($holder.Path).staged.tmp"
        Set-Content -LiteralPath $temporary -Value $content -Encoding utf8NoBOM
        Move-Item -LiteralPath $temporary -Destination $holder.Path -Force
        return
    }
    if ($PSCmdlet.ShouldProcess($holder.Path, 'Release the deploy lock')) {
        Remove-Item -LiteralPath $holder.Path -Force
    }
}
