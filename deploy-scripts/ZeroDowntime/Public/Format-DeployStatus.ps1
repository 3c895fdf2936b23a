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
        $lockText = if ($lock) {
            "held by pid $($lock.Pid) on $($lock.Host) since $($lock.StartedAt) ($($lock.Command))"
        }
        else { 'free' }
        "Project:     $($Status.Project)"
        "Active slot: $(if ($Status.ActiveSlot) { $Status.ActiveSlot } else { 'unknown' })"
        "Lock:        $lockText"
        # Out-String keeps each table together in the output stream.
        $Status.Slots | Format-Table -Property Slot, Active, State, Ready, Version, InFlight, Status -AutoSize |
            Out-String
        if ($Status.LastDeploys.Count -gt 0) {
            'Last deploys:'
            $Status.LastDeploys |
                Format-Table -Property StartedAt, Mode, FromSlot, ToSlot, ToVersion, Result, FailedStep -AutoSize |
                Out-String
        }
        foreach ($problem in $Status.Problems) { Write-Warning $problem }
    }
}
