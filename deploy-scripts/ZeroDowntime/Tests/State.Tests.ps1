#Requires -Version 7.4
<#
    Pester tests of Private/State: the deploy lock (one holder, refusal naming it, stale locks, -BreakLock, release
    by its holder only, -WhatIf) and the deploy records (written atomically, read back newest first). Real files in
    TestDrive; private functions reached with InModuleScope. Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
}

Describe 'The deploy lock' {
    BeforeEach { $directory = Join-Path $TestDrive ([guid]::NewGuid().ToString('n')) }

    It 'is taken by one run and records who holds it' {
        InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } {
            $path = Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1 -Version 1'

            $path | Should -Exist
            $holder = Get-DeployLock -StateDirectory $Directory
            $holder.Pid | Should -Be $PID
            $holder.Host | Should -Be ([System.Environment]::MachineName)
            $holder.Alive | Should -BeTrue
        }
    }

    It 'refuses a second run, naming the holder and how to recover' {
        InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } {
            $null = Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1 -Version 1'

            { Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1 -Version 2' } |
                Should -Throw "*pid $PID*running*swap.ps1 -Version 1*-BreakLock*"
        }
    }

    It 'calls a lock of a dead process stale, and -BreakLock takes it over' {
        $null = New-Item -ItemType Directory -Path $directory
        # A pid that cannot be running: above the kernel's pid_max and Windows' range alike.
        @{ Pid = 2147483000; Host = [System.Environment]::MachineName; User = 'ci'; StartedAt = '2020-01-01T00:00:00Z'
            Command = 'swap.ps1 -Version 0.9' } | ConvertTo-Json | Set-Content -LiteralPath (Join-Path $directory 'deploy.lock')

        InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } {
            { Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1' } | Should -Throw '*not running: stale*-BreakLock*'
            $null = Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1 -Version 1' -BreakLock `
                -WarningAction SilentlyContinue

            (Get-DeployLock -StateDirectory $Directory).Pid | Should -Be $PID
        }
    }

    It 'treats an empty lock file (killed while writing it) as a stale holder' {
        $null = New-Item -ItemType Directory -Path $directory
        $null = New-Item -ItemType File -Path (Join-Path $directory 'deploy.lock')

        InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } {
            { Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1' } | Should -Throw '*stale*-BreakLock*'
        }
    }

    It 'is released only by its holder' {
        $null = New-Item -ItemType Directory -Path $directory
        @{ Pid = 2147483000; Host = 'elsewhere'; User = 'ci'; StartedAt = '2020-01-01T00:00:00Z'; Command = 'x' } |
            ConvertTo-Json | Set-Content -LiteralPath (Join-Path $directory 'deploy.lock')

        InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } { Exit-DeployLock -StateDirectory $Directory }

        Join-Path $directory 'deploy.lock' | Should -Exist
    }

    It 'is released by the run that took it' {
        InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } {
            $null = Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1'

            Exit-DeployLock -StateDirectory $Directory
        }

        Join-Path $directory 'deploy.lock' | Should -Not -Exist
    }

    It 'changes nothing with -WhatIf' {
        InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } {
            $null = Enter-DeployLock -StateDirectory $Directory -Command 'swap.ps1' -WhatIf
        }

        $directory | Should -Not -Exist
    }
}

Describe 'Deploy records' {
    It 'are written atomically and read back newest first' {
        $directory = Join-Path $TestDrive 'records'

        $results = InModuleScope ZeroDowntime -Parameters @{ Directory = $directory } {
            foreach ($minute in 1, 3, 2) {
                $report = [pscustomobject]@{ Mode = 'Swap'; FromSlot = 'blue'; ToSlot = 'green'; Result = "r$minute"
                    StartedAt = [DateTimeOffset]::new(2026, 1, 1, 0, $minute, 0, [TimeSpan]::Zero) }
                $null = Write-DeployRecord -StateDirectory $Directory -Report $report
            }
            Get-DeployRecord -StateDirectory $Directory -Last 3 | ForEach-Object Result
        }

        @($results) | Should -Be @('r3', 'r2', 'r1')
        Get-ChildItem -LiteralPath (Join-Path $directory 'deploys') -Filter '*.tmp' | Should -BeNullOrEmpty
    }
}
