# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Exit-DeployLock, Get-DeployStatus
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
