# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable
function Get-RollbackVersion {
    <#
    .SYNOPSIS
        The version the previous slot ran when traffic last left it (from the history), or $null if unknown.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $ActiveSlot
    )

    $last = Get-DeployRecord -Context $Context -Last 50 |
        Where-Object { $_.Result -eq 'Succeeded' -and $_.ToSlot -eq $ActiveSlot -and $_.FromSlot } |
        Select-Object -First 1
    if ($last -and $last.FromVersion) { [string]$last.FromVersion } else { $null }
}
