# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-SlotDeployment
function Undo-SlotSwitch {
    <#
    .SYNOPSIS
        After a failure in steps 3-6: routes traffic back to the old slot if the marker was moved, then stops the
        new slot once nothing reaches it any more. The old slot keeps serving throughout.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [pscustomobject] $Plan,
        [Parameter(Mandatory)] [pscustomobject] $State
    )

    # Each part of the undo shows a line like the steps do, so the operator sees what was put back.
    $show = {
        param([string] $Name, [scriptblock] $Action)
        $watch = [System.Diagnostics.Stopwatch]::StartNew()
        try {
            & $Action
            Show-DeployStep -Number 0 -Name $Name -Outcome 'ok' -Seconds $watch.Elapsed.TotalSeconds
        }
        catch {
            Show-DeployStep -Number 0 -Name $Name -Outcome 'failed' -Seconds $watch.Elapsed.TotalSeconds
            throw
        }
    }
    $old = $Plan.ActiveSlot
    $new = $Plan.TargetSlot
    if ($State.MarkerMoved) {
        & $show "Switch nginx back to $old" { Set-ActiveSlot -Context $Context -Slot $old -From $new }
        $State.MarkerMoved = $false
        # Requests may have reached the new slot between the switch and now: let them finish before stopping it.
        & $show "Drain $new" {
            $null = Wait-SlotDrain -Context $Context -Slot $new -TimeoutSeconds $Context.DrainTimeoutSeconds
        }
    }
    if ($State.TargetStarted) {
        & $show "Stop $new" { Stop-Slot -Context $Context -Slot $new }
    }
    if ($State.PreviousSlotImage) {
        & $show "Tag ${new}'s previous image again" {
            Restore-SlotImage -Repository $Plan.ImageRepository -Slot $new -ImageId $State.PreviousSlotImage
        }
    }
}
