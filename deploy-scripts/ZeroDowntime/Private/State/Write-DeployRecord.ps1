# ZeroDowntime module, private (State): not exported.
# Called by: Get-DeployStepTable, Get-PromoteStepTable, Get-StagedStepTable
function Write-DeployRecord {
    <#
    .SYNOPSIS
        Writes the deploy report as JSON into <StateDirectory>/deploys and returns the file's path.
    #>
    [CmdletBinding(SupportsShouldProcess, DefaultParameterSetName = 'Directory')]
    [OutputType([string])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Directory')] [string] $StateDirectory,
        [Parameter(Mandatory, ParameterSetName = 'Context')] [pscustomobject] $Context,
        [Parameter(Mandatory)] [pscustomobject] $Report
    )

    if ($Context) { $StateDirectory = $Context.StateDirectory }

    $directory = Join-Path $StateDirectory 'deploys'
    $name = '{0}-{1}-{2}-to-{3}.json' -f $Report.StartedAt.UtcDateTime.ToString('yyyyMMddTHHmmssfffZ'),
        $Report.Mode.ToLowerInvariant(), $Report.FromSlot, $Report.ToSlot
    $path = Join-Path $directory $name
    if (-not $PSCmdlet.ShouldProcess($path, 'Write the deploy record')) { return $null }
    $null = New-Item -ItemType Directory -Path $directory -Force
    # Written to a temporary name and moved, so that status.ps1 never reads half a record.
    $temporary = "$path.tmp"
    $Report | Select-Object -Property * -ExcludeProperty RecordPath | ConvertTo-Json -Depth 6 |
        Set-Content -LiteralPath $temporary -Encoding utf8NoBOM
    Move-Item -LiteralPath $temporary -Destination $path -Force
    $path
}
