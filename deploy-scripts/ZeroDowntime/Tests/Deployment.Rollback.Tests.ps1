#Requires -Version 7.4
<#
    Pester tests of Invoke-SlotDeployment -Mode Rollback (what rollback.ps1 runs): it goes through the same nine
    step functions as swap, without retag or migration, keeps the previous slot's container (no recreate), and undoes
    itself like swap on a failure. Step functions mocked inside the module (TestHelpers.ps1). Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Invoke-SlotDeployment -Mode Rollback' {
    It 'starts the previous slot as it is, then gates, switches, verifies, drains and stops like swap' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green' -ReportedVersion '1.0.0'

        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        $script:Calls | Should -Be @(
            'Invoke-DeployPreflight',
            'Start-Slot:blue',
            'Wait-SlotReady:blue', 'Test-SlotProfile:blue', 'Wait-SlotThroughNginx:blue', 'Invoke-GateWarmup:blue',
            'Set-ActiveSlot:blue',
            'Wait-PublicSlot:blue',
            'Set-RoutingState:Clear',
            'Wait-SlotDrain:green',
            'Stop-Slot:green'
        )
        $report.Result | Should -Be 'Succeeded'
        $report.Mode | Should -Be 'Rollback'
        $report.FromSlot | Should -Be 'green'
        $report.ToSlot | Should -Be 'blue'
        $report.ToVersion | Should -Be '1.0.0'
    }

    It 'expects no particular version at the smoke test when no record says what ran before' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green'

        $null = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        $script:ExpectedVersionSeen | Should -BeNullOrEmpty
    }

    It 'expects the version that ran before the last successful deploy to the active slot' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green'
        $records = @(
            @{ Minute = 1; From = 'green'; To = 'blue'; FromVersion = '0.9.0'; Result = 'Succeeded' }
            @{ Minute = 2; From = 'blue'; To = 'green'; FromVersion = '1.0.0'; Result = 'Succeeded' }
            @{ Minute = 3; From = 'green'; To = 'blue'; FromVersion = '2.0.0'; Result = 'RolledBack' }
        )
        foreach ($r in $records) {
            Write-TestDeployRecord -Context $context -Report ([pscustomobject]@{
                    Mode = 'Swap'; FromSlot = $r.From; ToSlot = $r.To; FromVersion = $r.FromVersion; Result = $r.Result
                    StartedAt = [DateTimeOffset]::new(2026, 1, 1, 0, $r.Minute, 0, [TimeSpan]::Zero) })
        }

        $null = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        $script:ExpectedVersionSeen | Should -Be '1.0.0'
    }

    It 'recreates the previous slot when its tag no longer names the image its container runs' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green'
        $script:ImageCurrent = $false

        $null = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        $script:Calls | Should -Contain 'Recreate'
    }

    It 'records the rollback as such' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green'

        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        Split-Path -Leaf $report.RecordPath | Should -BeLike '*-rollback-green-to-blue.json'
        (Get-TestDeployRecord -Context $context).Mode | Should -Be 'Rollback'
    }

    It 'keeps the current slot serving when the previous slot is not ready' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green' -FailAt 'Wait-SlotReady'

        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        $report.Result | Should -Be 'RolledBack'
        $report.ExitCode | Should -Be 1
        $script:Calls | Should -Not -Contain 'Set-ActiveSlot:blue'
        $script:Calls | Should -Not -Contain 'Stop-Slot:green'
        $script:Calls[-1] | Should -Be 'Stop-Slot:blue'
        # A rollback never retags, so there is no tag to put back.
        $script:Calls | Should -Not -Contain 'Restore-SlotImage:blue'
    }

    It 'is refused by the lock of a running swap' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green'
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 3.0.0'

        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -BeLike '*swap.ps1 -Version 3.0.0*-BreakLock*'
        $script:Calls | Should -Not -Contain 'Start-Slot:blue'
    }
}
