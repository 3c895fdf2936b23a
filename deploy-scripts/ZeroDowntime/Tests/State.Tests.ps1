#Requires -Version 7.4
<#
    Pester tests of Private/State: the deploy lock (one holder, refusal naming it, liveness, -WaitSeconds with
    progress, -BreakLock refusing a live holder unless -Force, audit of a break, staged holders, release by its
    holder only), the history (appended, newest first), the retention choice and prune's decisions. The state
    store's seam is the in-memory fake of TestHelpers.ps1 (the SQL itself runs in tests/Deploy.Tests on a real
    stack). Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1') -Force
    . (Join-Path $PSScriptRoot 'TestHelpers.ps1')
}

Describe 'The deploy lock' {
    BeforeEach {
        $context = Get-TestContext
        Mock -ModuleName ZeroDowntime Show-DeployMessage { }
    }
    AfterEach {
        InModuleScope ZeroDowntime { $script:HeldLock = $null }
    }

    It 'is taken by one run and names who holds it' {
        $holder = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Enter-DeployLock -Context $Context -Command 'swap.ps1 -Version 1'
        }

        $holder.Pid | Should -Be $PID
        $holder.Host | Should -Be ([System.Environment]::MachineName)
        $holder.User | Should -Be ([System.Environment]::UserName)
        $holder.Kind | Should -Be 'run'
        $holder.Alive | Should -BeTrue
        (Get-TestDeployLock -Context $context).Command | Should -Be 'swap.ps1 -Version 1'
    }

    It 'refuses a second run, naming the holder (user@host pid, command, since) and what to do' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1'

        {
            InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
                Enter-DeployLock -Context $Context -Command 'swap.ps1 -Version 2'
            }
        } | Should -Throw '*someone@other-host pid 4242 (running*swap.ps1 -Version 1*since*-LockWaitSeconds*-BreakLock*'
        (Get-TestDeployLock -Context $context).Command | Should -Be 'swap.ps1 -Version 1'
    }

    It 'waits with -WaitSeconds, printing who holds it, and proceeds once the holder releases' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1'
        # The holder finishes while we wait: the third attempt finds the lock free.
        $script:State.ReleaseAfterAttempts = 3

        $holder = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Enter-DeployLock -Context $Context -Command 'swap.ps1 -Version 2' -WaitSeconds 30
        }

        $holder.Command | Should -Be 'swap.ps1 -Version 2'
        $script:State.Attempts | Should -Be 3
        Should -Invoke -ModuleName ZeroDowntime Show-DeployMessage -ParameterFilter {
            $Message -like 'waiting for lock held by someone@other-host pid 4242*swap.ps1 -Version 1*, 0 s'
        } -Times 1
    }

    It 'gives up after -WaitSeconds, saying how long it waited' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1'
        $watch = [System.Diagnostics.Stopwatch]::StartNew()

        {
            InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
                Enter-DeployLock -Context $Context -Command 'swap.ps1 -Version 2' -WaitSeconds 2
            }
        } | Should -Throw '*(waited 2 s)*swap.ps1 -Version 1*'
        $watch.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 1.9
        $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
    }

    It 'refuses -BreakLock on a live holder, and leaves it alone' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1' -HeartbeatAgeSeconds 3

        {
            InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
                Enter-DeployLock -Context $Context -Command 'swap.ps1 -Version 2' -BreakLock
            }
        } | Should -Throw '*Refusing to break*alive*someone@other-host*-Force*'
        (Get-TestDeployLock -Context $context).Command | Should -Be 'swap.ps1 -Version 1'
        $script:State.History | Should -HaveCount 0
    }

    It 'breaks a live holder with -BreakLock -Force, and records who broke whose lock' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1'

        $holder = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Enter-DeployLock -Context $Context -Command 'swap.ps1 -Version 2 -BreakLock -Force' -BreakLock -Force `
                -WarningAction SilentlyContinue
        }

        $holder.Pid | Should -Be $PID
        $entry = (Get-TestDeployRecord -Context $context)[0]
        $entry.Mode | Should -Be 'BreakLock'
        $entry.User | Should -Be ([System.Environment]::UserName)
        $entry.Command | Should -Be 'swap.ps1 -Version 2 -BreakLock -Force'
        $entry.Details.Forced | Should -BeTrue
        $entry.Details.BrokenHolder.Command | Should -Be 'swap.ps1 -Version 1'
        $entry.Details.BrokenHolder.Host | Should -Be 'other-host'
    }

    It 'breaks a dead holder (no heartbeat for 60 s, on another host) with -BreakLock alone' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1' -HeartbeatAgeSeconds 60

        $holder = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Enter-DeployLock -Context $Context -Command 'swap.ps1 -Version 2' -BreakLock -WarningAction SilentlyContinue
        }

        $holder.Command | Should -Be 'swap.ps1 -Version 2'
        (Get-TestDeployRecord -Context $context)[0].Details.Forced | Should -BeFalse
    }

    It 'refuses -Force without -BreakLock' {
        {
            InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
                Enter-DeployLock -Context $Context -Command 'swap.ps1' -Force
            }
        } | Should -Throw '*-Force only goes with -BreakLock*'
    }

    It 'counts a staged holder as alive: -BreakLock refuses it, -AdoptStaged takes it over with its details' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Stage' -Kind staged -HeartbeatAgeSeconds 3600 `
            -Staged @{ Slot = 'green'; Version = '2.0.0'; Mode = 'Stage' }

        {
            InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
                Enter-DeployLock -Context $Context -Command 'swap.ps1' -BreakLock
            }
        } | Should -Throw '*Refusing to break*staged deployment of 2.0.0 on green*-Promote*-Abort*'
        $holder = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Enter-DeployLock -Context $Context -Command 'swap.ps1 -Promote' -AdoptStaged
        }

        $holder.Kind | Should -Be 'run'
        $holder.Pid | Should -Be $PID
        $holder.Staged['Version'] | Should -Be '2.0.0'
    }

    It 'says "nothing is staged" to -AdoptStaged when no staged deployment holds the lock' {
        {
            InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
                Enter-DeployLock -Context $Context -Command 'swap.ps1 -Promote' -AdoptStaged
            }
        } | Should -Throw 'Nothing is staged*'
    }

    It 'keeps the lock as a staged holder with Exit-DeployLock -KeepStaged, and releases it otherwise' {
        InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            $null = Enter-DeployLock -Context $Context -Command 'swap.ps1 -Stage'
            Exit-DeployLock -Context $Context -KeepStaged -Staged @{ Slot = 'green'; Version = '2.0.0'; Mode = 'Stage' }
        }
        $staged = Get-TestDeployLock -Context $context
        $staged.Kind | Should -Be 'staged'
        $staged.Alive | Should -BeTrue
        $staged.Staged['Slot'] | Should -Be 'green'

        InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            $null = Enter-DeployLock -Context $Context -Command 'swap.ps1 -Abort' -AdoptStaged
            Exit-DeployLock -Context $Context
        }
        Get-TestDeployLock -Context $context | Should -BeNullOrEmpty
    }

    It 'releases only its own lock: a lock another run holds is left alone' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1'

        InModuleScope ZeroDowntime -Parameters @{ Context = $context } { Exit-DeployLock -Context $Context }

        (Get-TestDeployLock -Context $context).Command | Should -Be 'swap.ps1 -Version 1'
    }

    It 'takes nothing under -WhatIf, and warns who holds the lock' {
        Enter-TestDeployLock -Context $context -Command 'swap.ps1 -Version 1'

        $result = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            $null = Enter-DeployLock -Context $Context -Command 'swap.ps1' -WhatIf -WarningVariable warned `
                -WarningAction SilentlyContinue
            "$warned"
        }

        $result | Should -BeLike '*held by someone@other-host*'
        (Get-TestDeployLock -Context $context).Command | Should -Be 'swap.ps1 -Version 1'
    }
}

Describe 'Test-DeployLockAlive' {
    It 'calls a holder <Expected> when <Case>' -ForEach @(
        @{ Case = 'it beat 3 s ago on another host'; Kind = 'run'; Age = 3; HostName = 'elsewhere'; ProcessId = 1; Expected = $true }
        @{ Case = 'it beat 60 s ago on another host'; Kind = 'run'; Age = 60; HostName = 'elsewhere'; ProcessId = 1; Expected = $false }
        @{ Case = 'it beat 60 s ago but its process runs here'; Kind = 'run'; Age = 60; HostName = 'HERE'; ProcessId = $PID; Expected = $true }
        @{ Case = 'it beat 60 s ago and its process is gone from here'; Kind = 'run'; Age = 60; HostName = 'HERE'; ProcessId = 2147483000; Expected = $false }
        @{ Case = 'it is staged, however old'; Kind = 'staged'; Age = 86400; HostName = 'elsewhere'; ProcessId = 1; Expected = $true }
    ) {
        $name = if ($HostName -eq 'HERE') { [System.Environment]::MachineName } else { $HostName }
        $holder = [pscustomobject]@{ Kind = $Kind; HeartbeatAgeSeconds = $Age; Host = $name; Pid = $ProcessId }

        InModuleScope ZeroDowntime -Parameters @{ Holder = $holder } { Test-DeployLockAlive -Holder $Holder } |
            Should -Be $Expected
    }
}

Describe 'The history' {
    It 'appends entries with who ran them and returns them newest first' {
        $context = Get-TestContext
        foreach ($result in 'Succeeded', 'RolledBack', 'Refused') {
            $report = InModuleScope ZeroDowntime { New-DeployReport -Project 'zdd-unit' -Mode Swap -Version '1' }
            $report.Result = $result
            Write-TestDeployRecord -Context $context -Report $report
        }

        $entries = @(Get-TestDeployRecord -Context $context -Last 2)

        @($entries | ForEach-Object Result) | Should -Be @('Refused', 'RolledBack')
        $entries[0].User | Should -Be ([System.Environment]::UserName)
        $entries[0].Host | Should -Be ([System.Environment]::MachineName)
    }
}

Describe 'Select-RetainedVersion (the retention choice)' {
    It 'keeps the N versions whose last successful deploy is newest; a version never live is not retained' {
        $deployed = @(
            [pscustomobject]@{ Version = '1.0.0'; LastLive = 1 }
            [pscustomobject]@{ Version = '2.0.0'; LastLive = 7 }   # rolled back to, later
            [pscustomobject]@{ Version = '3.0.0'; LastLive = 5 }
            [pscustomobject]@{ Version = '4.0.0'; LastLive = 6 }
            [pscustomobject]@{ Version = '5.0.0-bad'; LastLive = $null }
        )

        $retained = InModuleScope ZeroDowntime -Parameters @{ Deployed = $deployed } {
            Select-RetainedVersion -Deployed $Deployed -RetainVersions 3
        }

        $retained | Should -Be @('2.0.0', '4.0.0', '3.0.0')
    }

    It 'derives the window from the history: what swaps and rollbacks that succeeded moved to and from' {
        $context = Get-TestContext
        foreach ($step in @(
                @{ Mode = 'Swap'; From = '0.9.0'; To = '1.0.0'; Result = 'Succeeded' }
                @{ Mode = 'Swap'; From = '1.0.0'; To = '2.0.0'; Result = 'Succeeded' }
                @{ Mode = 'Swap'; From = '2.0.0'; To = '3.0.0'; Result = 'RolledBack' }
                @{ Mode = 'Rollback'; From = '2.0.0'; To = '1.0.0'; Result = 'Succeeded' }
                @{ Mode = 'MaintenanceOn'; From = $null; To = $null; Result = 'Succeeded' })) {
            Write-TestDeployRecord -Context $context -Report ([pscustomobject]@{
                    Mode = $step.Mode; FromVersion = $step.From; ToVersion = $step.To; Result = $step.Result })
        }

        $versions = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Get-RetainedVersion -Context $Context -RetainVersions 5
        }

        $versions.Retained | Should -Be @('1.0.0', '2.0.0', '0.9.0')
        # 3.0.0 never went live: not retained, but known to prune as deployed here.
        @($versions.Deployed | ForEach-Object Version) | Should -Contain '3.0.0'
    }
}

Describe 'Staged deployments in the retention window and the rollback target' {
    BeforeAll {
        # blue 1.0.0 -> green 2.0.0 (swap); 3.0.0 staged on blue, made a canary, re-split, aborted; 4.0.0 staged on
        # blue as a canary and promoted. Stage, Canary and Abort leave green serving: only the promote moves traffic.
        $script:StagedHistory = @(
            @{ Mode = 'Swap'; FromSlot = 'blue'; ToSlot = 'green'; From = '1.0.0'; To = '2.0.0' }
            @{ Mode = 'Stage'; FromSlot = 'green'; ToSlot = 'blue'; From = '2.0.0'; To = '3.0.0' }
            @{ Mode = 'Canary'; FromSlot = 'green'; ToSlot = 'blue'; From = '2.0.0'; To = '3.0.0' }
            @{ Mode = 'Canary'; FromSlot = 'green'; ToSlot = 'blue'; From = '2.0.0'; To = '3.0.0' }
            @{ Mode = 'Abort'; FromSlot = 'green'; ToSlot = 'blue'; From = '2.0.0'; To = '3.0.0' }
            @{ Mode = 'Canary'; FromSlot = 'green'; ToSlot = 'blue'; From = '2.0.0'; To = '4.0.0' }
        )
        function Write-StagedHistory {
            param([pscustomobject] $Context, [object[]] $Entries)
            foreach ($step in $Entries) {
                Write-TestDeployRecord -Context $Context -Report ([pscustomobject]@{
                        Mode = $step.Mode; FromSlot = $step.FromSlot; ToSlot = $step.ToSlot; FromVersion = $step.From
                        ToVersion = $step.To; Result = 'Succeeded' })
            }
        }
    }

    It 'does not count a staged, canary or aborted version as live until a promote' {
        $context = Get-TestContext
        Write-StagedHistory -Context $context -Entries $script:StagedHistory

        $before = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Get-RetainedVersion -Context $Context -RetainVersions 5
        }
        $before.Retained | Should -Be @('2.0.0', '1.0.0')

        Write-StagedHistory -Context $context -Entries @(
            @{ Mode = 'Promote'; FromSlot = 'green'; ToSlot = 'blue'; From = '2.0.0'; To = '4.0.0' })
        $after = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Get-RetainedVersion -Context $Context -RetainVersions 5
        }
        $after.Retained | Should -Be @('4.0.0', '2.0.0', '1.0.0')
        $after.Retained | Should -Not -Contain '3.0.0'
    }

    It 'takes the rollback target from the last move of everyone, not from a stage, canary or abort' {
        $context = Get-TestContext
        # A stage record naming green as its target, newer than the swap that made green live (green was staged
        # over blue by hand after a marker move): it must not be read as the move that made green live.
        Write-StagedHistory -Context $context -Entries @(
            @{ Mode = 'Swap'; FromSlot = 'blue'; ToSlot = 'green'; From = '1.0.0'; To = '2.0.0' }
            @{ Mode = 'Stage'; FromSlot = 'blue'; ToSlot = 'green'; From = '9.0.0'; To = '3.0.0' }
            @{ Mode = 'Canary'; FromSlot = 'blue'; ToSlot = 'green'; From = '9.0.0'; To = '3.0.0' }
            @{ Mode = 'Abort'; FromSlot = 'blue'; ToSlot = 'green'; From = '9.0.0'; To = '3.0.0' })

        $version = InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Get-RollbackVersion -Context $Context -ActiveSlot 'green'
        }

        $version | Should -Be '1.0.0'
    }

    It 'takes the rollback target from a promote' {
        $context = Get-TestContext
        Write-StagedHistory -Context $context -Entries ($script:StagedHistory + @(
                @{ Mode = 'Promote'; FromSlot = 'green'; ToSlot = 'blue'; From = '2.0.0'; To = '4.0.0' }))

        InModuleScope ZeroDowntime -Parameters @{ Context = $context } {
            Get-RollbackVersion -Context $Context -ActiveSlot 'blue'
        } | Should -Be '2.0.0'
    }
}

Describe 'Select-PruneCandidate (what prune removes, and why not)' {
    BeforeAll {
        $tags = @(
            [pscustomobject]@{ Tag = 'blue'; Id = 'sha256:b' }
            [pscustomobject]@{ Tag = 'green'; Id = 'sha256:g' }
            [pscustomobject]@{ Tag = '1.0.0'; Id = 'sha256:1' }
            [pscustomobject]@{ Tag = '2.0.0'; Id = 'sha256:2' }
            [pscustomobject]@{ Tag = '3.0.0'; Id = 'sha256:g' }
            [pscustomobject]@{ Tag = '4.0.0'; Id = 'sha256:b' }
            [pscustomobject]@{ Tag = '5.0.0'; Id = 'sha256:5' }
            [pscustomobject]@{ Tag = '6.0.0-next'; Id = 'sha256:6' }
            [pscustomobject]@{ Tag = '0.9.0'; Id = 'sha256:09' }
        )
        $plan = InModuleScope ZeroDowntime -Parameters @{ Tags = $tags } {
            Select-PruneCandidate -Tag $Tags -Retained @('5.0.0', '4.0.0') `
                -Deployed @('0.9.0', '1.0.0', '2.0.0', '3.0.0', '4.0.0', '5.0.0') `
                -InUse @{ 'sha256:b' = 'the api-blue container (running) runs it'; 'sha256:g' = 'slot tag green points to it' } `
                -RetainVersions 2
        }
        $byTag = @{}
        foreach ($entry in $plan) { $byTag[$entry.Tag] = $entry }
    }

    It 'never removes a slot tag' {
        $byTag['blue'].Action | Should -Be 'Keep'
        $byTag['green'].Action | Should -Be 'Keep'
    }

    It 'never removes the image a slot runs, nor the idle slot''s image, whatever the window' {
        $byTag['4.0.0'].Action | Should -Be 'Keep'
        $byTag['3.0.0'].Action | Should -Be 'Keep'
        $byTag['3.0.0'].Reason | Should -BeLike '*slot tag green*'
    }

    It 'never removes a version inside the window' {
        $byTag['5.0.0'].Action | Should -Be 'Keep'
        $byTag['5.0.0'].Reason | Should -BeLike '*retention window*'
    }

    It 'never removes a tag this stack never deployed' {
        $byTag['6.0.0-next'].Action | Should -Be 'Keep'
        $byTag['6.0.0-next'].Reason | Should -Be 'never deployed to this stack'
    }

    It 'removes deployed versions outside the window, saying why' {
        @($plan | Where-Object Action -EQ 'Remove' | ForEach-Object Tag) | Should -Be @('0.9.0', '1.0.0', '2.0.0')
        $byTag['1.0.0'].Reason | Should -BeLike '*outside the retention window*'
    }
}
