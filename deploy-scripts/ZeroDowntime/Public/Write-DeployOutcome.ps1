# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: Invoke-DeployCommand, users
function Write-DeployOutcome {
    <#
    .SYNOPSIS
        Says how a swap, rollback, stage, canary, promote or abort ended (a summary, or the failed step with its
        hint) and returns the exit code.
    .DESCRIPTION
        Shared by swap.ps1 and rollback.ps1, so that both end a run in the same words and with the same code.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param(
        [Parameter(Mandatory)] [ValidateSet('swap', 'rollback', 'stage', 'canary', 'promote', 'abort')]
        [string] $Operation,
        [Parameter(Mandatory)] [pscustomobject] $Report
    )

    $summary = "$Operation $($Report.FromSlot) ($($Report.FromVersion)) -> $($Report.ToSlot) ($($Report.ToVersion)): " +
        "$($Report.Result)"
    # Refused before any slot was known (nothing staged to promote, say): no empty "() -> ()".
    if (-not $Report.FromSlot -and -not $Report.ToSlot) { $summary = "${Operation}: $($Report.Result)" }
    if ($Report.ExitCode -eq 0) {
        Write-Information -MessageData $summary -InformationAction Continue
        $staged = if ($Report.PSObject.Properties['Staged']) { $Report.Staged } else { $null }
        if ($Operation -in 'stage', 'canary' -and $staged) {
            # What a staged deployment means to the operator, and the two ways out of it.
            $who = if ($staged['Mode'] -eq 'Canary') {
                "$($staged['Percent']) % of new clients (sticky, cookie zdd_slot) and "
            }
            else { '' }
            Write-Information -InformationAction Continue -MessageData (
                "staged: api-$($staged['Slot']) ($($staged['Version'])) serves ${who}requests that opt in (header " +
                "X-ZDD-Preview: 1 or cookie zdd_preview=1); everyone else stays on api-$($staged['FromSlot']). " +
                'Next: swap.ps1 -Promote, swap.ps1 -Abort' +
                $(if ($staged['Mode'] -eq 'Canary') { ', or swap.ps1 -Canary <percent> to change the split.' }
                    else { '.' }))
        }
    }
    else {
        Write-Error -Message ("$summary at step $($Report.FailedStep): $($Report.Error)`n$($Report.Hint)") `
            -ErrorAction Continue
    }
    $Report.ExitCode
}
