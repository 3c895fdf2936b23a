# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStatus, Get-RollbackVersion
function Get-DeployRecord {
    <#
    .SYNOPSIS
        The last deploy records, newest first.
    #>
    [OutputType([pscustomobject])]
    [CmdletBinding(DefaultParameterSetName = 'Directory')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Directory')] [string] $StateDirectory,
        [Parameter(Mandatory, ParameterSetName = 'Context')] [pscustomobject] $Context,
        [ValidateRange(1, 1000)] [int] $Last = 5
    )

    if ($Context) { $StateDirectory = $Context.StateDirectory }

    $directory = Join-Path $StateDirectory 'deploys'
    if (-not (Test-Path -LiteralPath $directory)) { return }
    # File names start with a sortable UTC timestamp.
    Get-ChildItem -LiteralPath $directory -Filter '*.json' |
        Sort-Object -Property Name -Descending |
        Select-Object -First $Last |
        ForEach-Object { Get-Content -LiteralPath $_.FullName -Raw | ConvertFrom-Json }
}
