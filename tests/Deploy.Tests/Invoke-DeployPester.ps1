#!/usr/bin/env pwsh
#Requires -Version 7.4

<#
.SYNOPSIS
    Runs the Pester tests beside the deploy scripts and prints one machine-readable summary line.

.DESCRIPTION
    Called by PesterTests.cs (tests/Deploy.Tests) through `dotnet pwsh`, so that `dotnet test` runs the Pester
    tests. Imports Pester from the given module path (the NuGet global packages folder), runs every *.Tests.ps1
    under the given path (Pester searches folders recursively: deploy-scripts/*.Tests.ps1 beside the entry scripts
    and deploy-scripts/ZeroDowntime/Tests/*.Tests.ps1 beside the module), writes the detailed output, then
    `PESTER-SUMMARY {json}` with the test files that ran. Exit code 0 only when tests ran and none failed.

.PARAMETER PesterModule
    Path of Pester.psd1.

.PARAMETER TestPath
    The folder (or files) holding the *.Tests.ps1 files.

.EXAMPLE
    dotnet pwsh tests/Deploy.Tests/Invoke-DeployPester.ps1 -PesterModule ~/.nuget/packages/pester/6.2.0/tools/Pester.psd1 -TestPath deploy-scripts

.EXAMPLE
    dotnet pwsh tests/Deploy.Tests/Invoke-DeployPester.ps1 -PesterModule ./Pester.psd1 -TestPath deploy-scripts/ZeroDowntime/Tests/Runner.Tests.ps1
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [ValidateScript({ Test-Path -LiteralPath $_ -PathType Leaf })]
    [string] $PesterModule,

    [Parameter(Mandatory)]
    [ValidateNotNullOrEmpty()]
    [string[]] $TestPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

Import-Module -Name $PesterModule -MinimumVersion 6.2.0
$configuration = New-PesterConfiguration
$configuration.Run.Path = $TestPath
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
$configuration.Output.RenderMode = 'Plaintext'
$result = Invoke-Pester -Configuration $configuration

$failed = @($result.Failed | ForEach-Object { "$($_.ExpandedPath): $($_.ErrorRecord | Select-Object -First 1)" })
$summary = [ordered]@{
    Total       = $result.TotalCount
    Passed      = $result.PassedCount
    Failed      = $result.FailedCount
    Skipped     = $result.SkippedCount
    # Errors in discovery or in BeforeAll blocks fail whole containers without failing a single test.
    FailedBlocks = $result.FailedBlocksCount + $result.FailedContainersCount
    Failures    = $failed
    # Which files ran, so that the caller can check that none was missed (a moved test file is found or fails).
    Files       = @($result.Containers | Where-Object Type -EQ 'File' | ForEach-Object { $_.Item.FullName })
}
"PESTER-SUMMARY $($summary | ConvertTo-Json -Compress -Depth 3)"
if ($result.Result -eq 'Passed' -and $result.PassedCount -gt 0) { exit 0 }
exit 1
