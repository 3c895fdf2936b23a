# ZeroDowntime module, private (Stack): not exported.
# Called by: Get-DeployStateContainer, Get-DeployStatus, Get-DeployStepTable, Get-StagedStepTable,
#   Invoke-DeployPreflight, Invoke-MaintenanceCommand, Invoke-PruneCommand, Invoke-StagedPreflight
function Get-StackContainer {
    <#
    .SYNOPSIS
        The containers of the compose project (id, state, status, health, exit code), one per service, from one
        `docker compose ps` call; of the named services only with -Service. A service without a container is absent.
    .DESCRIPTION
        The one place that asks compose which container is a service's: every later question goes to the container
        by its id (docker exec, docker inspect), so that compose does not parse the project again for each of them.
        A container's id stays the same until compose recreates it, so a step resolves it once.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [string[]] $Service = @()
    )

    $result = Invoke-Compose -Context $Context -ArgumentList (@('ps', '--all', '--format', 'json') + $Service)
    foreach ($container in @(ConvertFrom-ComposeJsonLine -Text $result.StdOut)) {
        # Fields differ between compose versions; a missing one reads as empty rather than failing under StrictMode.
        $field = {
            param([string] $Name)
            $property = $container.PSObject.Properties[$Name]
            if ($property) { $property.Value } else { $null }
        }
        $name = [string](& $field 'Service')
        if (-not $name -or ($Service -and $name -notin $Service)) { continue }
        [pscustomobject]@{
            Service  = $name
            Id       = [string](& $field 'ID')
            Name     = [string](& $field 'Name')
            State    = [string](& $field 'State')
            Status   = [string](& $field 'Status')
            Health   = [string](& $field 'Health')
            ExitCode = [int](& $field 'ExitCode')
        }
    }
}
