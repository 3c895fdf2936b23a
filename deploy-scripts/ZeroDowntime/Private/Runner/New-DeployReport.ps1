# ZeroDowntime module, private (Runner): not exported.
# Called by: Enter-DeployLock, Invoke-DeployCommand, Invoke-MaintenanceCommand, Invoke-PruneCommand,
#   Invoke-SlotDeployment
function New-DeployReport {
    <#
    .SYNOPSIS
        A new deploy report: what a swap or rollback returns, prints and appends to the history; also the entry of
        the other audited operations (maintenance, prune, a broken lock).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Builds an object in memory; changes nothing.')]
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [AllowEmptyString()] [string] $Project,
        # Swap, Rollback, BreakLock, MaintenanceOn, MaintenanceOff, Prune (and the staged deployments' modes).
        [Parameter(Mandatory)] [ValidatePattern('^[A-Z][A-Za-z]+\z')] [string] $Mode,
        [string] $Version
    )

    [pscustomobject]@{
        PSTypeName  = 'ZeroDowntime.DeployReport'
        Project     = $Project
        Mode        = $Mode
        Result      = 'Running'
        ExitCode    = -1
        FromSlot    = $null
        ToSlot      = $null
        FromVersion = $null
        ToVersion   = $Version
        FailedStep  = $null
        Error       = $null
        Hint        = $null
        Warnings    = [System.Collections.Generic.List[string]]::new()
        Steps       = [System.Collections.Generic.List[object]]::new()
        # The gate's warm-up (Invoke-SlotWarmup): rounds, requests, seconds; $null when none ran.
        Warmup      = $null
        # What a stage or canary left staged (Exit-DeployLock -KeepStaged), or what a promote or abort finished.
        Staged      = $null
        StartedAt   = [DateTimeOffset]::UtcNow
        FinishedAt  = $null
        WhatIf      = [bool]$WhatIfPreference
        # Who ran what: the entry in the history names them (Write-DeployRecord fills in User and Host).
        Command     = $null
        User        = [System.Environment]::UserName
        Host        = [System.Environment]::MachineName
        # Each hook that ran: Name, ExitCode, Seconds, Output (the end of it), TimedOut.
        Hooks       = [System.Collections.Generic.List[object]]::new()
        # What else the operation wants recorded (prune: removed and kept tags; a broken lock: its holder).
        Details     = [ordered]@{}
        RecordId    = $null
    }
}
