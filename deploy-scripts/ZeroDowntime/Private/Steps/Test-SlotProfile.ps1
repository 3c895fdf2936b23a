# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Test-SlotProfile {
    <#
    .SYNOPSIS
        Step 4b: smoke test. GET /profile on the slot directly must report the slot and the expected version.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [AllowEmptyString()] [string] $ContainerId,
        [string] $ExpectedVersion
    )

    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Smoke-test /profile (slot $Slot, version $ExpectedVersion)")) {
        return $ExpectedVersion
    }
    $probe = Invoke-SlotProbe -ContainerId $ContainerId -Path '/profile'
    $problem = Get-ProfileMismatch -Probe $probe -Slot $Slot -ExpectedVersion $ExpectedVersion
    if ($problem) { throw "Smoke test of api-${Slot}: $problem." }
    [string]$probe.Json.version
}
