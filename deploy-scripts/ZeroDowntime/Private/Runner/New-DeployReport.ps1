# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-DeployCommand, Invoke-SlotDeployment
function New-DeployReport {
    <#
    .SYNOPSIS
        A new deploy report: what a swap or rollback returns, prints and records (deploys/*.json).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Builds an object in memory; changes nothing.')]
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [AllowEmptyString()] [string] $Project,
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback', 'Stage', 'Canary', 'Promote', 'Abort')] [string] $Mode,
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
        RecordPath  = $null
    }
}
