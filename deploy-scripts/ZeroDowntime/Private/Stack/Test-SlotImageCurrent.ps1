# ZeroDowntime module, private (Stack): not exported.
# Called by: Get-DeployStepTable
function Test-SlotImageCurrent {
    <#
    .SYNOPSIS
        True when the slot's container runs the image its tag names now (false: recreate it to follow the tag).
    #>
    [CmdletBinding()]
    [OutputType([bool])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    $id = (Invoke-Compose -Context $Context -ArgumentList 'ps', '--all', '--quiet', "api-$Slot").StdOut.Trim()
    if (-not $id) { return $false }
    $containerImage = (Invoke-Docker -ArgumentList 'inspect', '--format', '{{.Image}}', $id).StdOut.Trim()
    $tagImage = (Invoke-Docker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', "${Repository}:$Slot").StdOut
    $tagImage = $tagImage.Trim()
    $containerImage -eq $tagImage
}
