#Requires -Version 7.4
<#
    Pester tests of Private/Stack: the questions to the running stack, with the docker seam mocked: the probe's
    arguments (on the slot, and through nginx's preview server) and the slot's log tail.
    Private functions are reached with InModuleScope. Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')

    function Get-ComposeResult([string] $StdOut = '', [int] $ExitCode = 0, [string] $StdErr = '') {
        [pscustomobject]@{ CommandLine = 'docker compose'; ExitCode = $ExitCode; StdOut = $StdOut; StdErr = $StdErr }
    }
}

Describe 'Invoke-SlotProbe' {
    It 'asks <Expected> from inside the slot''s container' -ForEach @(
        @{ ThroughNginx = $false; Expected = 'dotnet Api.dll probe /profile' }
        @{ ThroughNginx = $true; Expected = 'dotnet Api.dll probe /green/profile --host nginx --port 8081' }
    ) {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-Compose { Get-ComposeResult -StdOut '{"slot":"green"}' }

        $probe = InModuleScope ZeroDowntime -Parameters @{ Context = $context; ThroughNginx = $ThroughNginx } {
            Invoke-SlotProbe -Context $Context -Slot green -Path '/profile' -ThroughNginx:$ThroughNginx
        }

        $probe.Json.slot | Should -Be 'green'
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -Times 1 -ParameterFilter {
            ($ArgumentList -join ' ') -eq "exec -T api-green $Expected"
        }
    }
}

Describe 'Get-SlotLogTail' {
    It 'asks compose for the slot''s last lines and strips terminal control sequences' {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Invoke-Compose {
            Get-ComposeResult -StdOut "$([char]27)[2KStart-up failed:`n$([char]27)[2K$([char]27)[31m  CRASH_ON_START=true$([char]27)[0m`n"
        }

        $text = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Get-SlotLogTail -Context $Context -Slot green -Lines 5
        }

        $text | Should -BeExactly "Start-up failed:`n  CRASH_ON_START=true"
        Should -Invoke -ModuleName ZeroDowntime Invoke-Compose -ParameterFilter {
            ($ArgumentList -join ' ') -eq '--ansi never logs --no-color --no-log-prefix --tail 5 api-green'
        }
    }
}
