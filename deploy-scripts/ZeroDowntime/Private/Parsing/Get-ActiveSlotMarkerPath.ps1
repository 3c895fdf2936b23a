# ZeroDowntime module, private (Parsing): not exported.
# Called by: Set-ActiveSlot
function Get-ActiveSlotMarkerPath {
    <#
    .SYNOPSIS
        The path, inside the nginx container, of the marker file that makes a slot the active one.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot)

    "$script:NginxStateDirectory/$script:ActiveSlotMarkerPrefix$Slot"
}
