# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Exit-DeployLock, Get-DeployStatus, Get-PromoteStepTable, Get-StagedStepTable
function Get-DeployLock {
    <#
    .SYNOPSIS
        Returns the current lock holder (pid, host, user, start, command, kind, staged details) or $null; flags a
        holder that is gone.
    .DESCRIPTION
        Kind is 'run' (a running swap, rollback, promote, ...) or 'staged' (a staged deployment, which holds the lock
        with no process behind it and counts as alive); Staged is the staged deployment as a hashtable, or $null.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Directory')]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Directory')] [string] $StateDirectory,
        [Parameter(Mandatory, ParameterSetName = 'Context')] [pscustomobject] $Context
    )

    if ($Context) { $StateDirectory = $Context.StateDirectory }
    $path = Join-Path $StateDirectory 'deploy.lock'
    if (-not (Test-Path -LiteralPath $path)) { return $null }
    $holder = $null
    try { $holder = Get-Content -LiteralPath $path -Raw | ConvertFrom-Json }
    catch { Write-Verbose "Unreadable lock file ${path}: $_" }
    if ($null -eq $holder) {
        # A run killed between create and write leaves an empty file: report it as a stale holder.
        $holder = [pscustomobject]@{ Pid = 0; Host = '?'; User = '?'; StartedAt = $null; Command = '?' }
    }
    # Lock files of an earlier version of the module have neither field.
    foreach ($name in 'Token', 'Kind', 'Staged', 'HeartbeatAt') {
        if (-not $holder.PSObject.Properties[$name]) {
            $holder | Add-Member -NotePropertyName $name -NotePropertyValue $null
        }
    }
    if (-not $holder.Kind) { $holder.Kind = 'run' }
    if ($holder.Staged -is [pscustomobject]) {
        $staged = @{}
        foreach ($property in $holder.Staged.PSObject.Properties) { $staged[$property.Name] = $property.Value }
        $holder.Staged = $staged
    }
    $alive = $null
    if ($holder.Kind -eq 'staged') { $alive = $true }
    elseif ($holder.Pid -eq 0) { $alive = $false }
    elseif ($holder.Host -eq [System.Environment]::MachineName) {
        $alive = $null -ne (Get-Process -Id $holder.Pid -ErrorAction SilentlyContinue)
    }
    $holder | Add-Member -NotePropertyName Path -NotePropertyValue $path -Force
    $holder | Add-Member -NotePropertyName Alive -NotePropertyValue $alive -Force
    $holder
}
