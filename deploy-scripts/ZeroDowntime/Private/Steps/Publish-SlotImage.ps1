# ZeroDowntime module, private (Steps): not exported.
# Called by: Start-IdleSlot
function Publish-SlotImage {
    <#
    .SYNOPSIS
        Points the slot's mutable tag (<repository>:<slot>) at the requested version's image.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [string] $Version,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    if (-not $PSCmdlet.ShouldProcess("${Repository}:$Slot", "Tag image ${Repository}:$Version")) { return $null }
    # The image the tag pointed at before, so that an undo can point it back: the idle slot is the rollback target.
    $previous = Invoke-Docker -AllowFailure -ArgumentList 'image', 'inspect', '--format', '{{.Id}}',
        "${Repository}:$Slot"
    $null = Invoke-Docker -ArgumentList 'tag', "${Repository}:$Version", "${Repository}:$Slot"
    if ($previous.ExitCode -eq 0) { $previous.StdOut.Trim() } else { $null }
}
