# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-StagedStepTable
function Start-IdleSlot {
    <#
    .SYNOPSIS
        The start step of a swap, a stage and a canary: builds the image when asked (-Build), points the idle slot's
        tag at the version, runs the version's migrations and recreates the slot from the tag.
    .DESCRIPTION
        Records on the run what the step's undo needs: PreviousSlotImage (the image the tag named before, tagged
        again by the undo) and TargetStarted (from the moment the slot may run, so that the undo stops it). Under
        -WhatIf each function it calls says what it would do.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory)] [pscustomobject] $Run)

    $plan = $Run.Plan
    if ($Run.Build) {
        if (-not $Run.Version) {
            $Run.Version = 'build-' + [DateTimeOffset]::UtcNow.ToString('yyyyMMddTHHmmssZ')
        }
        $Run.Report.ToVersion = $Run.Version
        New-ApiImage -Context $Run.Context -Repository $plan.ImageRepository -Version $Run.Version
    }
    $Run.PreviousSlotImage = Publish-SlotImage -Repository $plan.ImageRepository -Version $Run.Version `
        -Slot $plan.TargetSlot
    Invoke-SlotMigration -Context $Run.Context -Slot $plan.TargetSlot
    # From here on the target slot may be running: the undo stops it.
    $Run.TargetStarted = $true
    Start-Slot -Context $Run.Context -Slot $plan.TargetSlot -Recreate
}
