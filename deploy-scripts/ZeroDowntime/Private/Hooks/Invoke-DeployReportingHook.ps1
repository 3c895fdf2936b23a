# ZeroDowntime module, private (Hooks): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Invoke-DeployReportingHook {
    <#
    .SYNOPSIS
        Runs a hook that only reports (post-switch, post-deploy, on-failure): a failure, a timeout or a hook that
        cannot start becomes a warning in the report, never a failed step, so it never undoes a finished switch.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Run,
        [Parameter(Mandatory)] [ValidateSet('post-switch', 'post-deploy', 'on-failure')] [string] $Name
    )

    $warning = $null
    try {
        $hook = Invoke-DeployHook -Run $Run -Name $Name
        if ($hook -and $hook.ExitCode -ne 0) {
            $how = if ($hook.TimedOut) { "timed out after $script:HookTimeoutSeconds s" }
            else { "exited with $($hook.ExitCode)" }
            $warning = "The $Name hook $how (its output is in the history): $($hook.Output -replace '\s+', ' ')"
        }
    }
    catch { $warning = "The $Name hook did not run: $($_.Exception.Message)" }
    if ($warning) {
        $Run.Report.Warnings.Add($warning)
        Write-Warning $warning
    }
}
