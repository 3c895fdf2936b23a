# ZeroDowntime.psd1 - manifest of the module behind deploy-scripts/swap.ps1, rollback.ps1 and status.ps1, which
# import it by this path. FunctionsToExport names exactly the files in Public/ (checked by Tests/Manifest.Tests.ps1).
@{
    RootModule           = 'ZeroDowntime.psm1'
    ModuleVersion        = '1.0.0'
    GUID                 = '6f0d2b8e-4c1a-4f53-9a57-2d3c1e9b7a41'
    Author               = 'zero-downtime kit'
    Description          = 'Blue/green deploys of the API behind nginx under docker compose, without a failed request.'
    PowerShellVersion    = '7.4'
    CompatiblePSEditions = @('Core')
    FunctionsToExport    = @(
        'Format-DeployStatus'
        'Get-DeployHistory'
        'Get-DeployStatus'
        'Invoke-DeployCommand'
        'Invoke-MaintenanceCommand'
        'Invoke-PruneCommand'
        'Invoke-SlotDeployment'
        'New-DeployContext'
        'Write-DeployOutcome'
    )
    CmdletsToExport      = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{ PSData = @{} }
}
