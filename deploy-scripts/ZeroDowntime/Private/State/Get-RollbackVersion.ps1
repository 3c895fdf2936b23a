# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable
function Get-RollbackVersion {
    <#
    .SYNOPSIS
        The version the previous slot ran when traffic last left it (from the history: a swap, rollback or promote),
        or $null if unknown.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $ActiveSlot
    )

    # Only the moves of everyone's traffic: a stage, a canary (or its new split) and an abort leave the active slot
    # where it was, so their records say nothing about what ran before it (Invoke-DeployStateSql, DeployedVersions).
    $last = Get-DeployRecord -Context $Context -Last 50 |
        Where-Object { $_.Mode -in 'Swap', 'Rollback', 'Promote' -and $_.Result -eq 'Succeeded' -and
            $_.ToSlot -eq $ActiveSlot -and $_.FromSlot } |
        Select-Object -First 1
    if ($last -and $last.FromVersion) { [string]$last.FromVersion } else { $null }
}
