# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable
function Get-RollbackVersion {
    <#
    .SYNOPSIS
        The version the previous slot ran when traffic last left it (from the deploy records), or $null if unknown.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $StateDirectory,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $ActiveSlot
    )

    $last = Get-DeployRecord -StateDirectory $StateDirectory -Last 50 |
        Where-Object { $_.Result -eq 'Succeeded' -and $_.ToSlot -eq $ActiveSlot } |
        Select-Object -First 1
    if ($last -and $last.FromVersion) { [string]$last.FromVersion } else { $null }
}
