#Requires -Version 7.4
<#
    Pester tests of status.ps1's logic (Get-DeployStatus): what it reports per slot, the lock and the last deploys,
    and that an unreadable part is reported instead of failing the whole. Stack queries mocked inside the module.
    Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'Get-DeployStatus' {
    BeforeEach {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Get-ActiveSlot { [pscustomobject]@{ Slot = 'green' } }
        $script:Maintenance = [pscustomobject]@{ On = $false; RetryAfterSeconds = $null; Message = $null; Since = $null; By = $null }
        Mock -ModuleName ZeroDowntime Get-MaintenanceState { $script:Maintenance }
        # One compose call for all containers; readiness is Docker's health status of each.
        $script:GreenHealth = 'healthy'
        Mock -ModuleName ZeroDowntime Get-StackContainer {
            [pscustomobject]@{ Service = 'nginx'; Id = 'id-nginx'; State = 'running'; Status = 'Up'; Health = 'healthy' }
            [pscustomobject]@{ Service = 'db'; Id = 'id-db'; State = 'running'; Status = 'Up'; Health = 'healthy' }
            [pscustomobject]@{ Service = 'api-green'; Id = 'id-green'; State = 'running'; Status = 'Up'
                Health = $script:GreenHealth }
            [pscustomobject]@{ Service = 'api-blue'; Id = 'id-blue'; State = 'exited'; Status = 'Exited (0)'; Health = '' }
        }
        Mock -ModuleName ZeroDowntime Get-RoutingState {
            [pscustomobject]@{ Active = 'green'; Maintenance = $null; Candidate = $null; Percent = $null; Round = $null }
        }
        Mock -ModuleName ZeroDowntime Invoke-SlotProbe {
            $json = [pscustomobject]@{ slot = 'green'; version = '2.0.0'; inFlight = 3 }
            [pscustomobject]@{ Success = $true; Body = ''; Json = $json; Error = '' }
        }
    }

    It 'names the active slot and each slot''s state, readiness and version' {
        $status = Get-DeployStatus -Context $context

        $status.ActiveSlot | Should -Be 'green'
        $green = $status.Slots | Where-Object Slot -EQ 'green'
        $green.Active | Should -BeTrue
        $green.State | Should -Be 'running'
        $green.Ready | Should -BeTrue
        $green.Version | Should -Be '2.0.0'
        $green.InFlight | Should -Be 3
        $blue = $status.Slots | Where-Object Slot -EQ 'blue'
        $blue.Active | Should -BeFalse
        $blue.State | Should -Be 'exited'
        $blue.Ready | Should -BeFalse
        # A stopped slot is not probed: its version is unknown, not guessed.
        $blue.Version | Should -BeNullOrEmpty
        Should -Invoke -ModuleName ZeroDowntime Invoke-SlotProbe -ParameterFilter { $ContainerId -eq 'id-blue' } -Times 0
        Should -Invoke -ModuleName ZeroDowntime Get-ActiveSlot -ParameterFilter { $NginxContainerId -eq 'id-nginx' } -Times 1
    }

    It 'calls a running slot ready only when Docker''s health check does (<Health>)' -ForEach @(
        @{ Health = 'starting' }, @{ Health = 'unhealthy' }
    ) {
        $script:GreenHealth = $Health

        $status = Get-DeployStatus -Context $context

        ($status.Slots | Where-Object Slot -EQ 'green').Ready | Should -BeFalse
    }

    It 'shows the lock holder and the last deploys, newest first' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 2.0.0'
        foreach ($i in 1..3) {
            $report = [pscustomobject]@{
                Mode = 'Swap'; FromSlot = 'blue'; ToSlot = 'green'; FromVersion = "$i"; ToVersion = "$($i + 1)"
                Result = 'Succeeded'; FailedStep = $null; Error = $null; StartedAt = [DateTimeOffset]::UtcNow.AddMinutes($i)
            }
            Write-TestDeployRecord -Context $context -Report $report
        }

        $status = Get-DeployStatus -Context $context -Last 2

        $status.Lock.Pid | Should -Be 4242
        $status.Lock.Alive | Should -BeTrue
        $status.Lock.Command | Should -Be 'swap.ps1 -Version 2.0.0'
        $status.LastDeploys | Should -HaveCount 2
        $status.LastDeploys[0].ToVersion | Should -Be '4'
        $status.LastDeploys[1].ToVersion | Should -Be '3'
    }

    It 'reports an unreadable active-slot marker as a problem and still shows the slots' {
        Mock -ModuleName ZeroDowntime Get-ActiveSlot { throw 'nginx is not running' }

        $status = Get-DeployStatus -Context $context

        $status.ActiveSlot | Should -BeNullOrEmpty
        $status.Problems | Should -HaveCount 1
        $status.Problems[0] | Should -BeLike '*nginx is not running*'
        $status.Slots | Should -HaveCount 2
    }

    It 'shows maintenance mode with who turned it on, when, and the message (from the history)' {
        $script:Maintenance.On = $true
        $script:Maintenance.RetryAfterSeconds = 600
        $on = [pscustomobject]@{ Mode = 'MaintenanceOn'; Result = 'Succeeded'; User = 'ops'; Host = 'laptop'
            FinishedAt = '2026-01-01T10:00:00Z'; Details = [pscustomobject]@{ RetryAfterSeconds = 600; Message = 'Back soon' } }
        Write-TestDeployRecord -Context $context -Report $on

        $status = Get-DeployStatus -Context $context
        $text = (Format-DeployStatus -Status $status -WarningAction SilentlyContinue) -join "`n"

        $status.Maintenance.On | Should -BeTrue
        $status.Maintenance.Message | Should -Be 'Back soon'
        $status.Maintenance.By | Should -Be 'ops@laptop'
        $text | Should -BeLike "*Mode:        MAINTENANCE (503, Retry-After 600 s) since*by ops@laptop, message 'Back soon'*"
    }

    It 'serializes to JSON that status.ps1 -Json can print' {
        $json = Get-DeployStatus -Context $context | ConvertTo-Json -Depth 6 | ConvertFrom-Json

        $json.ActiveSlot | Should -Be 'green'
        @($json.Slots).Count | Should -Be 2
    }
}

Describe 'Format-DeployStatus' {
    It 'shows the project, the active slot, the lock, the slots and the last deploys, and warns of each problem' {
        $status = [pscustomobject]@{
            Project     = 'zdd-unit'
            ActiveSlot  = 'green'
            Maintenance = [pscustomobject]@{ On = $false }
            Lock        = [pscustomobject]@{ Pid = 42; Host = 'host1'; User = 'ops'; StartedAt = '2026-01-01T00:00:00Z'
                Command = 'swap.ps1'; Kind = 'run'; Alive = $true; HeartbeatAgeSeconds = 2.5; Staged = $null }
            Slots       = @([pscustomobject]@{ Slot = 'green'; Active = $true; State = 'running'; Ready = $true
                    Version = '2.0.0'; InFlight = 0; Status = 'Up' })
            LastDeploys = @([pscustomobject]@{ StartedAt = 'then'; Mode = 'Swap'; FromSlot = 'blue'; ToSlot = 'green'
                    ToVersion = '2.0.0'; Result = 'Succeeded'; FailedStep = $null })
            Problems    = @('api-blue: gone')
        }

        $text = (Format-DeployStatus -Status $status -WarningVariable warnings -WarningAction SilentlyContinue) -join "`n"

        $text | Should -BeLike '*Project:     zdd-unit*'
        $text | Should -BeLike '*Active slot: green*'
        $text | Should -BeLike '*Mode:        serving*'
        $text | Should -BeLike "*Lock:        held by ops@host1 pid 42 (running, last heartbeat 2.5 s ago), command 'swap.ps1'*"
        $text | Should -BeLike '*green*True*running*2.0.0*'
        $text | Should -BeLike '*Last deploys:*Swap*Succeeded*'
        @($warnings) | Should -Be @('api-blue: gone')
    }
}
