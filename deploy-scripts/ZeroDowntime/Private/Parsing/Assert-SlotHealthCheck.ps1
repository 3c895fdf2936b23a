# ZeroDowntime module, private (Parsing): not exported.
# Called by: Invoke-DeployPreflight
function Assert-SlotHealthCheck {
    <#
    .SYNOPSIS
        Throws when the compose model disables a slot's health check: the gate reads readiness from it.
    .DESCRIPTION
        A service without a healthcheck key still has the image's HEALTHCHECK (api/Dockerfile); only `disable: true`
        or a test of NONE takes it away, and then Docker never calls the slot healthy.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [object] $ComposeConfig,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    $service = $ComposeConfig.services.PSObject.Properties["api-$Slot"]
    if (-not $service) { throw "The compose project has no service 'api-$Slot'." }
    $healthcheck = $service.Value.PSObject.Properties['healthcheck']
    if (-not $healthcheck -or -not $healthcheck.Value) { return }
    $disable = $healthcheck.Value.PSObject.Properties['disable']
    $test = $healthcheck.Value.PSObject.Properties['test']
    if (($disable -and $disable.Value -eq $true) -or ($test -and @($test.Value)[0] -eq 'NONE')) {
        throw "api-${Slot}'s health check is disabled in the compose file; a swap reads the slot's readiness from " +
            "Docker's health status (api/Dockerfile's HEALTHCHECK). Remove 'disable: true' from api-$Slot's " +
            'healthcheck.'
    }
}
