# ZeroDowntime module, private (Parsing): not exported.
# Called by: Invoke-DeployPreflight
function Get-SlotTimeout {
    <#
    .SYNOPSIS
        Reads a slot's stop grace period, app shutdown timeout and longest request from `docker compose config`.
    .DESCRIPTION
        Defaults are those that apply when a value is not set: Docker's 10 s stop grace, the app's 30 s shutdown
        timeout and 10 s request limit (api/Settings/AppOptions.cs).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [object] $ComposeConfig,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot
    )

    $serviceName = "api-$Slot"
    $service = $ComposeConfig.services.PSObject.Properties[$serviceName]
    if (-not $service) { throw "The compose project has no service '$serviceName'." }
    $service = $service.Value

    $grace = 10.0
    $graceProperty = $service.PSObject.Properties['stop_grace_period']
    if ($graceProperty -and $graceProperty.Value) {
        $grace = ConvertFrom-GoDuration -Value ([string]$graceProperty.Value)
    }

    $environment = $null
    $environmentProperty = $service.PSObject.Properties['environment']
    if ($environmentProperty) { $environment = $environmentProperty.Value }
    $readSeconds = {
        param([string] $Name, [double] $Default)
        if ($null -eq $environment) { return $Default }
        $entry = $environment.PSObject.Properties[$Name]
        if (-not $entry -or [string]::IsNullOrWhiteSpace([string]$entry.Value)) { return $Default }
        $parsed = 0.0
        if (-not [double]::TryParse([string]$entry.Value, [System.Globalization.NumberStyles]::Float,
                [cultureinfo]::InvariantCulture, [ref]$parsed)) {
            throw "$serviceName sets $Name to '$($entry.Value)': expected a number of seconds."
        }
        $parsed
    }

    [pscustomobject]@{
        Service                = $serviceName
        StopGraceSeconds       = $grace
        ShutdownTimeoutSeconds = & $readSeconds 'SHUTDOWN_TIMEOUT_SECONDS' 30
        MaxRequestSeconds      = & $readSeconds 'MAX_REQUEST_SECONDS' 10
    }
}
