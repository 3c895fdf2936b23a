# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: status.ps1, users
function Format-DeployStatus {
    <#
    .SYNOPSIS
        The human view of a deploy status (Get-DeployStatus): one line per fact, then tables of the slots and the last
        deploys, as strings; each problem becomes a warning.
    .EXAMPLE
        Get-DeployStatus | Format-DeployStatus
    .EXAMPLE
        Format-DeployStatus -Status (Get-DeployStatus -ProjectName zdd-staging) | Out-File status.txt
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory, ValueFromPipeline)] [pscustomobject] $Status)

    process {
        $lock = $Status.Lock
        $lockText = if ($lock) { "held by $(Format-LockHolder -Holder $lock)" } else { 'free' }
        $mode = $Status.Maintenance
        $modeText = if (-not $mode) { 'unknown' }
        elseif ($mode.On) {
            $since = if ($mode.Since) { " since $($mode.Since) by $($mode.By)" } else { '' }
            $message = if ($mode.Message) { ", message '$($mode.Message)'" } else { '' }
            "MAINTENANCE (503, Retry-After $($mode.RetryAfterSeconds) s)$since$message"
        }
        else { 'serving' }
        "Project:     $($Status.Project)"
        "Active slot: $(if ($Status.ActiveSlot) { $Status.ActiveSlot } else { 'unknown' })"
        "Mode:        $modeText"
        "Lock:        $lockText"
        $staged = if ($Status.PSObject.Properties['Staged']) { $Status.Staged } else { $null }
        if ($staged) {
            $how = if ($staged.Mode -eq 'Canary') { "canary: $($staged.Percent) % of new clients, and opt-in requests" }
            else { 'opt-in requests only: header X-ZDD-Preview: 1 or cookie zdd_preview=1' }
            $at = $staged.StagedAt
            if ($at -is [datetime]) { $at = $at.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ') }
            "Staged:      $($staged.Slot) $($staged.Version) over $($staged.FromSlot) $($staged.FromVersion), by " +
                "$($staged.StagedBy) at $at"
            "             serves $how"
            '             finish: swap.ps1 -Promote | take back: swap.ps1 -Abort'
        }
        $routing = if ($Status.PSObject.Properties['Routing']) { $Status.Routing } else { $null }
        if ($routing) {
            $parts = @(
                if ($routing.Candidate) { "candidate $($routing.Candidate)" }
                if ($routing.Percent) { "canary $($routing.Percent) % (round $($routing.Round))" }
                if ($routing.Maintenance) { "maintenance (Retry-After $($routing.Maintenance) s)" }
            )
            "Routing:     $(if ($parts) { $parts -join ', ' } else { 'everyone to the active slot' })"
        }
        # Out-String keeps each table together in the output stream.
        $Status.Slots | Format-Table -Property Slot, Active, State, Ready, Version, InFlight, Status -AutoSize |
            Out-String
        if ($Status.LastDeploys.Count -gt 0) {
            'Last deploys:'
            $Status.LastDeploys |
                Format-Table -Property StartedAt, Mode, FromSlot, ToSlot, ToVersion, Result, FailedStep, User -AutoSize |
                Out-String
        }
        foreach ($problem in $Status.Problems) { Write-Warning $problem }
    }
}
