# ZeroDowntime module, private (Stack): not exported.
# Called by: Confirm-SlotSwitch, Get-DeployStatus, Invoke-DeployPreflight, Invoke-StagedPreflight
function Get-ActiveSlot {
    <#
    .SYNOPSIS
        Reads which slot nginx routes to: the one marker file in nginx's state directory (`docker exec <nginx> ls`).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $NginxContainerId)

    $listing = (Invoke-Docker -ArgumentList 'exec', $NginxContainerId, 'ls', '-1', $script:NginxStateDirectory).StdOut
    [pscustomobject]@{ Slot = ConvertFrom-ActiveSlotMarker -Listing $listing }
}
