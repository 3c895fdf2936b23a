# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Restore-SlotImage {
    <#
    .SYNOPSIS
        Points the slot's tag back at the image it had before a failed swap (an image id from Publish-SlotImage).
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [string] $ImageId
    )

    if ($PSCmdlet.ShouldProcess("${Repository}:$Slot", "Tag image $ImageId again")) {
        $null = Invoke-Docker -ArgumentList 'tag', $ImageId, "${Repository}:$Slot"
    }
}
