# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable
function Set-ActiveSlot {
    <#
    .SYNOPSIS
        Step 5: routes nginx's traffic to a slot by renaming the active-slot marker (atomic; nginx is not reloaded).
    .DESCRIPTION
        nginx checks the marker on every request (nginx/snippets/active-slot.conf), so the rename is the switch: each
        request from then on goes to the new slot, and no connection of any client is closed. Idempotent: when the
        marker already names the slot, nothing happens (the undo of an interrupted switch may run twice). The rename
        runs inside nginx's container (`docker exec <id> sh -c ...`), whose id preflight read.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [string] $NginxContainerId,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $From
    )

    $to = Get-ActiveSlotMarkerPath -Slot $Slot
    $previous = Get-ActiveSlotMarkerPath -Slot $From
    if (-not $PSCmdlet.ShouldProcess('nginx', "Route traffic to api-$Slot (rename $previous to $to; no reload)")) {
        return
    }
    # The paths travel as arguments, not through a shell's quoting. rename(2) within one directory is atomic.
    $script = 'if [ -e "$1" ] && [ ! -e "$0" ]; then exit 0; fi; mv "$0" "$1"'
    $null = Invoke-Docker -ArgumentList 'exec', $NginxContainerId, 'sh', '-c', $script, $previous, $to
}
