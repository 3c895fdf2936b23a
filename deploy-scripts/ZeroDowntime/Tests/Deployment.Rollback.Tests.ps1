#Requires -Version 7.4
<#
    Pester tests of Invoke-SlotDeployment -Mode Rollback (what rollback.ps1 runs): it goes through the same
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

        $report.RecordId | Should -Be 1
        $record = (Get-TestDeployRecord -Context $context)[0]
        $record.Mode | Should -Be 'Rollback'
        $record.FromSlot | Should -Be 'green'
        $record.ToSlot | Should -Be 'blue'
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
        $report.Error | Should -BeLike '*swap.ps1 -Version 3.0.0*-LockWaitSeconds*-BreakLock*'
        $script:Calls | Should -Not -Contain 'Start-Slot:blue'
    }
}

Describe 'Invoke-SlotDeployment -Mode Rollback -Version (a retained version)' {
    BeforeEach {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'blue' -ReportedVersion '2.0.0'
        # Three swaps: 1.0.0 -> 2.0.0 -> 3.0.0 -> 4.0.0 (blue serves 4.0.0), one failed try of 5.0.0.
        foreach ($move in @(@('1.0.0', '2.0.0', 'Succeeded'), @('2.0.0', '3.0.0', 'Succeeded'), @('3.0.0', '4.0.0', 'Succeeded'),
                @('4.0.0', '5.0.0', 'RolledBack'))) {
            Write-TestDeployRecord -Context $context -Report ([pscustomobject]@{
                    Mode = 'Swap'; FromVersion = $move[0]; ToVersion = $move[1]; Result = $move[2] })
        }
    }

    It 'deploys the version two deploys back through the swap''s steps (retag, migrate, recreate) and records a rollback' {
        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -Version '2.0.0' -WarningAction SilentlyContinue

        $report.Error | Should -BeNullOrEmpty
        $report.Result | Should -Be 'Succeeded'
        $script:Calls | Should -Be @(
            'Invoke-DeployPreflight',
            'Publish-SlotImage:green', 'Invoke-SlotMigration:green', 'Start-Slot:green', 'Recreate',
            'Wait-SlotReady:green', 'Test-SlotProfile:green', 'Wait-SlotThroughNginx:green', 'Invoke-GateWarmup:green',
            'Set-ActiveSlot:green', 'Wait-PublicSlot:green', 'Set-RoutingState:Clear', 'Wait-SlotDrain:blue',
            'Stop-Slot:blue')
        $script:ExpectedVersionSeen | Should -Be '2.0.0'
        $record = (Get-TestDeployRecord -Context $context)[0]
        $record.Mode | Should -Be 'Rollback'
        $record.ToVersion | Should -Be '2.0.0'
    }

    It 'refuses a version outside the window before anything runs, listing the retained versions' {
        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -Version '2.0.0' -RetainVersions 2 `
            -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Refused'
        $report.ExitCode | Should -Be 2
        $report.Error | Should -BeLike '*2.0.0 is not retained*4.0.0, 3.0.0*'
        $script:Calls | Should -BeNullOrEmpty
    }

    It 'refuses the version already live' {
        Register-DeployStepMock -ActiveSlot 'blue' -ReportedVersion '4.0.0'
        Mock -ModuleName ZeroDowntime Invoke-DeployPreflight {
            [pscustomobject]@{ ActiveSlot = 'blue'; TargetSlot = 'green'; ActiveVersion = '4.0.0'; ImageRepository = 'r'
                Warnings = @(); NginxContainerId = 'id-nginx'; ActiveContainerId = 'id-blue' }
        }

        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -Version '4.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -Be 'Version 4.0.0 is already live on blue.'
    }

    It 'refuses a version that never went live (every try failed)' {
        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -Version '5.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -BeLike '*5.0.0 is not retained*'
    }

    It 'uses the window the last swap recorded when none is given' {
        Write-TestDeployRecord -Context $context -Report ([pscustomobject]@{
                Mode = 'Swap'; FromVersion = '4.0.0'; ToVersion = '4.0.1'; Result = 'Succeeded'
                Details = [pscustomobject]@{ RetainVersions = 2 } })

        $report = Invoke-SlotDeployment -Context $context -Mode Rollback -Version '3.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -BeLike '*last 2 versions*4.0.1, 4.0.0*'
    }
}
