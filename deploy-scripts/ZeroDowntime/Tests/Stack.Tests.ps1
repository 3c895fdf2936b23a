#Requires -Version 7.4
<#
    Pester tests of Private/Stack: the questions to the running stack, with the docker seam mocked: compose is asked
    once for the containers (Get-StackContainer); a slot is asked by its container's id (`docker exec <id> dotnet
    Api.dll probe`, on the slot and through nginx's preview server), its state and health by `docker inspect <id>`,
    its log by `docker logs <id>`. Private functions are reached with InModuleScope.
    Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-ComposeResult([string] $StdOut = '', [int] $ExitCode = 0, [string] $StdErr = '') {
        [pscustomobject]@{ CommandLine = 'docker ...'; ExitCode = $ExitCode; StdOut = $StdOut; StdErr = $StdErr }
    }
}

Describe 'Get-StackContainer' {
    BeforeEach {
        Mock -ModuleName ZeroDowntime Invoke-Compose {
            Get-ComposeResult -StdOut ('{"Service":"nginx","ID":"1a2b","Name":"p-nginx-1","State":"running",' +
                '"Status":"Up 2 minutes (healthy)","Health":"healthy","ExitCode":0}' + "`n" +
                '{"Service":"api-green","ID":"3c4d","Name":"p-api-green-1","State":"exited","Status":"Exited (0)",' +
                '"Health":"","ExitCode":0}')
        }
    }

    It 'reads every container of the project from one compose call, with its id and health' {
        $containers = @(InModuleScope ZeroDowntime -Parameters @{ Context = (Get-TestContext) } {
                Get-StackContainer -Context $Context
            })

        @($containers.Service) | Should -Be @('nginx', 'api-green')
        $containers[0].Id | Should -Be '1a2b'
        $containers[0].Health | Should -Be 'healthy'
        $containers[1].State | Should -Be 'exited'
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -Exactly -ParameterFilter {
            ($ArgumentList -join ' ') -eq 'ps --all --format json'
        }
    }

    It 'asks for the named services only' {
        $containers = @(InModuleScope ZeroDowntime -Parameters @{ Context = (Get-TestContext) } {
                Get-StackContainer -Context $Context -Service api-green
            })

        @($containers.Service) | Should -Be @('api-green')
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -Exactly -ParameterFilter {
            ($ArgumentList -join ' ') -eq 'ps --all --format json api-green'
        }
    }
}

Describe 'Invoke-SlotProbe' {
    It 'asks <Expected> from inside the slot''s container, by its id' -ForEach @(
        @{ ThroughNginx = $false; Expected = 'dotnet Api.dll probe /profile' }
        @{ ThroughNginx = $true; Expected = 'dotnet Api.dll probe /green/profile --host nginx --port 8081' }
    ) {
        Mock -ModuleName ZeroDowntime Invoke-Docker { Get-ComposeResult -StdOut '{"slot":"green"}' }
        Mock -ModuleName ZeroDowntime Invoke-Compose { throw 'compose is not asked' }

        $probe = InModuleScope ZeroDowntime -Parameters @{ ThroughNginx = $ThroughNginx } {
            Invoke-SlotProbe -ContainerId '3c4d' -Slot green -Path '/profile' -ThroughNginx:$ThroughNginx
        }

        $probe.Success | Should -BeTrue
        $probe.Json.slot | Should -Be 'green'
        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -Times 1 -Exactly -ParameterFilter {
            ($ArgumentList -join ' ') -eq "exec 3c4d $Expected"
        }
    }

    It 'reports a failed probe with its error instead of throwing' {
        Mock -ModuleName ZeroDowntime Invoke-Docker {
            Get-ComposeResult -ExitCode 1 -StdOut '{"status":"Unhealthy"}' -StdErr 'probe: GET ... answered 503'
        }

        $probe = InModuleScope ZeroDowntime { Invoke-SlotProbe -ContainerId '3c4d' -Path '/admin/status' }

        $probe.Success | Should -BeFalse
        $probe.Json.status | Should -Be 'Unhealthy'
        $probe.Error | Should -BeLike '*answered 503*'
    }
}

Describe 'Get-ContainerState' {
    It 'reads state, restart count and health from one docker inspect of the container' {
        Mock -ModuleName ZeroDowntime Invoke-Docker {
            Get-ComposeResult -StdOut ('{"State":{"Status":"running","ExitCode":0,"StartedAt":"2026-01-01T00:00:01Z",' +
                '"Health":{"Status":"starting","Log":[]}},"RestartCount":2}')
        }

        $state = InModuleScope ZeroDowntime { Get-ContainerState -ContainerId '3c4d' }

        $state.Status | Should -Be 'running'
        $state.RestartCount | Should -Be 2
        $state.Health | Should -Be 'starting'
        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -Times 1 -Exactly -ParameterFilter {
            $ArgumentList[0] -eq 'inspect' -and $ArgumentList[-1] -eq '3c4d'
        }
    }

    It 'returns $null for a container that is gone' {
        Mock -ModuleName ZeroDowntime Invoke-Docker {
            Get-ComposeResult -ExitCode 1 -StdErr 'Error: No such container: 3c4d'
        }

        InModuleScope ZeroDowntime { Get-ContainerState -ContainerId '3c4d' } | Should -BeNullOrEmpty
    }
}

Describe 'Get-SlotLogTail' {
    It 'asks docker for the container''s last lines and strips terminal control sequences' {
        Mock -ModuleName ZeroDowntime Invoke-Docker {
            Get-ComposeResult -StdOut "$([char]27)[2KStart-up failed:`n$([char]27)[2K$([char]27)[31m  CRASH_ON_START=true$([char]27)[0m`n"
        }

        $text = InModuleScope ZeroDowntime { Get-SlotLogTail -ContainerId '3c4d' -Lines 5 }

        $text | Should -BeExactly "Start-up failed:`n  CRASH_ON_START=true"
        Should -Invoke -ModuleName ZeroDowntime Invoke-Docker -ParameterFilter {
            ($ArgumentList -join ' ') -eq 'logs --tail 5 3c4d'
        }
    }
}
