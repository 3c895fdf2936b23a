# ZeroDowntime module, private (Stack): not exported.
# Called by: Get-DeployStatus, Invoke-DeployPreflight, Wait-SlotDrain, Wait-SlotReady
function Get-SlotContainer {
    <#
    .SYNOPSIS
        The container of a compose service (state, status, exit code) or $null when it does not exist.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Service
    )

    $result = Invoke-Compose -Context $Context -ArgumentList 'ps', '--all', '--format', 'json', $Service
    $containers = @(ConvertFrom-ComposeJsonLine -Text $result.StdOut)
    $container = $containers | Where-Object { $_.Service -eq $Service } | Select-Object -First 1
    if (-not $container) { return $null }
    # Fields differ between compose versions; a missing one reads as empty rather than failing under StrictMode.
    $field = { param([string] $Name) $p = $container.PSObject.Properties[$Name]; if ($p) { $p.Value } else { $null } }
    [pscustomobject]@{
        Service  = $Service
        Name     = [string](& $field 'Name')
        State    = [string](& $field 'State')
        Status   = [string](& $field 'Status')
        Health   = [string](& $field 'Health')
        ExitCode = [int](& $field 'ExitCode')
        Image    = [string](& $field 'Image')
    }
}
