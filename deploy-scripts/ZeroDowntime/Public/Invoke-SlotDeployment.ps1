# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: Invoke-DeployCommand, users
function Invoke-SlotDeployment {
    <#
    .SYNOPSIS
        Moves traffic to the idle slot (swap: a new version; rollback: the previous slot as it is, or with -Version
        a retained version through the swap's steps), or stages a version on the idle slot (Stage: opt-in requests;
        Canary: P % of new clients) and later finishes it (Promote) or takes it back (Abort); under the deploy lock,
        with hooks, and appends the history.
    .DESCRIPTION
        Runs the step table of the mode (Get-DeployStepTable) through the runner (Invoke-DeployStepTable) and returns
        the deploy report. Result and exit code: Succeeded (0; Planned under -WhatIf); RolledBack (1, a step 3-6
        failed, its changes were undone and the old slot serves); Refused (2, preflight or lock failed, nothing
        changed); Failed (3, the switch happened but a later step failed, or the undo itself failed: look at
        status.ps1); Interrupted (130, Ctrl+C: unwound like a failure, then the pipeline stops, so no report is
        returned; the record has it).
        Stage and Canary keep the deploy lock as a staged holder when they succeed (the deployment outlives the
        process); Promote and Abort adopt it (Get-StagedStepTable, Get-PromoteStepTable).
    .EXAMPLE
        $context = New-DeployContext -ProjectName zdd-staging
        Invoke-SlotDeployment -Context $context -Mode Swap -Version 1.4.0
    .EXAMPLE
        Invoke-SlotDeployment -Context (New-DeployContext) -Mode Rollback -WhatIf
    .EXAMPLE
        Invoke-SlotDeployment -Context (New-DeployContext) -Mode Canary -Version 1.5.0 -Percent 10
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback', 'Stage', 'Canary', 'Promote', 'Abort')] [string] $Mode,
        [string] $Version,
        [switch] $Build,
        [switch] $BreakLock,
        [switch] $Force,
        [ValidateRange(0, 86400)] [int] $LockWaitSeconds = 0,
        # Swap: the stack's retention window from now on. Rollback -Version: the window to check (0: the stack's).
        [ValidateRange(0, 1000)] [int] $RetainVersions = 0,
        [string] $Command = $Mode,
        # Canary: the percentage of new clients sent to the staged slot (1-99).
        [ValidateRange(0, 99)] [int] $Percent
    )

    $newVersion = $Version -or $Build
    switch ($Mode) {
        { $_ -in 'Swap', 'Stage' } { if (-not $newVersion) { throw "$Mode needs -Version or -Build." } }
        'Rollback' { if ($Build) { throw 'A rollback deploys a retained version; it builds nothing.' } }
        'Canary' { if ($Percent -lt 1) { throw 'Canary needs -Percent, 1-99.' } }
        { $_ -in 'Promote', 'Abort' } {
            if ($newVersion) { throw "$Mode finishes the staged deployment: it takes no -Version or -Build." }
        }
    }
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
        # Staged deployments (Stage, Canary, Promote, Abort): nginx's candidate set by this run (the undo clears it),
        # the canary's percentage, what the lock keeps (Exit-DeployLock -KeepStaged) and whether it keeps it.
        CandidateSet      = $false
        Percent           = $Percent
        Staged            = $null
        KeepStaged        = $false
    }
    # -Canary without a version changes the deployment already staged (another percentage, or stage to canary).
    $table = switch ($Mode) {
        { $_ -in 'Swap', 'Rollback' } {
            Get-DeployStepTable -Mode $Mode -ToVersion:($Mode -eq 'Rollback' -and [bool]$Version)
        }
        'Stage' { Get-StagedStepTable -Mode Stage }
        'Canary' { if ($newVersion) { Get-StagedStepTable -Mode Canary } else { Get-StagedStepTable -Mode Retarget } }
        default { Get-PromoteStepTable -Mode $Mode }
    }
    if ($Mode -eq 'Canary' -and -not $newVersion) { $run.Mode = 'Retarget' }
    try { Invoke-DeployStepTable -Run $run -Step $table }
    finally { Write-Progress -Activity $Mode -Completed }
    $report
}
