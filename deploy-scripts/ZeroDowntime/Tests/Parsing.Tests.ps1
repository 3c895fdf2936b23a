#Requires -Version 7.4
<#
    Pester tests of Private/Parsing: the pure functions of the ZeroDowntime module (no docker, no files): slot
    choice, the active-slot marker, Go durations and the timeout order, compose's JSON output.
    Private functions are reached with InModuleScope. Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
}

Describe 'Get-OtherSlot' {
    It 'maps <Slot> to <Other>' -ForEach @(@{ Slot = 'blue'; Other = 'green' }, @{ Slot = 'green'; Other = 'blue' }) {
        InModuleScope ZeroDowntime -Parameters $_ { Get-OtherSlot -Slot $Slot | Should -Be $Other }
    }

    It 'rejects anything else' {
        InModuleScope ZeroDowntime { { Get-OtherSlot -Slot 'red' } | Should -Throw }
    }
}

Describe 'The active-slot marker' {
    It 'lives in nginx''s state directory as active-slot.<_>' -ForEach 'blue', 'green' {
        InModuleScope ZeroDowntime -Parameters @{ Slot = $_ } {
            Get-ActiveSlotMarkerPath -Slot $Slot | Should -BeExactly "/etc/nginx/state/active-slot.$Slot"
        }
    }

    It 'names <Slot> in a listing that holds only its marker' -ForEach @(
        @{ Slot = 'blue'; Listing = "active-slot.blue`n" }
        @{ Slot = 'green'; Listing = "active-slot.green`r`n" }
    ) {
        InModuleScope ZeroDowntime -Parameters $_ { ConvertFrom-ActiveSlotMarker -Listing $Listing | Should -Be $Slot }
    }

    It 'ignores other files in the directory' {
        InModuleScope ZeroDowntime {
            ConvertFrom-ActiveSlotMarker -Listing "README`nactive-slot.green`n.active-slot.tmp`n" | Should -Be 'green'
        }
    }

    It 'refuses <Name>' -ForEach @(
        @{ Name = 'an empty directory'; Listing = ''; Found = 'none' }
        @{ Name = 'both markers'; Listing = "active-slot.blue`nactive-slot.green"; Found = 'active-slot.blue and*' }
        @{ Name = 'an unknown slot'; Listing = 'active-slot.red'; Found = 'none' }
    ) {
        InModuleScope ZeroDowntime -Parameters $_ {
            { ConvertFrom-ActiveSlotMarker -Listing $Listing } | Should -Throw "*exactly one*it holds $Found*"
        }
    }
}

Describe 'ConvertFrom-GoDuration' {
    It 'reads <Text> as <Seconds> s' -ForEach @(
        @{ Text = '45s'; Seconds = 45 }, @{ Text = '1m30s'; Seconds = 90 }, @{ Text = '1h0m0s'; Seconds = 3600 }
        @{ Text = '500ms'; Seconds = 0.5 }, @{ Text = '0'; Seconds = 0 }, @{ Text = '1m0.5s'; Seconds = 60.5 }
    ) {
        InModuleScope ZeroDowntime -Parameters $_ { ConvertFrom-GoDuration -Value $Text | Should -Be $Seconds }
    }

    It 'refuses <_>' -ForEach '45', 'abc', '10 s', '1d' {
        InModuleScope ZeroDowntime -Parameters @{ Text = $_ } {
            { ConvertFrom-GoDuration -Value $Text } | Should -Throw '*Not a duration*'
        }
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

        $timeout = InModuleScope ZeroDowntime -Parameters @{ Config = $config } {
            Get-SlotTimeout -ComposeConfig $Config -Slot green
        }

        $timeout.StopGraceSeconds | Should -Be 60
        $timeout.ShutdownTimeoutSeconds | Should -Be 40
        $timeout.MaxRequestSeconds | Should -Be 15
    }

    It 'falls back to the defaults: Docker 10 s, app 30 s and 10 s' {
        $timeout = InModuleScope ZeroDowntime -Parameters @{ Config = (Get-TestConfig $null $null) } {
            Get-SlotTimeout -ComposeConfig $Config -Slot green
        }

        $timeout.StopGraceSeconds | Should -Be 10
        $timeout.ShutdownTimeoutSeconds | Should -Be 30
        $timeout.MaxRequestSeconds | Should -Be 10
    }

    It 'accepts grace > shutdown > request' {
        InModuleScope ZeroDowntime -Parameters @{ Config = (Get-TestConfig '45s' @{}) } {
            { Assert-TimeoutOrder -Timeout (Get-SlotTimeout -ComposeConfig $Config -Slot green) } | Should -Not -Throw
        }
    }

    It 'refuses <Name>' -ForEach @(
        @{ Name = 'the Docker default grace (docs/failure-modes.md #12)'; Grace = $null; Shutdown = '30'; Request = '10' }
        @{ Name = 'a grace equal to the shutdown timeout'; Grace = '30s'; Shutdown = '30'; Request = '10' }
        @{ Name = 'a request limit above the shutdown timeout'; Grace = '45s'; Shutdown = '30'; Request = '31' }
    ) {
        $config = Get-TestConfig $Grace @{ SHUTDOWN_TIMEOUT_SECONDS = $Shutdown; MAX_REQUEST_SECONDS = $Request }

        InModuleScope ZeroDowntime -Parameters @{ Config = $config } {
            { Assert-TimeoutOrder -Timeout (Get-SlotTimeout -ComposeConfig $Config -Slot green) } |
                Should -Throw '*unsafe timeouts*stop_grace_period*'
        }
    }

    It 'refuses a timeout that is not a number' {
        $config = Get-TestConfig '45s' @{ SHUTDOWN_TIMEOUT_SECONDS = 'thirty' }

        InModuleScope ZeroDowntime -Parameters @{ Config = $config } {
            { Get-SlotTimeout -ComposeConfig $Config -Slot green } | Should -Throw '*SHUTDOWN_TIMEOUT_SECONDS*thirty*'
        }
    }
}

Describe 'ConvertFrom-ComposeJsonLine' {
    It 'reads one object per line (compose 2.21 and later)' {
        $rows = InModuleScope ZeroDowntime { ConvertFrom-ComposeJsonLine -Text "{`"Service`":`"a`"}`n{`"Service`":`"b`"}`n" }
        @($rows.Service) | Should -Be @('a', 'b')
    }

    It 'reads a JSON array (older compose)' {
        $rows = InModuleScope ZeroDowntime { ConvertFrom-ComposeJsonLine -Text '[{"Service":"a"},{"Service":"b"}]' }
        @($rows.Service) | Should -Be @('a', 'b')
    }

    It 'reads nothing as no rows' {
        @(InModuleScope ZeroDowntime { ConvertFrom-ComposeJsonLine -Text '' }).Count | Should -Be 0
    }
}

Describe 'ConvertFrom-ContainerInspect' {
    BeforeAll {
        function Get-InspectJson([string] $Health, [string] $Log = '[]', [string] $Started = '2026-01-01T00:01:00.123456789Z') {
            $healthJson = if ($Health) { ",`"Health`":{`"Status`":`"$Health`",`"FailingStreak`":0,`"Log`":$Log}" } else { '' }
            "{`"State`":{`"Status`":`"running`",`"ExitCode`":0,`"StartedAt`":`"$Started`"$healthJson},`"RestartCount`":1}"
        }
    }

    It 'reads the state, exit code, restart count and health status' {
        $state = InModuleScope ZeroDowntime -Parameters @{ Json = (Get-InspectJson 'healthy') } {
            ConvertFrom-ContainerInspect -Json $Json
        }

        $state.Status | Should -Be 'running'
        $state.ExitCode | Should -Be 0
        $state.RestartCount | Should -Be 1
        $state.Health | Should -Be 'healthy'
    }

    It 'has no health without a health check' {
        $state = InModuleScope ZeroDowntime -Parameters @{ Json = (Get-InspectJson '') } {
            ConvertFrom-ContainerInspect -Json $Json
        }

        $state.Health | Should -BeNullOrEmpty
    }

    It 'quotes the last check of the current run only, not one kept from before the container started again' {
        $log = '[{"Start":"2026-01-01T00:00:10.5Z","Output":"old run: healthy\n"},' +
            '{"Start":"2026-01-01T00:01:01.987654321Z","Output":"probe: GET /health/ready answered 503\n"},' +
            '{"Start":"2026-01-01T00:01:02Z","Output":"  {\"status\":\"Unhealthy\"}  \n"}]'
        $before = '[{"Start":"2026-01-01T00:00:10.5Z","Output":"old run: healthy\n"}]'

        $now = InModuleScope ZeroDowntime -Parameters @{ Json = (Get-InspectJson 'starting' $log) } {
            ConvertFrom-ContainerInspect -Json $Json
        }
        $old = InModuleScope ZeroDowntime -Parameters @{ Json = (Get-InspectJson 'starting' $before) } {
            ConvertFrom-ContainerInspect -Json $Json
        }

        $now.HealthOutput | Should -BeExactly '{"status":"Unhealthy"}'
        $old.HealthOutput | Should -BeNullOrEmpty
    }
}

Describe 'Assert-SlotHealthCheck' {
    It 'accepts <Name>' -ForEach @(
        @{ Name = 'the health check of the compose file'; Service = @{ healthcheck = @{ test = @('CMD', 'dotnet') } } }
        @{ Name = 'no healthcheck key (the image''s HEALTHCHECK applies)'; Service = @{} }
    ) {
        $config = @{ services = @{ 'api-green' = $Service } } | ConvertTo-Json -Depth 5 | ConvertFrom-Json

        InModuleScope ZeroDowntime -Parameters @{ Config = $config } {
            { Assert-SlotHealthCheck -ComposeConfig $Config -Slot green } | Should -Not -Throw
        }
    }

    It 'refuses <Name>' -ForEach @(
        @{ Name = 'disable: true'; Service = @{ healthcheck = @{ disable = $true } } }
        @{ Name = 'a test of NONE'; Service = @{ healthcheck = @{ test = @('NONE') } } }
    ) {
        $config = @{ services = @{ 'api-green' = $Service } } | ConvertTo-Json -Depth 5 | ConvertFrom-Json

        InModuleScope ZeroDowntime -Parameters @{ Config = $config } {
            { Assert-SlotHealthCheck -ComposeConfig $Config -Slot green } | Should -Throw "*health check is disabled*"
        }
    }
}

Describe 'Hide-SecretValue' {
    It 'masks <Name> and keeps the name' -ForEach @(
        @{ Name = 'DB_PASSWORD'; Text = 'failed to read .env: line 3: DB_PASSWORD=hunter2 x'; Secret = 'hunter2' }
        @{ Name = 'SECRET_KEY'; Text = 'invalid: "SECRET_KEY=abcdefabcdefabcdefabcdef0123456789"'; Secret = 'abcdef' }
        @{ Name = 'DB_MIGRATE_PASSWORD'; Text = 'DB_MIGRATE_PASSWORD: s3cr3t-value'; Secret = 's3cr3t' }
        @{ Name = 'API_TOKEN'; Text = 'line 9: API_TOKEN=tok_123'; Secret = 'tok_123' }
    ) {
        InModuleScope ZeroDowntime -Parameters $_ {
            $masked = Hide-SecretValue -Text $Text
            $masked | Should -Not -Match ([regex]::Escape($Secret))
            $masked | Should -Match ([regex]::Escape($Name))
            $masked | Should -Match '\*\*\*'
        }
    }

    It 'leaves other settings alone' {
        InModuleScope ZeroDowntime {
            Hide-SecretValue -Text 'DB_PORT=abc is not a number' | Should -BeExactly 'DB_PORT=abc is not a number'
        }
    }

}

Describe 'ConvertFrom-NginxClientLimit' {
    It 'reads rate, burst and connections from the files nginx''s entrypoint generates' {
        $text = "# Written by docker-entrypoint.sh`nlimit_req_zone `$binary_remote_addr zone=req_per_address:10m " +
            "rate=20r/s;`n# server`nlimit_req zone=req_per_address burst=40 nodelay;`nlimit_conn conn_per_address 20;`n"
        $limit = InModuleScope ZeroDowntime -Parameters @{ Text = $text } { ConvertFrom-NginxClientLimit -Text $Text }

        $limit.Rate | Should -Be 20
        $limit.Burst | Should -Be 40
        $limit.Connections | Should -Be 20
    }

    It 'returns nothing when a number is missing' {
        InModuleScope ZeroDowntime { ConvertFrom-NginxClientLimit -Text "limit_conn conn_per_address 20;`n" } |
            Should -BeNullOrEmpty
    }
}

Describe 'Get-WarmupBudget' {
    It 'keeps a round within half of the address''s connections and of its rate + burst (defaults 20/40/20)' {
        $budget = InModuleScope ZeroDowntime {
            Get-WarmupBudget -Concurrency 12 -PathCount 3 -Limit ([pscustomobject]@{ Rate = 20; Burst = 40
                    Connections = 20 })
        }

        $budget.Concurrency | Should -Be 3
        ($budget.Concurrency * 3) | Should -BeLessOrEqual 10
        $budget.Allowance | Should -Be 30
        $budget.PerSecond | Should -Be 10
    }

    It 'sends one request per path at a time when the limits are tiny, never none' {
        $budget = InModuleScope ZeroDowntime {
            Get-WarmupBudget -Concurrency 12 -PathCount 3 -Limit ([pscustomobject]@{ Rate = 1; Burst = 0
                    Connections = 1 })
        }

        $budget.Concurrency | Should -Be 1
        $budget.PerSecond | Should -Be 0.5
    }

    It 'keeps the asked concurrency and does not pace without limits' {
        $budget = InModuleScope ZeroDowntime { Get-WarmupBudget -Concurrency 12 -PathCount 3 -Limit $null }

        $budget.Concurrency | Should -Be 12
        $budget.Allowance | Should -Be ([double]::PositiveInfinity)
    }
}
