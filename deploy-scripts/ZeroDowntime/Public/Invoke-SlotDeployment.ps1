# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: Invoke-DeployCommand, users
function Invoke-SlotDeployment {
    <#
    .SYNOPSIS
        Moves traffic to the idle slot (swap: a new version; rollback: the previous slot as it is, or with -Version
        a retained version through the swap's steps), under the deploy lock, with hooks, and appends the history.
    .DESCRIPTION
        Runs the step table of the mode (Get-DeployStepTable) through the runner (Invoke-DeployStepTable) and returns
        the deploy report. Result and exit code: Succeeded (0; Planned under -WhatIf); RolledBack (1, a step 3-6
        failed, its changes were undone and the old slot serves); Refused (2, preflight or lock failed, nothing
        changed); Failed (3, the switch happened but a later step failed, or the undo itself failed: look at
        status.ps1); Interrupted (130, Ctrl+C: unwound like a failure, then the pipeline stops, so no report is
        returned; the record has it).
    .EXAMPLE
        $context = New-DeployContext -ProjectName zdd-staging
        Invoke-SlotDeployment -Context $context -Mode Swap -Version 1.4.0
    .EXAMPLE
        Invoke-SlotDeployment -Context (New-DeployContext) -Mode Rollback -WhatIf
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback')] [string] $Mode,
        [string] $Version,
        [switch] $Build,
        [switch] $BreakLock,
        [switch] $Force,
        [ValidateRange(0, 86400)] [int] $LockWaitSeconds = 0,
        # Swap: the stack's retention window from now on. Rollback -Version: the window to check (0: the stack's).
        [ValidateRange(0, 1000)] [int] $RetainVersions = 0,
        [string] $Command = $Mode
    )

    if ($Mode -eq 'Swap' -and -not $Version -and -not $Build) { throw 'Swap needs -Version or -Build.' }
    if ($Mode -eq 'Rollback' -and $Build) { throw 'A rollback deploys a retained version; it builds nothing.' }
    if ($Mode -eq 'Swap' -and $RetainVersions -lt 1) { $RetainVersions = $script:DefaultRetainVersions }
    $report = New-DeployReport -Project $Context.ProjectName -Mode $Mode -Version $Version
    $report.Command = $Command
    # What the steps learn and change as they go; the undo actions read the flags.
    $run = [pscustomobject]@{
        Context           = $Context
        Mode              = $Mode
        Version           = $Version
        Build             = [bool]$Build
        BreakLock         = [bool]$BreakLock
        Force             = [bool]$Force
        LockWaitSeconds   = $LockWaitSeconds
        RetainVersions    = $RetainVersions
        Command           = $Command
        Report            = $report
        Plan              = $null
        PreviousSlotImage = $null
        TargetStarted     = $false
        MarkerMoved       = $false
        TargetContainerId = ''
    }
    $table = Get-DeployStepTable -Mode $Mode -ToVersion:($Mode -eq 'Rollback' -and [bool]$Version)
    try { Invoke-DeployStepTable -Run $run -Step $table }
    finally { Write-Progress -Activity $Mode -Completed }
    $report
}
