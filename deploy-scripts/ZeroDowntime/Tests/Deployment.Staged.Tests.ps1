#Requires -Version 7.4
<#
    Pester tests of staged deployments (what swap.ps1 -Stage, -Canary, -Promote and -Abort run): the order of their
    steps, the lock kept as a staged holder until a promote or abort adopts it, a plain swap refused meanwhile, and
    the undo after failures, the hooks. The docker-calling step functions are mocked inside the module
    (TestHelpers.ps1); the lock and the history run against its in-memory state store. tests/Proof.Tests runs the
    real script against a real stack under load.
    Run by tests/Deploy.Tests (PesterTests) or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Invoke-Staged {
        param([string] $Mode, [string] $Version, [int] $Percent)
        $arguments = @{ Context = $context; Mode = $Mode; WarningAction = 'SilentlyContinue' }
        if ($Version) { $arguments.Version = $Version }
        if ($Percent) { $arguments.Percent = $Percent }
        Invoke-SlotDeployment @arguments
    }

    # What Invoke-StagedPreflight reads from the stack, from the staged details the lock holds.
    function Register-StagedPreflightMock {
        Mock -ModuleName ZeroDowntime Invoke-StagedPreflight {
            & $script:Record 'Invoke-StagedPreflight'
            [pscustomobject]@{
                ActiveSlot = $Staged.FromSlot; TargetSlot = $Staged.Slot; ActiveVersion = $Staged.FromVersion
                ImageRepository = 'zdd-unit/api'; Warnings = @(); NginxContainerId = 'id-nginx'
                ActiveContainerId = "id-$($Staged.FromSlot)"; TargetContainerId = "id-$($Staged.Slot)"
                Routing = $script:Routing; AlreadySwitched = $false
            }
        }
    }
}

Describe 'swap.ps1 -Stage (Invoke-SlotDeployment -Mode Stage)' {
    BeforeEach {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'blue'
        Register-StagedPreflightMock
    }

    It 'takes the lock first, starts and gates the idle slot with the warm-up, stages it, and keeps the lock as staged' {
        $report = Invoke-Staged -Mode Stage -Version '2.0.0'

        $report.Result | Should -Be 'Succeeded'
        $script:Calls | Should -Be @(
            'Invoke-DeployPreflight',
            'Publish-SlotImage:green', 'Invoke-SlotMigration:green', 'Start-Slot:green', 'Recreate',
            'Wait-SlotReady:green', 'Test-SlotProfile:green', 'Wait-SlotThroughNginx:green', 'Invoke-GateWarmup:green',
            'Set-RoutingState:Stage:green', 'Test-CandidateRouting:green')
        @($report.Steps | ForEach-Object Name) | Should -Be @('Lock', 'Preflight', 'Hook pre-deploy (none)',
            'Start idle slot green', 'Gate green (ready, smoke test, via nginx, warm-up)',
            'Stage green for opt-in requests', 'Hook on-failure (none)', 'Record')
        $holder = Get-TestDeployLock -Context $context
        $holder.Kind | Should -Be 'staged'
        $holder.Alive | Should -BeTrue
        $holder.Staged.Slot | Should -Be 'green'
        $holder.Staged.FromSlot | Should -Be 'blue'
        $holder.Staged.Version | Should -Be '2.0.0'
        $holder.Staged.Mode | Should -Be 'Stage'
        # Keys beyond the interface's survive the store's round trip: abort and status read them.
        $holder.Staged.PreviousSlotImage | Should -Be 'sha256:previous'
        $holder.Staged.ChangedAt | Should -Not -BeNullOrEmpty
        (Get-TestDeployRecord -Context $context -Last 1).Mode | Should -Be 'Stage'
    }

    It 'refuses a plain swap and a rollback while staged, naming -Promote and -Abort, and changes nothing' {
        $null = Invoke-Staged -Mode Stage -Version '2.0.0'
        $script:Calls.Clear()

        $swap = Invoke-SlotDeployment -Context $context -Mode Swap -Version '3.0.0' -WarningAction SilentlyContinue
        $rollback = Invoke-SlotDeployment -Context $context -Mode Rollback -WarningAction SilentlyContinue

        foreach ($report in $swap, $rollback) {
            $report.Result | Should -Be 'Refused'
            $report.ExitCode | Should -Be 2
            $report.Error | Should -BeLike '*staged deployment*-Promote*-Abort*'
        }
        $script:Calls | Should -Not -Contain 'Start-Slot:green'
        (Get-TestDeployLock -Context $context).Kind | Should -Be 'staged'
    }

    It 'unwinds like a swap when the routing check fails: candidate cleared, slot stopped, tag back, lock released' {
        Register-DeployStepMock -ActiveSlot 'blue' -FailAt 'Test-CandidateRouting'
        Register-StagedPreflightMock

        $report = Invoke-Staged -Mode Stage -Version '2.0.0'

        $report.Result | Should -Be 'RolledBack'
        $report.ExitCode | Should -Be 1
        $report.FailedStep | Should -Be 6
        $script:Calls[-3..-1] | Should -Be @('Set-RoutingState:Clear', 'Stop-Slot:green', 'Restore-SlotImage:green')
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
    }
}

Describe 'swap.ps1 -Canary (Invoke-SlotDeployment -Mode Canary)' {
    BeforeEach {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'blue'
        Register-StagedPreflightMock
    }

    It 'stages and warms up before it draws the first real client, then keeps the canary staged' {
        $report = Invoke-Staged -Mode Canary -Version '2.0.0' -Percent 10

        $report.Result | Should -Be 'Succeeded'
        $warm = $script:Calls.IndexOf('Invoke-GateWarmup:green')
        $warm | Should -BeLessThan $script:Calls.IndexOf('Set-RoutingState:Canary:green:10')
        $holder = Get-TestDeployLock -Context $context
        $holder.Staged.Mode | Should -Be 'Canary'
        $holder.Staged.Percent | Should -Be 10
    }

    It 'changes the split of the staged canary without starting anything, and keeps it staged' {
        $null = Invoke-Staged -Mode Canary -Version '2.0.0' -Percent 10
        $script:Calls.Clear()

        $report = Invoke-Staged -Mode Canary -Percent 50

        $report.Result | Should -Be 'Succeeded'
        $report.Mode | Should -Be 'Canary'
        $report.ToSlot | Should -Be 'green'
        $script:Calls | Should -Be @('Invoke-StagedPreflight', 'Set-RoutingState:Canary:green:50', 'Test-CandidateRouting:green')
        $holder = Get-TestDeployLock -Context $context
        $holder.Kind | Should -Be 'staged'
        $holder.Staged.Percent | Should -Be 50
        $holder.Staged.Version | Should -Be '2.0.0'
    }

    It 'turns a staged deployment into a canary' {
        $null = Invoke-Staged -Mode Stage -Version '2.0.0'

        $null = Invoke-Staged -Mode Canary -Percent 20

        (Get-TestDeployLock -Context $context).Staged.Mode | Should -Be 'Canary'
    }

    It 'refuses a new percentage when nothing is staged, and changes nothing' {
        $report = Invoke-Staged -Mode Canary -Percent 50

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -BeLike 'nothing is staged*'
        $script:Calls | Should -BeNullOrEmpty
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
    }

    It 'keeps the canary staged as it was when the new split fails' {
        $null = Invoke-Staged -Mode Canary -Version '2.0.0' -Percent 10
        Register-DeployStepMock -ActiveSlot 'blue' -FailAt 'Set-RoutingState:Canary:green:50'
        Register-StagedPreflightMock

        $report = Invoke-Staged -Mode Canary -Percent 50

        $report.ExitCode | Should -Be 1
        $report.Hint | Should -BeLike '*unchanged*-Promote*-Abort*'
        $holder = Get-TestDeployLock -Context $context
        $holder.Kind | Should -Be 'staged'
        $holder.Staged.Percent | Should -Be 10
    }
}

Describe 'swap.ps1 -Promote and -Abort' {
    BeforeEach {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'blue'
        Register-StagedPreflightMock
        $null = Invoke-Staged -Mode Canary -Version '2.0.0' -Percent 10
        $script:Calls.Clear()
    }

    It 'promotes: re-gates, switches, verifies, clears the candidate, drains and stops the old slot, releases the lock' {
        $report = Invoke-Staged -Mode Promote

        $report.Result | Should -Be 'Succeeded'
        $report.FromSlot | Should -Be 'blue'
        $report.ToSlot | Should -Be 'green'
        $report.ToVersion | Should -Be '2.0.0'
        $script:Calls | Should -Be @(
            'Invoke-StagedPreflight', 'Wait-SlotReady:green', 'Test-SlotProfile:green', 'Wait-SlotThroughNginx:green',
            'Set-ActiveSlot:green', 'Wait-PublicSlot:green', 'Set-RoutingState:Clear', 'Wait-SlotDrain:blue',
            'Stop-Slot:blue')
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
        (Get-TestDeployRecord -Context $context -Last 1).Mode | Should -Be 'Promote'
    }

    It 'keeps the deployment staged when the promote fails before the point of no return (<FailAt>)' -ForEach @(
        @{ FailAt = 'Wait-SlotReady'; Back = $false }
        @{ FailAt = 'Set-ActiveSlot:green'; Back = $true }
        @{ FailAt = 'Wait-PublicSlot'; Back = $true }
    ) {
        Register-DeployStepMock -ActiveSlot 'blue' -FailAt $FailAt
        Register-StagedPreflightMock

        $report = Invoke-Staged -Mode Promote

        $report.Result | Should -Be 'RolledBack'
        $report.Hint | Should -BeLike '*still staged*-Abort*'
        # Back to the staged state: the marker moved back, the candidate kept, neither slot stopped.
        if ($Back) { $script:Calls[-1] | Should -Be 'Set-ActiveSlot:blue' }
        $script:Calls | Should -Not -Contain 'Set-RoutingState:Clear'
        $script:Calls | Should -Not -Contain 'Stop-Slot:blue'
        $script:Calls | Should -Not -Contain 'Stop-Slot:green'
        (Get-TestDeployLock -Context $context).Kind | Should -Be 'staged'
    }

    It 'aborts: everyone back at once, then drains and stops the staged slot and tags its previous image again' {
        $report = Invoke-Staged -Mode Abort

        $report.Result | Should -Be 'Succeeded'
        $script:Calls | Should -Be @(
            'Invoke-StagedPreflight', 'Set-RoutingState:Clear', 'Test-CandidateRouting:blue', 'Wait-SlotDrain:green',
            'Stop-Slot:green', 'Restore-SlotImage:green')
        $script:RestoredImage | Should -Be 'sha256:previous'
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
    }

    It 'refuses a promote or abort with a version, and when nothing is staged' {
        { Invoke-SlotDeployment -Context $context -Mode Promote -Version '3.0.0' } | Should -Throw '*no -Version*'
        $null = Invoke-Staged -Mode Abort

        $report = Invoke-Staged -Mode Promote

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -BeLike 'nothing is staged*'
    }
}

Describe 'Staged deployments in maintenance mode' {
    It 'promotes with the switch verified on the marker and the preview server (the public server answers 503)' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'blue'
        Register-StagedPreflightMock
        $null = Invoke-Staged -Mode Stage -Version '2.0.0'
        $script:Calls.Clear()
        $script:MaintenanceOn = $true
        $script:ActiveAfterSwitch = 'green'

        $report = Invoke-Staged -Mode Promote

        $report.Result | Should -Be 'Succeeded'
        $script:Calls | Should -Not -Contain 'Wait-PublicSlot:green'
        @($script:Calls | Where-Object { $_ -eq 'Wait-SlotThroughNginx:green' }) | Should -HaveCount 2
        $report.Warnings | Should -Contain ("Maintenance mode is on: public requests get 503, so the switch was verified " +
            "on nginx's marker and through its preview server; green serves once maintenance.ps1 -Off runs.")
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
    }
}

Describe 'Hooks of staged deployments' {
    BeforeEach {
        $context = Get-TestContext
        $null = New-Item -ItemType Directory -Path $context.HooksDirectory
        $log = Join-Path $context.HooksDirectory 'ran.log'
        Register-DeployStepMock -ActiveSlot 'blue'
        Register-StagedPreflightMock
        foreach ($name in 'pre-deploy', 'post-switch', 'post-deploy', 'on-failure') {
            New-TestHook -Directory $context.HooksDirectory -Log $log -Name $name
        }
    }

    It 'runs pre-deploy before a canary starts, nothing on a new split, post-switch and post-deploy on the promote' {
        $null = Invoke-Staged -Mode Canary -Version '2.0.0' -Percent 10
        $null = Invoke-Staged -Mode Canary -Percent 50
        $report = Invoke-Staged -Mode Promote

        $report.Result | Should -Be 'Succeeded'
        Get-Content -LiteralPath $log | Should -Be @(
            'pre-deploy op=canary version=2.0.0 from=blue to=green result=Running failed='
            'post-switch op=promote version=2.0.0 from=blue to=green result=Running failed='
            'post-deploy op=promote version=2.0.0 from=blue to=green result=Succeeded failed=')
        @((Get-TestDeployRecord -Context $context -Last 1).Hooks | ForEach-Object Name) |
            Should -Be @('post-switch', 'post-deploy')
    }

    It 'refuses a stage when pre-deploy fails: nothing started, no lock kept, the refusal recorded, on-failure run' {
        New-TestHook -Directory $context.HooksDirectory -Log $log -Name 'pre-deploy' -ExitCode 3

        $report = Invoke-Staged -Mode Stage -Version '2.0.0'

        $report.Result | Should -Be 'Refused'
        $report.FailedStep | Should -Be 3
        $script:Calls | Should -Be @('Invoke-DeployPreflight')
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
        (Get-TestDeployRecord -Context $context -Last 1).Result | Should -Be 'Refused'
        Get-Content -LiteralPath $log | Should -Be @(
            'pre-deploy op=stage version=2.0.0 from=blue to=green result=Running failed='
            'on-failure op=stage version=2.0.0 from=blue to=green result=Refused failed=3')
    }

    It 'runs on-failure when a promote fails, and the deployment stays staged' {
        $null = Invoke-Staged -Mode Stage -Version '2.0.0'
        Register-DeployStepMock -ActiveSlot 'blue' -FailAt 'Wait-PublicSlot'
        Register-StagedPreflightMock

        $report = Invoke-Staged -Mode Promote

        $report.Result | Should -Be 'RolledBack'
        (Get-Content -LiteralPath $log)[-1] | Should -BeLike 'on-failure op=promote version=2.0.0 * result=RolledBack*'
        (Get-TestDeployLock -Context $context).Kind | Should -Be 'staged'
    }
}

Describe 'The staged lock (state store)' {
    BeforeEach { $context = Get-TestContext }
    AfterEach { InModuleScope ZeroDowntime { $script:HeldLock = $null } }

    It 'survives its process as a staged holder, refuses -BreakLock without -Force, and is adopted once' {
        InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            $null = Enter-DeployLock -Context $Context -Command 'swap.ps1 -Stage -Version 2'
            Exit-DeployLock -Context $Context -KeepStaged -Staged @{ Slot = 'green'; FromSlot = 'blue'; Version = '2'
                Mode = 'Stage'; StagedBy = 'ci@host'; StagedAt = '2026-01-01T00:00:00Z' }
            $holder = Get-DeployLock -Context $Context
            $holder.Kind | Should -Be 'staged'
            $holder.Staged | Should -BeOfType [hashtable]

            { Enter-DeployLock -Context $Context -Command 'swap.ps1' -BreakLock } | Should -Throw '*staged*-Promote*-Abort*'
            $null = Enter-DeployLock -Context $Context -Command 'swap.ps1 -Promote' -AdoptStaged
            $adopted = Get-DeployLock -Context $Context
            $adopted.Kind | Should -Be 'run'
            $adopted.Pid | Should -Be $PID
            $adopted.Staged.Slot | Should -Be 'green'
            # Another process adopting it now finds no staged holder (this one no longer holds the lock, as it sees).
            $held = $script:HeldLock
            $script:HeldLock = $null
            { Enter-DeployLock -Context $Context -Command 'swap.ps1 -Abort' -AdoptStaged } | Should -Throw 'nothing is staged*'
            $script:HeldLock = $held
            Exit-DeployLock -Context $Context
            Get-DeployLock -Context $Context | Should -BeNullOrEmpty
        }
    }

    It 'is removed by -BreakLock -Force' {
        InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            $null = Enter-DeployLock -Context $Context -Command 'swap.ps1 -Stage -Version 2'
            Exit-DeployLock -Context $Context -KeepStaged -Staged @{ Slot = 'green'; Mode = 'Stage' }

            $null = Enter-DeployLock -Context $Context -Command 'swap.ps1' -BreakLock -Force -WarningAction SilentlyContinue

            (Get-DeployLock -Context $Context).Kind | Should -Be 'run'
        }
    }
}

Describe 'Warm-up paths' {
    It 'reads <Spec> as <Path> accepting <Accepted>' -ForEach @(
        @{ Spec = '/profile'; Path = '/profile'; Accepted = @(200) }
        @{ Spec = '/notes/0 404'; Path = '/notes/0'; Accepted = @(404) }
        @{ Spec = '/notes?take=1 200,304'; Path = '/notes?take=1'; Accepted = @(200, 304) }
    ) {
        $parsed = InModuleScope ZeroDowntime -Parameters @{ Spec = $Spec } { ConvertFrom-WarmupPath -Spec $Spec }

        $parsed.Path | Should -BeExactly $Path
        $parsed.Accepted | Should -Be $Accepted
    }

    It 'splits a setting on semicolons' {
        $parsed = InModuleScope ZeroDowntime { ConvertFrom-WarmupPath -Spec '/profile; /notes/0 404' }

        @($parsed.Path) | Should -Be @('/profile', '/notes/0')
    }

    It 'refuses <Spec>' -ForEach @(
        @{ Spec = 'profile' }, @{ Spec = '/a b' }, @{ Spec = '/a 99' }, @{ Spec = '/a 600' }, @{ Spec = "/a`tb" }
    ) {
        { InModuleScope ZeroDowntime -Parameters @{ Spec = $Spec } { ConvertFrom-WarmupPath -Spec $Spec } } |
            Should -Throw '*expected*<path>*'
    }

    It 'comes from -WarmupPath, else ZDD_WARMUP_PATHS in the env file, else the default; off turns it off' {
        $envFile = Join-Path $TestDrive 'warmup.env'
        Set-Content -LiteralPath $envFile -Value "DB_NAME=app`nZDD_WARMUP_PATHS='/profile;/notes/0 404'"

        $fromFile = New-DeployContext -ProjectName 'zdd-unit' -EnvFile $envFile
        $given = New-DeployContext -ProjectName 'zdd-unit' -EnvFile $envFile -WarmupPath '/x'
        $off = New-DeployContext -ProjectName 'zdd-unit' -EnvFile $envFile -WarmupPath 'off'
        $default = New-DeployContext -ProjectName 'zdd-unit' -ComposeFile (Join-Path $TestDrive 'c.yaml')

        @($fromFile.WarmupPath.Path) | Should -Be @('/profile', '/notes/0')
        @($given.WarmupPath.Path) | Should -Be @('/x')
        @($off.WarmupPath) | Should -BeNullOrEmpty
        @($default.WarmupPath.Path) | Should -Be @('/profile', '/notes?take=1', '/notes/0')
    }
}
