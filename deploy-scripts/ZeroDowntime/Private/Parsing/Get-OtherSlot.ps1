# ZeroDowntime module, private (Parsing): not exported.
# Called by: Invoke-DeployPreflight
function Get-OtherSlot {
    <#
    .SYNOPSIS
        The slot that is not the given one: blue <-> green.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot)

    if ($Slot -eq 'blue') { 'green' } else { 'blue' }
}
