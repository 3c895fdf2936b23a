#Requires -Version 7.4
<#
    Pester tests of Private/Steps: the step functions with the docker seam (Invoke-Docker, Invoke-Compose) or the
    stack queries below them mocked: preflight refusals, the readiness gate, the smoke test, the check through
    nginx, the switch and the drain. Private functions are reached with InModuleScope, mocks with -ModuleName.
    Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-ComposeResult([string] $StdOut = '', [int] $ExitCode = 0, [string] $StdErr = '') {
        [pscustomobject]@{ CommandLine = 'docker compose'; ExitCode = $ExitCode; StdOut = $StdOut; StdErr = $StdErr }
    }
}

Describe 'Invoke-DeployPreflight' {
    BeforeEach {
        $context = Get-TestContext
        $script:Containers = @{ nginx = 'running'; db = 'running'; 'api-blue' = 'running'; 'api-green' = 'running' }
        $script:NginxTest = 0
        $script:ImageExists = $true
        $script:ActiveAnswers = $true
        $script:Grace = '45s'
        Mock -ModuleName ZeroDowntime Invoke-Docker {
            $exit = if ($ArgumentList[0] -eq 'image' -and -not $script:ImageExists) { 1 } else { 0 }
            Get-ComposeResult -StdOut 'ok' -ExitCode $exit -StdErr 'No such image'
        }
        Mock -ModuleName ZeroDowntime Get-ComposeConfig {
            $service = @{ stop_grace_period = $script:Grace; environment = @{ SHUTDOWN_TIMEOUT_SECONDS = '30' } }
            @{ name = 'zdd-unit'; services = @{
                    'api-blue' = $service + @{ image = 'zdd-unit/api:blue' }
                    'api-green' = $service + @{ image = 'zdd-unit/api:green' } } } | ConvertTo-Json -Depth 5 |
                ConvertFrom-Json
        }
        Mock -ModuleName ZeroDowntime Get-SlotContainer {
            [pscustomobject]@{ Service = $Service; State = $script:Containers[$Service]; Status = ''; ExitCode = 0 }
        }
        Mock -ModuleName ZeroDowntime Test-NginxConfig { if ($script:NginxTest -ne 0) { throw 'nginx -t failed: bad' } }
        Mock -ModuleName ZeroDowntime Get-ActiveSlot { [pscustomobject]@{ Slot = 'blue' } }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $json = [pscustomobject]@{ slot = $Slot; version = '1.0.0'; inFlight = 0 }
            [pscustomobject]@{ Success = $script:ActiveAnswers; Body = ''; Json = $json; Error = 'exec failed' }
        }
        function Invoke-Preflight([hashtable] $Arguments) {
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Invoke-DeployPreflight @Arguments }
        }
    }

    It 'chooses the slot that is not active and reads the active version' {
        $plan = Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' }

        $plan.ActiveSlot | Should -Be 'blue'
        $plan.TargetSlot | Should -Be 'green'
        $plan.ActiveVersion | Should -Be '1.0.0'
        $plan.ImageRepository | Should -Be 'zdd-unit/api'
        $plan.Warnings | Should -BeNullOrEmpty
    }

    It 'refuses when <Service> is not running' -ForEach @(@{ Service = 'nginx' }, @{ Service = 'db' }) {
        $script:Containers[$Service] = 'exited'

        { Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' } } |
            Should -Throw "*'$Service' is exited*"
    }

    It 'refuses when nginx -t fails' {
        $script:NginxTest = 1

        { Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' } } | Should -Throw '*nginx -t failed*'
    }

    It 'refuses unsafe timeouts' {
        $script:Grace = '20s'

        { Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' } } | Should -Throw '*unsafe timeouts*'
    }

    It 'refuses a version whose image does not exist, naming it' {
        $script:ImageExists = $false

        { Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '9.9.9' } } |
            Should -Throw '*zdd-unit/api:9.9.9*-Build*'
    }

    It 'warns, but goes ahead, when the active slot does not answer (a swap restores service)' {
        $script:ActiveAnswers = $false

        $plan = Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' }

        $plan.Warnings | Should -HaveCount 1
        $plan.Warnings[0] | Should -BeLike '*active slot blue does not answer*'
    }

    It 'refuses a rollback to a slot that never had an image' {
        $script:ImageExists = $false

        { Invoke-Preflight @{ Context = $context; Mode = 'Rollback' } } | Should -Throw '*Nothing to roll back to*'
    }
}

Describe 'Wait-SlotReady' {
    BeforeEach {
        $context = Get-TestContext
        $script:State = 'running'
        $script:ReadyAfter = 2
        $script:Probes = 0
        Mock -ModuleName ZeroDowntime Get-SlotContainer {
            [pscustomobject]@{
                Service = $Service; Name = "zdd-unit-$Service-1"; State = $script:State; Status = ''; ExitCode = 1
            }
        }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $script:Probes++
            [pscustomobject]@{ Success = $script:Probes -ge $script:ReadyAfter; Body = '{"status":"Unhealthy"}'; Json = $null; Error = '' }
        }
        Mock -ModuleName ZeroDowntime Get-SlotLogTail { 'Unhandled exception: CRASH_ON_START' }
        $script:Restarts = @(0)
        $script:RestartCalls = 0
        Mock -ModuleName ZeroDowntime Get-ContainerRestartCount {
            $script:Restarts[[math]::Min($script:RestartCalls++, $script:Restarts.Count - 1)]
        }
        function Wait-Ready([hashtable] $Arguments) {
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Wait-SlotReady @Arguments }
        }
    }

    It 'returns once /health/ready answers 200' {
        Wait-Ready @{ Context = $context; Slot = 'green'; TimeoutSeconds = 10; IntervalSeconds = 0.05 }

        $script:Probes | Should -Be 2
    }

    It 'fails fast with the last log lines when the container <State>' -ForEach @(
        @{ State = 'exited' }, @{ State = 'restarting' }, @{ State = 'dead' }
    ) {
        $script:State = $State

        { Wait-Ready @{ Context = $context; Slot = 'green'; TimeoutSeconds = 60 } } |
            Should -Throw "*api-green is $State*CRASH_ON_START*"
        $script:Probes | Should -Be 0
    }

    It 'fails fast when the restart policy restarts a crashing app that looks running' {
        $script:ReadyAfter = [int]::MaxValue
        $script:Restarts = @(0, 0, 1)

        { Wait-Ready @{ Context = $context; Slot = 'green'; TimeoutSeconds = 60; IntervalSeconds = 0.05 } } |
            Should -Throw '*restarted 1 time(s)*CRASH_ON_START*'
        $script:Probes | Should -Be 2
    }

    It 'counts restarts from the first look, so that a kept container''s old restarts do not count' {
        $script:Restarts = @(3)

        Wait-Ready @{ Context = $context; Slot = 'green'; TimeoutSeconds = 10; IntervalSeconds = 0.05 }

        $script:Probes | Should -Be 2
    }

    It 'gives up after the timeout, quoting the readiness output' {
        $script:ReadyAfter = [int]::MaxValue
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        { Wait-Ready @{ Context = $context; Slot = 'green'; TimeoutSeconds = 1; IntervalSeconds = 0.1 } } |
            Should -Throw '*did not become ready within 1 s*Unhealthy*'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
    }
}

Describe 'Test-SlotProfile' {
    BeforeEach {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $true; Body = ''; Json = [pscustomobject]@{ slot = 'green'; version = '2.0.0' }; Error = '' }
        }
        function Test-Profile([hashtable] $Arguments) {
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Test-SlotProfile @Arguments }
        }
    }

    It 'returns the version when slot and version match' {
        Test-Profile @{ Context = $context; Slot = 'green'; ExpectedVersion = '2.0.0' } | Should -Be '2.0.0'
    }

    It 'fails on the wrong version' {
        { Test-Profile @{ Context = $context; Slot = 'green'; ExpectedVersion = '2.0.1' } } |
            Should -Throw "*version '2.0.0' (expected 2.0.1)*"
    }

    It 'fails on the wrong slot' {
        { Test-Profile @{ Context = $context; Slot = 'blue' } } | Should -Throw "*slot 'green' (expected blue)*"
    }
}

Describe 'Wait-SlotThroughNginx' {
    BeforeEach {
        $context = Get-TestContext
        # What nginx's preview server answers, one per call: first no address yet, then the new slot.
        $script:Answers = @(
            [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = 'answered 502' }
            [pscustomobject]@{ Success = $true; Body = ''; Json = [pscustomobject]@{ slot = 'green'; version = '2.0.0' }
                Error = '' }
        )
        $script:ProbeCalls = 0
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $script:Answers[[math]::Min($script:ProbeCalls++, $script:Answers.Count - 1)]
        }
        function Wait-Nginx([hashtable] $Arguments) {
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Wait-SlotThroughNginx @Arguments }
        }
    }

    It 'polls the preview server until nginx reaches the slot with the expected version' {
        Wait-Nginx @{ Context = $context; Slot = 'green'; ExpectedVersion = '2.0.0'; IntervalSeconds = 0.05 }

        $script:ProbeCalls | Should -Be 2
        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -Times 2 -Exactly -ParameterFilter {
            $Slot -eq 'green' -and $Path -eq '/profile' -and $ThroughNginx
        }
    }

    It 'fails, naming what nginx reached, when only <Name> answers' -ForEach @(
        @{ Name = 'an old version'; Json = [pscustomobject]@{ slot = 'green'; version = '1.0.0' }; Says = "*version '1.0.0'*" }
        @{ Name = 'another slot'; Json = [pscustomobject]@{ slot = 'blue'; version = '2.0.0' }; Says = "*slot 'blue'*" }
    ) {
        $script:Answers = @([pscustomobject]@{ Success = $true; Body = ''; Json = $Json; Error = '' })

        { Wait-Nginx @{ Context = $context; Slot = 'green'; ExpectedVersion = '2.0.0'; TimeoutSeconds = 1
                IntervalSeconds = 0.2 } } | Should -Throw $Says
    }
}

Describe 'Set-ActiveSlot' {
    BeforeEach {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-Compose { Get-ComposeResult }
    }

    It 'renames the old marker to the new one inside the nginx container, and never reloads nginx' {
        InModuleScope ZeroDowntime -Parameters @{ Context = $context } { Set-ActiveSlot -Context $Context -Slot green -From blue }

        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -Exactly
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -ParameterFilter {
            $ArgumentList[0..4] -join ' ' -eq 'exec -T nginx sh -c' -and
            $ArgumentList[5] -like '*mv "$0" "$1"*' -and
            $ArgumentList[6] -eq '/etc/nginx/state/active-slot.blue' -and
            $ArgumentList[7] -eq '/etc/nginx/state/active-slot.green' -and $ArgumentList.Count -eq 8
        }
    }

    It 'changes nothing under -WhatIf' {
        InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Set-ActiveSlot -Context $Context -Slot green -From blue -WhatIf
        }

        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 0 -Exactly
    }
}

Describe 'Wait-SlotDrain' {
    BeforeEach {
        $context = Get-TestContext
        # /admin/status answers, one per call: (inFlight, requestsStarted).
        $script:Status = @(@(1, 10), @(0, 11), @(0, 11), @(0, 11))
        $script:StatusCalls = 0
        Mock -ModuleName ZeroDowntime Get-SlotContainer { [pscustomobject]@{ State = 'running' } }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $inFlight, $started = $script:Status[[math]::Min($script:StatusCalls++, $script:Status.Count - 1)]
            $json = if ($null -eq $started) { [pscustomobject]@{ inFlight = $inFlight } }
            else { [pscustomobject]@{ inFlight = $inFlight; requestsStarted = $started } }
            [pscustomobject]@{ Success = $true; Body = ''; Json = $json; Error = '' }
        }
        function Wait-Drain([hashtable] $Arguments) {
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Wait-SlotDrain @Arguments }
        }
    }

    It 'waits for inFlight 0 and then a quiet window with no request started' {
        Wait-Drain @{ Context = $context; Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
            Should -BeTrue

        # At least: one poll with a request in flight, one that opens the quiet window, one that closes it (more
        # when polls come faster than the window).
        $script:StatusCalls | Should -BeGreaterOrEqual 3
    }

    It 'starts the quiet window again when a request started in between' {
        # 0 in flight each time, but the count moves: a request came and went between two polls.
        $script:Status = @(@(0, 1), @(0, 2), @(0, 3), @(0, 3), @(0, 3), @(0, 3))

        Wait-Drain @{ Context = $context; Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
            Should -BeTrue
        # The window opens at the first poll and again at the second and third; the fourth can close it at the earliest.
        $script:StatusCalls | Should -BeGreaterOrEqual 4
    }

    It 'judges a version without requestsStarted by inFlight alone' {
        $script:Status = @(@(2, $null), @(0, $null))

        Wait-Drain @{ Context = $context; Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
            Should -BeTrue
    }

    It 'returns $false with a warning when <Name>' -ForEach @(
        @{ Name = 'requests stay in flight'; Status = @(, @(1, 5)) }
        @{ Name = 'requests keep arriving'; Status = @(@(0, 1), @(0, 2), @(0, 3), @(0, 4), @(0, 5), @(0, 6), @(0, 7),
                @(0, 8), @(0, 9), @(0, 10), @(0, 11), @(0, 12), @(0, 13), @(0, 14), @(0, 15), @(0, 16)) }
    ) {
        $script:Status = $Status
        # Each poll starts a new quiet window in the second case; the list outlasts the timeout.
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $entry = $script:Status[[math]::Min($script:StatusCalls++, $script:Status.Count - 1)]
            $started = if ($script:Status.Count -gt 1) { $script:StatusCalls } else { $entry[1] }
            [pscustomobject]@{ Success = $true; Body = ''; Error = ''
                Json = [pscustomobject]@{ inFlight = $entry[0]; requestsStarted = $started } }
        }

        $result = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            $drained = Wait-SlotDrain -Context $Context -Slot blue -TimeoutSeconds 1 -IntervalSeconds 0.1 -QuietSeconds 0.3 `
                -WarningVariable warnings -WarningAction SilentlyContinue
            @{ Drained = $drained; Warnings = @($warnings) }
        }
        $result.Drained | Should -BeFalse
        $result.Warnings | Should -HaveCount 1
    }

    It 'has nothing to wait for on a slot that is not running' {
        Mock -ModuleName ZeroDowntime Get-SlotContainer { [pscustomobject]@{ State = 'exited' } }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = 'service "api-blue" is not running' }
        }

        Wait-Drain @{ Context = $context; Slot = 'blue'; TimeoutSeconds = 1 } | Should -BeTrue
        Should -Invoke -ModuleName ZeroDowntime Get-SlotContainer -Times 1 -Exactly
    }

    It 'keeps waiting while a running slot does not answer' {
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = 'timed out' }
        }

        Wait-Drain @{ Context = $context; Slot = 'blue'; TimeoutSeconds = 1; IntervalSeconds = 0.1
            WarningAction = 'SilentlyContinue' } | Should -BeFalse
    }

    It 'asks docker for the container only when the slot does not answer' {
        Wait-Drain @{ Context = $context; Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
            Should -BeTrue

        Should -Invoke -ModuleName ZeroDowntime Get-SlotContainer -Times 0 -Exactly
    }
}
