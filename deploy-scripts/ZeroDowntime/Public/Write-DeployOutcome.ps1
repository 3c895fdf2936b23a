# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: Invoke-DeployCommand, users
function Write-DeployOutcome {
    <#
    .SYNOPSIS
        Says how a swap or rollback ended (a summary, or the failed step with its hint) and returns the exit code.
    .DESCRIPTION
        Shared by swap.ps1 and rollback.ps1, so that both end a run in the same words and with the same code.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory)] [ValidateSet('swap', 'rollback')] [string] $Operation,
        [Parameter(Mandatory)] [pscustomobject] $Report
    )

    $summary = "$Operation $($Report.FromSlot) ($($Report.FromVersion)) -> $($Report.ToSlot) ($($Report.ToVersion)): " +
        "$($Report.Result)"
    if ($Report.ExitCode -eq 0) {
        Write-Information -MessageData $summary -InformationAction Continue
    }
    else {
        Write-Error -Message ("$summary at step $($Report.FailedStep): $($Report.Error)`n$($Report.Hint)") `
            -ErrorAction Continue
    }
    $Report.ExitCode
}
