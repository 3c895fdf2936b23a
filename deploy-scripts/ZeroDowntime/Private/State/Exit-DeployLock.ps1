# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable
function Exit-DeployLock {
    <#
    .SYNOPSIS
        Releases the deploy lock if this process holds it.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory)] [string] $StateDirectory)

    $holder = Get-DeployLock -StateDirectory $StateDirectory
    if ($holder -and $holder.Pid -eq $PID -and $holder.Host -eq [System.Environment]::MachineName -and
        $PSCmdlet.ShouldProcess($holder.Path, 'Release the deploy lock')) {
        Remove-Item -LiteralPath $holder.Path -Force
    }
}
