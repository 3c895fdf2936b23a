#Requires -Version 7.4
<#
    Pester tests of Invoke-SlotDeployment -Mode Swap (what swap.ps1 runs): the order of the thirteen steps, the undo
    after a failure in each of steps 4-7, hooks, maintenance mode, refusals that change nothing, and -WhatIf. The docker-calling step functions
    are mocked inside the module (TestHelpers.ps1); tests/Deploy.Tests runs the real script against a real stack.
    Run by tests/Deploy.Tests (PesterTests) or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Invoke-SlotDeployment -Mode Swap' {
    Context 'when every step succeeds' {
        BeforeEach {
            $context = Get-TestContext
            Register-DeployStepMock -ActiveSlot 'blue'
            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue
        }

        It 'runs the steps in the documented order, switching nginx before stopping the old slot' {
            $script:Calls | Should -Be @(
                'Invoke-DeployPreflight',
                'Publish-SlotImage:green', 'Invoke-SlotMigration:green', 'Start-Slot:green', 'Recreate',
                'Wait-SlotReady:green', 'Test-SlotProfile:green', 'Wait-SlotThroughNginx:green', 'Invoke-GateWarmup:green',
                'Set-ActiveSlot:green',
                'Wait-PublicSlot:green',
                'Set-RoutingState:Clear',
                'Wait-SlotDrain:blue',
                'Stop-Slot:blue'
            )
        }

        It 'reports success with exit code 0, both slots and versions' {
            $report.Result | Should -Be 'Succeeded'
            $report.ExitCode | Should -Be 0
            $report.FromSlot | Should -Be 'blue'
            $report.ToSlot | Should -Be 'green'
            $report.FromVersion | Should -Be '1.0.0'
            $report.ToVersion | Should -Be '2.0.0'
        }

        It 'gates on the requested version' {
            $script:ExpectedVersionSeen | Should -Be '2.0.0'
        }

        It 'asks each container by the id resolved once: the new slot''s at the gate, nginx''s and the old slot''s from preflight' {
            @($script:AskedContainers) | Should -Be @(
                'Wait-SlotReady:id-green', 'Test-SlotProfile:id-green', 'Wait-SlotThroughNginx:id-green',
                'Set-ActiveSlot:id-nginx', 'Wait-SlotDrain:id-blue')
            Should -Invoke -ModuleName ZeroDowntime Get-StackContainer -Times 1 -Exactly
        }

        It 'times all thirteen steps, the lock first, and appends the history, then releases the lock' {
            @($report.Steps | ForEach-Object Number) | Should -Be (1..13)
            $report.Steps[0].Name | Should -Be 'Lock'
            $report.Steps[1].Name | Should -Be 'Preflight'
            @($report.Steps | Where-Object Result -NE 'ok' | Where-Object Name -NE 'Record') | Should -BeNullOrEmpty
            $report.RecordId | Should -Be 1
            $record = (Get-TestDeployRecord -Context $context)[0]
            $record.FromSlot | Should -Be 'blue'
            $record.ToSlot | Should -Be 'green'
            $record.Result | Should -Be 'Succeeded'
            $record.Details.RetainVersions | Should -Be 5
            @($record.Steps).Count | Should -Be 13
            Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
        }
    }

    It 'chooses blue as the target when green is active' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'green'

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

        $report.ToSlot | Should -Be 'blue'
        $script:Calls | Should -Contain 'Start-Slot:blue'
        $script:Calls | Should -Contain 'Stop-Slot:green'
    }

    It 'builds the working tree first with -Build, under the given version' {
        $context = Get-TestContext
        Register-DeployStepMock

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -Build -WarningAction SilentlyContinue

        $script:Calls[1] | Should -Be 'New-ApiImage'
        $report.Result | Should -Be 'Succeeded'
    }

    Context 'when a step from 4 to 7 fails' {
        It 'leaves the old slot serving after <FailAt> fails: marker moved back <Restored>, new slot stopped <Stopped>' -ForEach @(
            # Before Start-Slot the idle slot's container is untouched (retag and migration do not touch it).
            @{ FailAt = 'Publish-SlotImage'; Restored = $false; Stopped = $false; Step = 4 }
            @{ FailAt = 'Invoke-SlotMigration'; Restored = $false; Stopped = $false; Step = 4 }
            @{ FailAt = 'Start-Slot'; Restored = $false; Stopped = $true; Step = 4 }
            @{ FailAt = 'Wait-SlotReady'; Restored = $false; Stopped = $true; Step = 5 }
            @{ FailAt = 'Test-SlotProfile'; Restored = $false; Stopped = $true; Step = 5 }
            @{ FailAt = 'Wait-SlotThroughNginx'; Restored = $false; Stopped = $true; Step = 5 }
            # The switch to green fails (the marker may have moved already); the switch back to blue works.
            @{ FailAt = 'Set-ActiveSlot:green'; Restored = $true; Stopped = $true; Step = 6 }
            @{ FailAt = 'Wait-PublicSlot'; Restored = $true; Stopped = $true; Step = 7 }
        ) {
            $context = Get-TestContext
            Register-DeployStepMock -ActiveSlot 'blue' -FailAt $FailAt

            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

            $report.Result | Should -Be 'RolledBack'
            $report.ExitCode | Should -Be 1
            $report.FailedStep | Should -Be $Step
            $report.Error | Should -BeLike "*$FailAt*broke*"
            $report.Hint | Should -BeLike '*docker compose logs api-green*'
            # The old slot is never stopped or drained; the new one is stopped once it may have been started.
            $script:Calls | Should -Not -Contain 'Stop-Slot:blue'
            $script:Calls | Should -Not -Contain 'Wait-SlotDrain:blue'
            if ($Stopped) { $script:Calls | Should -Contain 'Stop-Slot:green' }
            else { $script:Calls | Should -Not -Contain 'Stop-Slot:green' }
            # Once retagged, the idle slot's tag points back at its previous image: it is the rollback target.
            if ($FailAt -ne 'Publish-SlotImage') {
                $script:Calls[-1] | Should -Be 'Restore-SlotImage:green'
                $script:RestoredImage | Should -Be 'sha256:previous'
            }
            else { $script:Calls | Should -Not -Contain 'Restore-SlotImage:green' }
            if ($Restored) {
                # Traffic went back to blue, and green was drained before it was stopped.
                $script:Calls | Should -Contain 'Set-ActiveSlot:blue'
                $script:Calls | Should -Contain 'Wait-SlotDrain:green'
                $script:Calls.IndexOf('Wait-SlotDrain:green') | Should -BeGreaterThan $script:Calls.IndexOf('Set-ActiveSlot:blue')
                $script:Calls.IndexOf('Stop-Slot:green') | Should -BeGreaterThan $script:Calls.IndexOf('Wait-SlotDrain:green')
            }
            else {
                $script:Calls | Should -Not -Contain 'Set-ActiveSlot:blue'
                $script:Calls | Should -Not -Contain 'Set-ActiveSlot:green'
            }
            Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
            (Get-TestDeployRecord -Context $context).Result | Should -Be 'RolledBack'
        }

        It 'reports Failed with exit code 3 when the undo fails too' {
            $context = Get-TestContext
            Register-DeployStepMock -FailAt 'Wait-PublicSlot'
            Mock -ModuleName ZeroDowntime Set-ActiveSlot { if ($Slot -eq 'blue') { throw 'nginx is gone' } }

            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

            $report.Result | Should -Be 'Failed'
            $report.ExitCode | Should -Be 3
            $report.Hint | Should -BeLike '*nginx is gone*'
        }
    }

    Context 'when preflight or the lock refuses' {
        It 'changes nothing and releases the lock when preflight fails' {
            $context = Get-TestContext
            Register-DeployStepMock -FailAt 'Invoke-DeployPreflight'

            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

            $report.Result | Should -Be 'Refused'
            $report.ExitCode | Should -Be 2
            $report.FailedStep | Should -Be 2
            $script:Calls | Should -Be @('Invoke-DeployPreflight')
            Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
            # A refusal is no state change: nothing is appended.
            $script:State.History | Should -HaveCount 0
        }

        It 'refuses a second swap while the lock is held, naming the holder, and leaves the lock alone' {
            $context = Get-TestContext
            Register-DeployStepMock
            Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1.9.0'

            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

            $report.Result | Should -Be 'Refused'
            $report.ExitCode | Should -Be 2
            $report.FailedStep | Should -Be 1
            $report.Error | Should -BeLike "*someone@other-host pid 4242*swap.ps1 -Version 1.9.0*"
            # The lock is taken before preflight reads the active slot: nothing at all ran.
            $script:Calls | Should -BeNullOrEmpty
            (Get-TestDeployLock -Context $context).Command | Should -Be 'swap.ps1 -Version 1.9.0'
        }
    }

    Context 'after the switch' {
        It 'reports Failed with exit code 3 when stopping the old slot fails, with traffic on the new slot' {
            $context = Get-TestContext
            Register-DeployStepMock -FailAt 'Stop-Slot:blue'

            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

            $report.Result | Should -Be 'Failed'
            $report.ExitCode | Should -Be 3
            $report.FailedStep | Should -Be 10
            $report.Hint | Should -BeLike 'Traffic is on api-green*'
            $script:Calls | Should -Not -Contain 'Set-ActiveSlot:blue'
        }

        It 'still stops the old slot, with a warning, when the drain times out' {
            $context = Get-TestContext
            Register-DeployStepMock -Drained $false

            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

            $report.Result | Should -Be 'Succeeded'
            $report.Warnings | Should -HaveCount 1
            $report.Warnings[0] | Should -BeLike '*not drained*'
            $script:Calls[-1] | Should -Be 'Stop-Slot:blue'
        }
    }

    Context 'with -WhatIf' {
        BeforeEach {
            $context = Get-TestContext
            $script:ComposeCalls = [System.Collections.Generic.List[string]]::new()
            $script:DockerCalls = [System.Collections.Generic.List[string]]::new()
            # Below the step functions: only the docker seam is replaced, so every ShouldProcess is the real one.
            Mock -ModuleName ZeroDowntime Invoke-Docker {
                $script:DockerCalls.Add($ArgumentList -join ' ')
                $out = if ($ArgumentList[0] -eq 'exec' -and $ArgumentList -contains 'ls') { "active-slot.blue`n" }
                elseif ($ArgumentList[0] -eq 'exec' -and $ArgumentList -contains 'probe') {
                    '{"slot":"blue","version":"1.0.0","inFlight":0}'
                }
                else { 'sha256:1' }
                [pscustomobject]@{ CommandLine = ''; ExitCode = 0; StdOut = $out; StdErr = '' }
            }
            Mock -ModuleName ZeroDowntime Invoke-Compose {
                $script:ComposeCalls.Add($ArgumentList -join ' ')
                $out = switch ($ArgumentList[0]) {
                    'config' {
                        '{"name":"zdd-unit","services":{' +
                        '"api-blue":{"image":"zdd-unit/api:blue","stop_grace_period":"45s",' +
                        '"environment":{"SHUTDOWN_TIMEOUT_SECONDS":"30","MAX_REQUEST_SECONDS":"10"}},' +
                        '"api-green":{"image":"zdd-unit/api:green","stop_grace_period":"45s",' +
                        '"environment":{"SHUTDOWN_TIMEOUT_SECONDS":"30","MAX_REQUEST_SECONDS":"10"}}}}'
                    }
                    'ps' {
                        (@('nginx', 'db', 'api-blue', 'api-green') | ForEach-Object {
                            '{"Service":"' + $_ + '","ID":"id-' + $_ + '","Name":"x","State":"running","Status":"Up"}'
                        }) -join "`n"
                    }
                    default { '' }
                }
                [pscustomobject]@{ CommandLine = ''; ExitCode = 0; StdOut = $out; StdErr = '' }
            }
            Mock -ModuleName ZeroDowntime Show-DeployStep { }
            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WhatIf `
                -WarningAction SilentlyContinue 6>$null
        }

        It 'plans all thirteen steps' {
            $report.Error | Should -BeNullOrEmpty
            $report.Result | Should -Be 'Planned'
            $report.ExitCode | Should -Be 0
            @($report.Steps | ForEach-Object Number) | Should -Be (1..13)
            $report.ToSlot | Should -Be 'green'
        }

        It 'runs only read-only docker commands' {
            $script:ComposeCalls | Should -Not -BeNullOrEmpty
            foreach ($call in $script:ComposeCalls) { $call | Should -Match '^(config|ps) ' }
            $script:DockerCalls | Should -Not -BeNullOrEmpty
            foreach ($call in $script:DockerCalls) {
                $call | Should -Match ('^(version|image inspect|inspect|exec id-nginx ls|exec id-nginx nginx -t|' +
                    'exec id-nginx sh /etc/nginx/zdd/zdd-state.sh status|' +
                    'exec id-api-\w+ dotnet Api.dll probe)( |$)')
            }
            Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -ParameterFilter { $ArgumentList[0] -eq 'tag' } -Times 0
        }

        It 'takes no lock and appends nothing' {
            Should -Invoke -ModuleName ZeroDowntime Invoke-DeployStateSql -ParameterFilter {
                $Query -notin 'GetLock', 'GetHistory', 'DeployedVersions' } -Times 0
        }
    }
}

Describe 'Invoke-DeployCommand' {
    BeforeEach {
        Mock -ModuleName ZeroDowntime Invoke-SlotDeployment {
            $script:DeployedWith = @{ Mode = $Mode; Version = $Version; Command = $Command; Context = $Context }
            [pscustomobject]@{ Mode = $Mode; Result = 'Succeeded'; ExitCode = 0; FromSlot = 'blue'; FromVersion = '1.0.0'
                ToSlot = 'green'; ToVersion = $Version; FailedStep = $null; Error = $null; Hint = $null }
        }
    }

    It 'runs the deployment on the stack it names, says how it ended, and returns the report' {
        $report = Invoke-DeployCommand -Mode Swap -Version '2.0.0' -ProjectName 'zdd-unit'`
            -ReadyTimeoutSeconds 30 -ScriptPath '/somewhere/swap.ps1' -InformationVariable said

        $report.ExitCode | Should -Be 0
        $script:DeployedWith.Command | Should -Be 'swap.ps1 -ProjectName zdd-unit -Version 2.0.0'
        $script:DeployedWith.Context.ProjectName | Should -Be 'zdd-unit'
        $script:DeployedWith.Context.ReadyTimeoutSeconds | Should -Be 30
        "$said" | Should -Be 'swap blue (1.0.0) -> green (2.0.0): Succeeded'
    }

    It 'refuses a swap without -Version or -Build with a report (exit code 2) and deploys nothing' {
        $report = Invoke-DeployCommand -Mode Swap -ProjectName 'zdd-unit'`
            -ScriptPath '/somewhere/swap.ps1' -ErrorVariable errors 2>$null

        $report.Result | Should -Be 'Refused'
        $report.ExitCode | Should -Be 2
        $report.Error | Should -BeLike '*-Version*-Build*'
        "$($errors[-1])" | Should -BeLike 'swap: Give -Version*'
        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotDeployment -Times 0 -Exactly
    }
}

Describe 'Hooks' {
    BeforeEach {
        $context = Get-TestContext
        $null = New-Item -ItemType Directory -Path $context.HooksDirectory
        $log = Join-Path $context.HooksDirectory 'ran.log'
        Register-DeployStepMock -ActiveSlot 'blue'
    }

    It 'runs pre-deploy, post-switch and post-deploy in order with the run''s facts, and records each' {
        foreach ($name in 'pre-deploy', 'post-switch', 'post-deploy', 'on-failure') {
            New-TestHook -Directory $context.HooksDirectory -Log $log -Name $name
        }

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Succeeded'
        Get-Content -LiteralPath $log | Should -Be @(
            'pre-deploy op=swap version=2.0.0 from=blue to=green result=Running failed='
            'post-switch op=swap version=2.0.0 from=blue to=green result=Running failed='
            'post-deploy op=swap version=2.0.0 from=blue to=green result=Succeeded failed=')
        @($report.Steps | ForEach-Object Name) | Should -Contain 'Hook pre-deploy'
        $record = (Get-TestDeployRecord -Context $context)[0]
        @($record.Hooks | ForEach-Object Name) | Should -Be @('pre-deploy', 'post-switch', 'post-deploy')
        $record.Hooks[0].ExitCode | Should -Be 0
        $record.Hooks[0].Output | Should -Be 'output of pre-deploy'
    }

    It 'aborts before anything changes when pre-deploy fails (exit 2), records its output, and runs on-failure' {
        New-TestHook -Directory $context.HooksDirectory -Log $log -Name 'pre-deploy' -ExitCode 3 -Extra 'echo "change freeze" >&2'
        New-TestHook -Directory $context.HooksDirectory -Log $log -Name 'on-failure'

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Refused'
        $report.ExitCode | Should -Be 2
        $report.FailedStep | Should -Be 3
        $report.Error | Should -BeLike '*pre-deploy hook exited with 3*change freeze*'
        $script:Calls | Should -Be @('Invoke-DeployPreflight')
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
        $record = (Get-TestDeployRecord -Context $context)[0]
        $record.Result | Should -Be 'Refused'
        $record.Hooks[0].ExitCode | Should -Be 3
        $record.Hooks[0].Output | Should -BeLike "output of pre-deploy*change freeze"
        (Get-Content -LiteralPath $log)[-1] | Should -Be 'on-failure op=swap version=2.0.0 from=blue to=green result=Refused failed=3'
    }

    It 'reports a failing <Name> hook as a warning and never undoes the switch' -ForEach @(
        @{ Name = 'post-switch' }, @{ Name = 'post-deploy' }
    ) {
        New-TestHook -Directory $context.HooksDirectory -Log $log -Name $Name -ExitCode 1

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Succeeded'
        $report.ExitCode | Should -Be 0
        $report.Warnings | Should -Contain "The $Name hook exited with 1 (its output is in the history): output of $Name"
        $script:Calls | Should -Not -Contain 'Set-ActiveSlot:blue'
        $script:Calls[-1] | Should -Be 'Stop-Slot:blue'
    }

    It 'stops a hook that runs past its timeout' {
        New-TestHook -Directory $context.HooksDirectory -Log $log -Name 'pre-deploy' -Extra 'sleep 30'
        InModuleScope ZeroDowntime { $script:HookTimeoutSeconds = 1 }
        try {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue
        }
        finally { InModuleScope ZeroDowntime { $script:HookTimeoutSeconds = 300 } }

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -BeLike '*pre-deploy hook timed out after 1 s*'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 15
        (Get-TestDeployRecord -Context $context)[0].Hooks[0].TimedOut | Should -BeTrue
    }

    It 'refuses a hook file that is not executable, saying how to fix it' {
        New-TestHook -Directory $context.HooksDirectory -Log $log -Name 'pre-deploy'
        [System.IO.File]::SetUnixFileMode((Join-Path $context.HooksDirectory 'pre-deploy'), 'UserRead, UserWrite')

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Refused'
        $report.Error | Should -BeLike '*is not executable*chmod +x*'
    }

    It 'never runs a .sample file' {
        New-TestHook -Directory $context.HooksDirectory -Log $log -Name 'post-deploy.sample'

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Succeeded'
        $log | Should -Not -Exist
        @($report.Hooks) | Should -HaveCount 0
    }
}

Describe 'A swap in maintenance mode' {
    It 'verifies the switch on the marker and the preview server (the public server answers 503), with a warning' {
        $context = Get-TestContext
        Register-DeployStepMock -ActiveSlot 'blue'
        $script:MaintenanceOn = $true
        $script:ActiveAfterSwitch = 'green'

        $report = Invoke-SlotDeployment -Context $context -Mode Swap -Version '2.0.0' -WarningAction SilentlyContinue

        $report.Result | Should -Be 'Succeeded'
        $script:Calls | Should -Not -Contain 'Wait-PublicSlot:green'
        @($script:Calls | Where-Object { $_ -eq 'Wait-SlotThroughNginx:green' }) | Should -HaveCount 2
        $report.Warnings | Should -Contain ("Maintenance mode is on: public requests get 503, so the switch was verified " +
            "on nginx's marker and through its preview server; green serves once maintenance.ps1 -Off runs.")
    }
}
