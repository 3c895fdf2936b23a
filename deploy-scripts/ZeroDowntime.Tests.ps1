#Requires -Version 7.4
<#
    Pester tests of ZeroDowntime.psm1's building blocks that need no containers: slot choice, the active-slot marker,
    durations and the timeout order, the lock, records, and the step functions with the docker seam (Invoke-Compose,
    Invoke-Docker) mocked: preflight refusals, the readiness gate, the smoke test, the switch and the drain.
    Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'ZeroDowntime.psm1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-ComposeResult([string] $StdOut = '', [int] $ExitCode = 0, [string] $StdErr = '') {
        [pscustomobject]@{ CommandLine = 'docker compose'; ExitCode = $ExitCode; StdOut = $StdOut; StdErr = $StdErr }
    }
}

Describe 'Get-OtherSlot' {
    It 'maps <Slot> to <Other>' -ForEach @(@{ Slot = 'blue'; Other = 'green' }, @{ Slot = 'green'; Other = 'blue' }) {
        Get-OtherSlot -Slot $Slot | Should -Be $Other
    }

    It 'rejects anything else' {
        { Get-OtherSlot -Slot 'red' } | Should -Throw
    }
}

Describe 'The active-slot marker' {
    It 'lives in nginx''s state directory as active-slot.<_>' -ForEach 'blue', 'green' {
        Get-ActiveSlotMarkerPath -Slot $_ | Should -BeExactly "/etc/nginx/state/active-slot.$_"
    }

    It 'names <Slot> in a listing that holds only its marker' -ForEach @(
        @{ Slot = 'blue'; Listing = "active-slot.blue`n" }
        @{ Slot = 'green'; Listing = "active-slot.green`r`n" }
    ) {
        ConvertFrom-ActiveSlotMarker -Listing $Listing | Should -Be $Slot
    }

    It 'ignores other files, such as an earlier kit''s include' {
        ConvertFrom-ActiveSlotMarker -Listing "active-slot.conf`nactive-slot.green`n.active-slot.tmp`n" |
            Should -Be 'green'
    }

    It 'refuses <Name>' -ForEach @(
        @{ Name = 'an empty directory'; Listing = ''; Found = 'none' }
        @{ Name = 'both markers'; Listing = "active-slot.blue`nactive-slot.green"; Found = 'active-slot.blue and*' }
        @{ Name = 'an unknown slot'; Listing = 'active-slot.red'; Found = 'none' }
        @{ Name = 'only the old include'; Listing = 'active-slot.conf'; Found = 'none' }
    ) {
        { ConvertFrom-ActiveSlotMarker -Listing $Listing } | Should -Throw "*exactly one*it holds $Found*"
    }
}

Describe 'ConvertFrom-GoDuration' {
    It 'reads <Text> as <Seconds> s' -ForEach @(
        @{ Text = '45s'; Seconds = 45 }, @{ Text = '1m30s'; Seconds = 90 }, @{ Text = '1h0m0s'; Seconds = 3600 }
        @{ Text = '500ms'; Seconds = 0.5 }, @{ Text = '0'; Seconds = 0 }, @{ Text = '1m0.5s'; Seconds = 60.5 }
    ) {
        ConvertFrom-GoDuration -Value $Text | Should -Be $Seconds
    }

    It 'refuses <_>' -ForEach '45', 'abc', '10 s', '1d' {
        { ConvertFrom-GoDuration -Value $_ } | Should -Throw '*Not a duration*'
    }
}

Describe 'The timeout order' {
    BeforeAll {
        function Get-TestConfig([object] $Grace, [hashtable] $Environment) {
            $service = [ordered]@{ image = 'zdd/api:green' }
            if ($null -ne $Grace) { $service.stop_grace_period = $Grace }
            if ($Environment) { $service.environment = $Environment }
            [pscustomobject]@{ services = [pscustomobject]@{ 'api-green' = [pscustomobject]$service } } |
                ConvertTo-Json -Depth 5 | ConvertFrom-Json
        }
    }

    It 'reads the grace period and both app timeouts from the compose model' {
        $config = Get-TestConfig '1m' @{ SHUTDOWN_TIMEOUT_SECONDS = '40'; MAX_REQUEST_SECONDS = '15' }

        $timeout = Get-SlotTimeout -ComposeConfig $config -Slot green

        $timeout.StopGraceSeconds | Should -Be 60
        $timeout.ShutdownTimeoutSeconds | Should -Be 40
        $timeout.MaxRequestSeconds | Should -Be 15
    }

    It 'falls back to the defaults: Docker 10 s, app 30 s and 10 s' {
        $timeout = Get-SlotTimeout -ComposeConfig (Get-TestConfig $null $null) -Slot green

        $timeout.StopGraceSeconds | Should -Be 10
        $timeout.ShutdownTimeoutSeconds | Should -Be 30
        $timeout.MaxRequestSeconds | Should -Be 10
    }

    It 'accepts grace > shutdown > request' {
        { Assert-TimeoutOrder -Timeout (Get-SlotTimeout -ComposeConfig (Get-TestConfig '45s' @{}) -Slot green) } |
            Should -Not -Throw
    }

    It 'refuses <Name>' -ForEach @(
        @{ Name = 'the Docker default grace (ZERO-DOWNTIME.md #12)'; Grace = $null; Shutdown = '30'; Request = '10' }
        @{ Name = 'a grace equal to the shutdown timeout'; Grace = '30s'; Shutdown = '30'; Request = '10' }
        @{ Name = 'a request limit above the shutdown timeout'; Grace = '45s'; Shutdown = '30'; Request = '31' }
    ) {
        $config = Get-TestConfig $Grace @{ SHUTDOWN_TIMEOUT_SECONDS = $Shutdown; MAX_REQUEST_SECONDS = $Request }

        { Assert-TimeoutOrder -Timeout (Get-SlotTimeout -ComposeConfig $config -Slot green) } |
            Should -Throw '*unsafe timeouts*stop_grace_period*'
    }

    It 'refuses a timeout that is not a number' {
        $config = Get-TestConfig '45s' @{ SHUTDOWN_TIMEOUT_SECONDS = 'thirty' }

        { Get-SlotTimeout -ComposeConfig $config -Slot green } | Should -Throw '*SHUTDOWN_TIMEOUT_SECONDS*thirty*'
    }
}

Describe 'ConvertFrom-ComposeJsonLine' {
    It 'reads one object per line (compose 2.21 and later)' {
        $rows = ConvertFrom-ComposeJsonLine -Text "{`"Service`":`"a`"}`n{`"Service`":`"b`"}`n"
        @($rows.Service) | Should -Be @('a', 'b')
    }

    It 'reads a JSON array (older compose)' {
        $rows = ConvertFrom-ComposeJsonLine -Text '[{"Service":"a"},{"Service":"b"}]'
        @($rows.Service) | Should -Be @('a', 'b')
    }

    It 'reads nothing as no rows' {
        @(ConvertFrom-ComposeJsonLine -Text '').Count | Should -Be 0
    }
}

Describe 'The deploy lock' {
    BeforeEach { $directory = Join-Path $TestDrive ([guid]::NewGuid().ToString('n')) }

    It 'is taken by one run and records who holds it' {
        $path = Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1 -Version 1'

        $path | Should -Exist
        $holder = Get-DeployLock -StateDirectory $directory
        $holder.Pid | Should -Be $PID
        $holder.Host | Should -Be ([System.Environment]::MachineName)
        $holder.Alive | Should -BeTrue
    }

    It 'refuses a second run, naming the holder and how to recover' {
        $null = Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1 -Version 1'

        { Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1 -Version 2' } |
            Should -Throw "*pid $PID*running*swap.ps1 -Version 1*-BreakLock*"
    }

    It 'calls a lock of a dead process stale, and -BreakLock takes it over' {
        $null = New-Item -ItemType Directory -Path $directory
        # A pid that cannot be running: above the kernel's pid_max and Windows' range alike.
        @{ Pid = 2147483000; Host = [System.Environment]::MachineName; User = 'ci'; StartedAt = '2020-01-01T00:00:00Z'
            Command = 'swap.ps1 -Version 0.9' } | ConvertTo-Json | Set-Content -LiteralPath (Join-Path $directory 'deploy.lock')

        { Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1' } | Should -Throw '*not running: stale*-BreakLock*'
        $null = Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1 -Version 1' -BreakLock -WarningAction SilentlyContinue

        (Get-DeployLock -StateDirectory $directory).Pid | Should -Be $PID
    }

    It 'treats an empty lock file (killed while writing it) as a stale holder' {
        $null = New-Item -ItemType Directory -Path $directory
        $null = New-Item -ItemType File -Path (Join-Path $directory 'deploy.lock')

        { Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1' } | Should -Throw '*stale*-BreakLock*'
    }

    It 'is released only by its holder' {
        $null = New-Item -ItemType Directory -Path $directory
        @{ Pid = 2147483000; Host = 'elsewhere'; User = 'ci'; StartedAt = '2020-01-01T00:00:00Z'; Command = 'x' } |
            ConvertTo-Json | Set-Content -LiteralPath (Join-Path $directory 'deploy.lock')

        Exit-DeployLock -StateDirectory $directory

        Join-Path $directory 'deploy.lock' | Should -Exist
    }

    It 'is released by the run that took it' {
        $null = Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1'

        Exit-DeployLock -StateDirectory $directory

        Join-Path $directory 'deploy.lock' | Should -Not -Exist
    }

    It 'changes nothing with -WhatIf' {
        $null = Enter-DeployLock -StateDirectory $directory -Command 'swap.ps1' -WhatIf

        $directory | Should -Not -Exist
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
    }

    It 'chooses the slot that is not active and reads the active version' {
        $plan = Invoke-DeployPreflight -Context $context -Mode Swap -Version '2.0.0'

        $plan.ActiveSlot | Should -Be 'blue'
        $plan.TargetSlot | Should -Be 'green'
        $plan.ActiveVersion | Should -Be '1.0.0'
        $plan.ImageRepository | Should -Be 'zdd-unit/api'
        $plan.Warnings | Should -BeNullOrEmpty
    }

    It 'refuses when <Service> is not running' -ForEach @(@{ Service = 'nginx' }, @{ Service = 'db' }) {
        $script:Containers[$Service] = 'exited'

        { Invoke-DeployPreflight -Context $context -Mode Swap -Version '2.0.0' } | Should -Throw "*'$Service' is exited*"
    }

    It 'refuses when nginx -t fails' {
        $script:NginxTest = 1

        { Invoke-DeployPreflight -Context $context -Mode Swap -Version '2.0.0' } | Should -Throw '*nginx -t failed*'
    }

    It 'refuses unsafe timeouts' {
        $script:Grace = '20s'

        { Invoke-DeployPreflight -Context $context -Mode Swap -Version '2.0.0' } | Should -Throw '*unsafe timeouts*'
    }

    It 'refuses a version whose image does not exist, naming it' {
        $script:ImageExists = $false

        { Invoke-DeployPreflight -Context $context -Mode Swap -Version '9.9.9' } | Should -Throw '*zdd-unit/api:9.9.9*-Build*'
    }

    It 'warns, but goes ahead, when the active slot does not answer (a swap restores service)' {
        $script:ActiveAnswers = $false

        $plan = Invoke-DeployPreflight -Context $context -Mode Swap -Version '2.0.0'

        $plan.Warnings | Should -HaveCount 1
        $plan.Warnings[0] | Should -BeLike '*active slot blue does not answer*'
    }

    It 'refuses a rollback to a slot that never had an image' {
        $script:ImageExists = $false

        { Invoke-DeployPreflight -Context $context -Mode Rollback } | Should -Throw '*Nothing to roll back to*'
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
    }

    It 'returns once /health/ready answers 200' {
        Wait-SlotReady -Context $context -Slot green -TimeoutSeconds 10 -IntervalSeconds 0.05

        $script:Probes | Should -Be 2
    }

    It 'fails fast with the last log lines when the container <State>' -ForEach @(
        @{ State = 'exited' }, @{ State = 'restarting' }, @{ State = 'dead' }
    ) {
        $script:State = $State

        { Wait-SlotReady -Context $context -Slot green -TimeoutSeconds 60 } |
            Should -Throw "*api-green is $State*CRASH_ON_START*"
        $script:Probes | Should -Be 0
    }

    It 'fails fast when the restart policy restarts a crashing app that looks running' {
        $script:ReadyAfter = [int]::MaxValue
        $script:Restarts = @(0, 0, 1)

        { Wait-SlotReady -Context $context -Slot green -TimeoutSeconds 60 -IntervalSeconds 0.05 } |
            Should -Throw '*restarted 1 time(s)*CRASH_ON_START*'
        $script:Probes | Should -Be 2
    }

    It 'counts restarts from the first look, so that a kept container''s old restarts do not count' {
        $script:Restarts = @(3)

        Wait-SlotReady -Context $context -Slot green -TimeoutSeconds 10 -IntervalSeconds 0.05

        $script:Probes | Should -Be 2
    }

    It 'gives up after the timeout, quoting the readiness output' {
        $script:ReadyAfter = [int]::MaxValue
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        { Wait-SlotReady -Context $context -Slot green -TimeoutSeconds 1 -IntervalSeconds 0.1 } |
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
    }

    It 'returns the version when slot and version match' {
        Test-SlotProfile -Context $context -Slot green -ExpectedVersion '2.0.0' | Should -Be '2.0.0'
    }

    It 'fails on the wrong version' {
        { Test-SlotProfile -Context $context -Slot green -ExpectedVersion '2.0.1' } |
            Should -Throw "*version '2.0.0' (expected 2.0.1)*"
    }

    It 'fails on the wrong slot' {
        { Test-SlotProfile -Context $context -Slot blue } | Should -Throw "*slot 'green' (expected blue)*"
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
    }

    It 'polls the preview server until nginx reaches the slot with the expected version' {
        Wait-SlotThroughNginx -Context $context -Slot green -ExpectedVersion '2.0.0' -IntervalSeconds 0.05

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

        { Wait-SlotThroughNginx -Context $context -Slot green -ExpectedVersion '2.0.0' -TimeoutSeconds 1 `
                -IntervalSeconds 0.2 } | Should -Throw $Says
    }
}

Describe 'Invoke-SlotProbe' {
    It 'asks <Expected> from inside the slot''s container' -ForEach @(
        @{ ThroughNginx = $false; Expected = 'dotnet Api.dll probe /profile' }
        @{ ThroughNginx = $true; Expected = 'dotnet Api.dll probe /green/profile --host nginx --port 8081' }
    ) {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-Compose { Get-ComposeResult -StdOut '{"slot":"green"}' }

        $probe = Invoke-SlotProbe -Context $context -Slot green -Path '/profile' -ThroughNginx:$ThroughNginx

        $probe.Json.slot | Should -Be 'green'
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -ParameterFilter {
            ($ArgumentList -join ' ') -eq "exec -T api-green $Expected"
        }
    }
}

Describe 'Set-ActiveSlot' {
    It 'renames the old marker to the new one inside the nginx container, and never reloads nginx' {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-Compose { Get-ComposeResult }

        Set-ActiveSlot -Context $context -Slot green -From blue

        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -Exactly
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -ParameterFilter {
            $ArgumentList[0..4] -join ' ' -eq 'exec -T nginx sh -c' -and
            $ArgumentList[5] -like '*mv "$0" "$1"*' -and
            $ArgumentList[6] -eq '/etc/nginx/state/active-slot.blue' -and
            $ArgumentList[7] -eq '/etc/nginx/state/active-slot.green' -and $ArgumentList.Count -eq 8
        }
    }

    It 'changes nothing under -WhatIf' {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-Compose { Get-ComposeResult }

        Set-ActiveSlot -Context $context -Slot green -From blue -WhatIf

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
    }

    It 'waits for inFlight 0 and then a quiet window with no request started' {
        Wait-SlotDrain -Context $context -Slot blue -TimeoutSeconds 10 -IntervalSeconds 0.05 -QuietSeconds 0.1 |
            Should -BeTrue

        $script:StatusCalls | Should -BeGreaterOrEqual 4
    }

    It 'starts the quiet window again when a request started in between' {
        # 0 in flight each time, but the count moves: a request came and went between two polls.
        $script:Status = @(@(0, 1), @(0, 2), @(0, 3), @(0, 3), @(0, 3), @(0, 3))

        Wait-SlotDrain -Context $context -Slot blue -TimeoutSeconds 10 -IntervalSeconds 0.05 -QuietSeconds 0.1 |
            Should -BeTrue
        $script:StatusCalls | Should -BeGreaterOrEqual 5
    }

    It 'judges a version without requestsStarted by inFlight alone' {
        $script:Status = @(@(2, $null), @(0, $null))

        Wait-SlotDrain -Context $context -Slot blue -TimeoutSeconds 10 -IntervalSeconds 0.05 -QuietSeconds 0.1 |
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

        Wait-SlotDrain -Context $context -Slot blue -TimeoutSeconds 1 -IntervalSeconds 0.1 -QuietSeconds 0.3 `
            -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeFalse
        $warnings | Should -HaveCount 1
    }

    It 'has nothing to wait for on a slot that is not running' {
        Mock -ModuleName ZeroDowntime Get-SlotContainer { [pscustomobject]@{ State = 'exited' } }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = 'service "api-blue" is not running' }
        }

        Wait-SlotDrain -Context $context -Slot blue -TimeoutSeconds 1 | Should -BeTrue
        Should -Invoke -ModuleName ZeroDowntime Get-SlotContainer -Times 1 -Exactly
    }

    It 'keeps waiting while a running slot does not answer' {
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = 'timed out' }
        }

        Wait-SlotDrain -Context $context -Slot blue -TimeoutSeconds 1 -IntervalSeconds 0.1 -WarningAction SilentlyContinue |
            Should -BeFalse
    }

    It 'asks docker for the container only when the slot does not answer' {
        Wait-SlotDrain -Context $context -Slot blue -TimeoutSeconds 10 -IntervalSeconds 0.05 -QuietSeconds 0.1 |
            Should -BeTrue

        Should -Invoke -ModuleName ZeroDowntime Get-SlotContainer -Times 0 -Exactly
    }
}

Describe 'Get-SlotLogTail' {
    It 'asks compose for the slot''s last lines and strips terminal control sequences' {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-Compose {
            Get-ComposeResult -StdOut "$([char]27)[2KStart-up failed:`n$([char]27)[2K$([char]27)[31m  CRASH_ON_START=true$([char]27)[0m`n"
        }

        $text = Get-SlotLogTail -Context $context -Slot green -Lines 5

        $text | Should -BeExactly "Start-up failed:`n  CRASH_ON_START=true"
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -ParameterFilter {
            ($ArgumentList -join ' ') -eq '--ansi never logs --no-color --no-log-prefix --tail 5 api-green'
        }
    }
}

Describe 'Deploy records' {
    It 'are written atomically and read back newest first' {
        $directory = Join-Path $TestDrive 'records'
        foreach ($minute in 1, 3, 2) {
            $report = [pscustomobject]@{ Mode = 'Swap'; FromSlot = 'blue'; ToSlot = 'green'; Result = "r$minute"
                StartedAt = [DateTimeOffset]::new(2026, 1, 1, 0, $minute, 0, [TimeSpan]::Zero) }
            $null = Write-DeployRecord -StateDirectory $directory -Report $report
        }

        @(Get-DeployRecord -StateDirectory $directory -Last 3 | ForEach-Object Result) | Should -Be @('r3', 'r2', 'r1')
        Get-ChildItem -LiteralPath (Join-Path $directory 'deploys') -Filter '*.tmp' | Should -BeNullOrEmpty
    }
}
