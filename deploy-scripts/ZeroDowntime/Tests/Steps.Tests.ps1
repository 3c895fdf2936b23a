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
        $script:HealthCheck = @{ test = @('CMD', 'dotnet', 'Api.dll', 'probe', '/health/ready') }
        Mock -ModuleName ZeroDowntime Get-ComposeConfig {
            $service = @{ stop_grace_period = $script:Grace; environment = @{ SHUTDOWN_TIMEOUT_SECONDS = '30' }
                healthcheck = $script:HealthCheck }
            @{ name = 'zdd-unit'; services = @{
                    'api-blue' = $service + @{ image = 'zdd-unit/api:blue' }
                    'api-green' = $service + @{ image = 'zdd-unit/api:green' } } } | ConvertTo-Json -Depth 5 |
                ConvertFrom-Json
        }
        # One call for every container of the project.
        Mock -ModuleName ZeroDowntime Get-StackContainer {
            foreach ($service in $script:Containers.Keys) {
                [pscustomobject]@{ Service = $service; Id = "id-$service"; State = $script:Containers[$service]
                    Status = ''; Health = ''; ExitCode = 0 }
            }
        }
        Mock -ModuleName ZeroDowntime Test-NginxConfig { if ($script:NginxTest -ne 0) { throw 'nginx -t failed: bad' } }
        Mock -ModuleName ZeroDowntime Get-ActiveSlot { [pscustomobject]@{ Slot = 'blue' } }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $json = [pscustomobject]@{ slot = 'blue'; version = '1.0.0'; inFlight = 0 }
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

    It 'asks compose for the containers once, then nginx and the active slot by their ids' {
        $plan = Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' }

        $plan.NginxContainerId | Should -Be 'id-nginx'
        $plan.ActiveContainerId | Should -Be 'id-api-blue'
        Should -Invoke -ModuleName ZeroDowntime Get-StackContainer -Times 1 -Exactly
        Should -Invoke -ModuleName ZeroDowntime Test-NginxConfig -Times 1 -Exactly -ParameterFilter { $NginxContainerId -eq 'id-nginx' }
        Should -Invoke -ModuleName ZeroDowntime Get-ActiveSlot -Times 1 -Exactly -ParameterFilter { $NginxContainerId -eq 'id-nginx' }
        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -Times 1 -Exactly -ParameterFilter {
            $ContainerId -eq 'id-api-blue' -and $Path -eq '/admin/status'
        }
    }

    It 'refuses a slot whose health check the compose file disables: the gate reads it' {
        $script:HealthCheck = @{ disable = $true }

        { Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' } } |
            Should -Throw "*api-blue's health check is disabled*"
    }

    It 'warns without asking it when the active slot''s container is not running' {
        $script:Containers['api-blue'] = 'exited'

        $plan = Invoke-Preflight @{ Context = $context; Mode = 'Swap'; Version = '2.0.0' }

        $plan.Warnings[0] | Should -BeLike '*active slot blue does not answer (its container is exited)*'
        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -Times 0 -Exactly
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
        # What docker inspect says of the container, one answer per poll (the last one repeats).
        $script:States = @(
            @{ Status = 'running'; Health = 'starting'; Restarts = 0 }
            @{ Status = 'running'; Health = 'healthy'; Restarts = 0 }
        )
        $script:Inspections = 0
        Mock -ModuleName ZeroDowntime Get-ContainerState {
            $state = $script:States[[math]::Min($script:Inspections++, $script:States.Count - 1)]
            [pscustomobject]@{ Status = $state.Status; ExitCode = 1; RestartCount = $state.Restarts
                Health = $state.Health; HealthOutput = '{"status":"Unhealthy"} probe: GET /health/ready answered 503' }
        }
        Mock -ModuleName ZeroDowntime Get-SlotLogTail { 'Unhandled exception: CRASH_ON_START' }
        function Wait-Ready([hashtable] $Arguments) {
            $defaults = @{ Slot = 'green'; ContainerId = 'id-green' }
            foreach ($key in $Arguments.Keys) { $defaults[$key] = $Arguments[$key] }
            $Arguments = $defaults
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Wait-SlotReady @Arguments }
        }
    }

    It 'returns once Docker''s health check calls the container healthy, asking docker inspect once per poll' {
        Wait-Ready @{ TimeoutSeconds = 10; IntervalSeconds = 0.05 }

        $script:Inspections | Should -Be 2
        Should -Invoke -ModuleName ZeroDowntime Get-ContainerState -Times 2 -Exactly -ParameterFilter {
            $ContainerId -eq 'id-green'
        }
    }

    It 'fails fast with the last log lines when the container <State>' -ForEach @(
        @{ State = 'exited' }, @{ State = 'restarting' }, @{ State = 'dead' }
    ) {
        $script:States = @(@{ Status = $State; Health = 'starting'; Restarts = 0 })

        { Wait-Ready @{ TimeoutSeconds = 60 } } | Should -Throw "*api-green is $State*CRASH_ON_START*"
        $script:Inspections | Should -Be 1
    }

    It 'fails fast when the container is gone' {
        Mock -ModuleName ZeroDowntime Get-ContainerState { $null }

        { Wait-Ready @{ TimeoutSeconds = 60 } } | Should -Throw '*api-green is missing*'
    }

    It 'fails fast when the restart policy restarts a crashing app that looks running' {
        $script:States = @(
            @{ Status = 'running'; Health = 'starting'; Restarts = 0 }
            @{ Status = 'running'; Health = 'starting'; Restarts = 0 }
            @{ Status = 'running'; Health = 'starting'; Restarts = 1 }
        )

        { Wait-Ready @{ TimeoutSeconds = 60; IntervalSeconds = 0.05 } } |
            Should -Throw '*restarted 1 time(s)*CRASH_ON_START*'
        $script:Inspections | Should -Be 3
    }

    It 'counts restarts from the first look, so that a kept container''s old restarts do not count' {
        $script:States = @(
            @{ Status = 'running'; Health = 'starting'; Restarts = 3 }
            @{ Status = 'running'; Health = 'healthy'; Restarts = 3 }
        )

        Wait-Ready @{ TimeoutSeconds = 10; IntervalSeconds = 0.05 }

        $script:Inspections | Should -Be 2
    }

    It 'gives up after the timeout, quoting the health check''s last output' {
        $script:States = @(@{ Status = 'running'; Health = 'unhealthy'; Restarts = 0 })
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        { Wait-Ready @{ TimeoutSeconds = 1; IntervalSeconds = 0.1 } } |
            Should -Throw '*did not become ready within 1 s (health: unhealthy)*Unhealthy*answered 503*'
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'refuses a container without a health check: its readiness is unknown' {
        $script:States = @(@{ Status = 'running'; Health = $null; Restarts = 0 })

        { Wait-Ready @{ TimeoutSeconds = 10 } } | Should -Throw '*api-green has no health check*'
    }
}

Describe 'Test-SlotProfile' {
    BeforeEach {
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $true; Body = ''; Json = [pscustomobject]@{ slot = 'green'; version = '2.0.0' }; Error = '' }
        }
        function Test-Profile([hashtable] $Arguments) {
            $defaults = @{ ContainerId = 'id-green' }
            foreach ($key in $Arguments.Keys) { $defaults[$key] = $Arguments[$key] }
            $Arguments = $defaults
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Test-SlotProfile @Arguments }
        }
    }

    It 'returns the version when slot and version match, asking the slot''s container' {
        Test-Profile @{ Slot = 'green'; ExpectedVersion = '2.0.0' } | Should -Be '2.0.0'

        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -Times 1 -Exactly -ParameterFilter {
            $ContainerId -eq 'id-green' -and $Path -eq '/profile' -and -not $ThroughNginx
        }
    }

    It 'fails on the wrong version' {
        { Test-Profile @{ Slot = 'green'; ExpectedVersion = '2.0.1' } } |
            Should -Throw "*version '2.0.0' (expected 2.0.1)*"
    }

    It 'fails on the wrong slot' {
        { Test-Profile @{ Slot = 'blue' } } | Should -Throw "*slot 'green' (expected blue)*"
    }
}

Describe 'Wait-SlotThroughNginx' {
    BeforeEach {
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
            $defaults = @{ ContainerId = 'id-green' }
            foreach ($key in $Arguments.Keys) { $defaults[$key] = $Arguments[$key] }
            $Arguments = $defaults
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Wait-SlotThroughNginx @Arguments }
        }
    }

    It 'polls the preview server until nginx reaches the slot with the expected version' {
        Wait-Nginx @{ Slot = 'green'; ExpectedVersion = '2.0.0'; IntervalSeconds = 0.05 }

        $script:ProbeCalls | Should -Be 2
        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -Times 2 -Exactly -ParameterFilter {
            $ContainerId -eq 'id-green' -and $Slot -eq 'green' -and $Path -eq '/profile' -and $ThroughNginx
        }
    }

    It 'fails, naming what nginx reached, when only <Name> answers' -ForEach @(
        @{ Name = 'an old version'; Json = [pscustomobject]@{ slot = 'green'; version = '1.0.0' }; Says = "*version '1.0.0'*" }
        @{ Name = 'another slot'; Json = [pscustomobject]@{ slot = 'blue'; version = '2.0.0' }; Says = "*slot 'blue'*" }
    ) {
        $script:Answers = @([pscustomobject]@{ Success = $true; Body = ''; Json = $Json; Error = '' })

        { Wait-Nginx @{ Slot = 'green'; ExpectedVersion = '2.0.0'; TimeoutSeconds = 1
                IntervalSeconds = 0.2 } } | Should -Throw $Says
    }
}

Describe 'Set-ActiveSlot' {
    BeforeEach {
        Mock -ModuleName ZeroDowntime Invoke-Docker { Get-ComposeResult }
    }

    It 'renames the old marker to the new one inside the nginx container, and never reloads nginx' {
        InModuleScope ZeroDowntime { Set-ActiveSlot -NginxContainerId 'id-nginx' -Slot green -From blue }

        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -Times 1 -Exactly
        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -Times 1 -ParameterFilter {
            $ArgumentList[0..3] -join ' ' -eq 'exec id-nginx sh -c' -and
            $ArgumentList[4] -like '*mv "$0" "$1"*' -and
            $ArgumentList[5] -eq '/etc/nginx/state/active-slot.blue' -and
            $ArgumentList[6] -eq '/etc/nginx/state/active-slot.green' -and $ArgumentList.Count -eq 7
        }
    }

    It 'changes nothing under -WhatIf' {
        InModuleScope ZeroDowntime { Set-ActiveSlot -NginxContainerId 'id-nginx' -Slot green -From blue -WhatIf }

        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -Times 0 -Exactly
    }
}

Describe 'Wait-SlotDrain' {
    BeforeEach {
        # /admin/status answers, one per call: (inFlight, requestsStarted).
        $script:Status = @(@(1, 10), @(0, 11), @(0, 11), @(0, 11))
        $script:StatusCalls = 0
        Mock -ModuleName ZeroDowntime Get-ContainerState { [pscustomobject]@{ Status = 'running' } }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $inFlight, $started = $script:Status[[math]::Min($script:StatusCalls++, $script:Status.Count - 1)]
            $json = if ($null -eq $started) { [pscustomobject]@{ inFlight = $inFlight } }
            else { [pscustomobject]@{ inFlight = $inFlight; requestsStarted = $started } }
            [pscustomobject]@{ Success = $true; Body = ''; Json = $json; Error = '' }
        }
        function Wait-Drain([hashtable] $Arguments) {
            $defaults = @{ ContainerId = 'id-blue' }
            foreach ($key in $Arguments.Keys) { $defaults[$key] = $Arguments[$key] }
            $Arguments = $defaults
            InModuleScope ZeroDowntime -Parameters @{ Arguments = $Arguments } { Wait-SlotDrain @Arguments }
        }
    }

    It 'lets a slot with the drain-wait verb wait for itself: one docker exec, exit <Exit> means drained <Drained>' -ForEach @(
        @{ Exit = 0; Drained = $true }
        @{ Exit = 1; Drained = $false }
    ) {
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $script:StatusCalls++
            [pscustomobject]@{ Success = $true; Body = ''; Error = ''
                Json = [pscustomobject]@{ inFlight = 2; requestsStarted = 5; drainWait = $true } }
        }
        Mock -ModuleName ZeroDowntime Invoke-Docker {
            [pscustomobject]@{ CommandLine = 'docker'; ExitCode = $Exit; StdOut = '{"inFlight":1}'; StdErr = '' }
        }

        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 10; QuietSeconds = 0.5 } -WarningAction SilentlyContinue |
            Should -Be $Drained

        $script:StatusCalls | Should -Be 1
        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -Times 1 -Exactly -ParameterFilter {
            ($ArgumentList -join ' ') -eq 'exec id-blue dotnet Api.dll drain-wait --quiet 0.5 --timeout 10'
        }
    }

    It 'polls as before when the drain-wait verb cannot ask its slot (exit 3)' {
        $script:Status = @(@(0, 11), @(0, 11), @(0, 11))
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $inFlight, $started = $script:Status[[math]::Min($script:StatusCalls++, $script:Status.Count - 1)]
            [pscustomobject]@{ Success = $true; Body = ''; Error = ''
                Json = [pscustomobject]@{ inFlight = $inFlight; requestsStarted = $started; drainWait = $true } }
        }
        Mock -ModuleName ZeroDowntime Invoke-Docker {
            [pscustomobject]@{ CommandLine = 'docker'; ExitCode = 3; StdOut = ''; StdErr = 'no answer' }
        }

        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } | Should -BeTrue

        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -Times 1 -Exactly
        $script:StatusCalls | Should -BeGreaterOrEqual 3
    }

    It 'waits for inFlight 0 and then a quiet window with no request started' {
        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
            Should -BeTrue

        # At least: one poll with a request in flight, one that opens the quiet window, one that closes it (more
        # when polls come faster than the window).
        $script:StatusCalls | Should -BeGreaterOrEqual 3
    }

    It 'starts the quiet window again when a request started in between' {
        # 0 in flight each time, but the count moves: a request came and went between two polls.
        $script:Status = @(@(0, 1), @(0, 2), @(0, 3), @(0, 3), @(0, 3), @(0, 3))

        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
            Should -BeTrue
        # The window opens at the first poll and again at the second and third; the fourth can close it at the earliest.
        $script:StatusCalls | Should -BeGreaterOrEqual 4
    }

    It 'judges a version without requestsStarted by inFlight alone' {
        $script:Status = @(@(2, $null), @(0, $null))

        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
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

        $result = InModuleScope ZeroDowntime {
            $drained = Wait-SlotDrain -ContainerId 'id-blue' -Slot blue -TimeoutSeconds 1 -IntervalSeconds 0.1 `
                -QuietSeconds 0.3 -WarningVariable warnings -WarningAction SilentlyContinue
            @{ Drained = $drained; Warnings = @($warnings) }
        }
        $result.Drained | Should -BeFalse
        $result.Warnings | Should -HaveCount 1
    }

    It 'has nothing to wait for on a slot that is not running' {
        Mock -ModuleName ZeroDowntime Get-ContainerState { [pscustomobject]@{ Status = 'exited' } }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = 'container is not running' }
        }

        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 1 } | Should -BeTrue
        Should -Invoke -ModuleName ZeroDowntime Get-ContainerState -Times 1 -Exactly
    }

    It 'has nothing to wait for on a slot without a container' {
        Wait-Drain @{ Slot = 'blue'; ContainerId = ''; TimeoutSeconds = 1 } | Should -BeTrue

        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -Times 0 -Exactly
    }

    It 'keeps waiting while a running slot does not answer' {
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = 'timed out' }
        }

        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 1; IntervalSeconds = 0.1
            WarningAction = 'SilentlyContinue' } | Should -BeFalse
    }

    It 'asks docker for the container only when the slot does not answer' {
        Wait-Drain @{ Slot = 'blue'; TimeoutSeconds = 10; IntervalSeconds = 0.05; QuietSeconds = 0.1 } |
            Should -BeTrue

        Should -Invoke -ModuleName ZeroDowntime Get-ContainerState -Times 0 -Exactly
        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -ParameterFilter {
            $ContainerId -eq 'id-blue' -and $Path -eq '/admin/status'
        }
    }
}
