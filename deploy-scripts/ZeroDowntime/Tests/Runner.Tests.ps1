#Requires -Version 7.4
<#
    Pester tests of Private/Runner: the one runner (Invoke-DeployStepTable) over tables of test steps that record what
    ran (TestHelpers.ps1: New-TestStep), and the shape of the real table (Get-DeployStepTable). The runner unwinds the
    steps that ran, last first, after a failure and after Ctrl+C alike (a stopped pipeline, in a runspace of its own);
    a step past the point of no return is not undone; -WhatIf unwinds nothing; a bad table is refused.
    Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    $script:Manifest = Join-Path (Split-Path -Parent $PSScriptRoot) 'ZeroDowntime.psd1'
    Import-Module $script:Manifest -Force
    $script:Helpers = Join-Path $PSScriptRoot 'TestHelpers.ps1'
    . $script:Helpers

    function Invoke-Runner([pscustomobject] $Run, [hashtable[]] $Table, [switch] $WhatIf) {
        InModuleScope ZeroDowntime -Parameters @{ Run = $Run; Table = $Table; PlanOnly = [bool]$WhatIf } {
            $WhatIfPreference = $PlanOnly
            # The runner warns that a step failed; these tests read the report instead.
            $WarningPreference = 'SilentlyContinue'
            Invoke-DeployStepTable -Run $Run -Step $Table 6>$null
        }
    }

    # Lock-like, three steps that change something, one that is not reached, and the record.
    function Get-TestTable([switch] $Waits) {
        New-TestStep -Name L -OnFailure Refuse -Release
        New-TestStep -Name A -Undo a1
        New-TestStep -Name B -Undo b1, b2
        New-TestStep -Name C -Undo c1 -Fails:(-not $Waits) -Waits:$Waits
        New-TestStep -Name D -Undo d1
        New-TestStep -Name R -Final
    }
    $script:Unwound = @('L', 'A', 'B', 'C', 'undo c1', 'undo b1', 'undo b2', 'undo a1', 'R', 'release L')
}

Describe 'Invoke-DeployStepTable' {
    It 'runs every step in order, records, releases, and reports success' {
        $run = New-TestRun
        $table = @(New-TestStep -Name L -OnFailure Refuse -Release; New-TestStep -Name A -Undo a1
            New-TestStep -Name F -OnFailure Fail; New-TestStep -Name R -Final)

        Invoke-Runner $run $table

        @($run.Calls) | Should -Be @('L', 'A', 'F', 'R', 'release L')
        $run.Report.Result | Should -Be 'Succeeded'
        $run.Report.ExitCode | Should -Be 0
        @($run.Report.Steps | ForEach-Object Number) | Should -Be @(1, 2, 3, 4)
        @($run.Report.Steps | ForEach-Object Result) | Should -Be @('ok', 'ok', 'ok', 'ok')
    }

    It 'unwinds the steps that ran, the last first, when a step fails, and says so in the report' {
        $run = New-TestRun

        Invoke-Runner $run (Get-TestTable)

        # C failed midway: it is undone too (as far as it got), then B's actions in their order, then A's.
        @($run.Calls) | Should -Be $script:Unwound
        $run.Report.Result | Should -Be 'RolledBack'
        $run.Report.ExitCode | Should -Be 1
        $run.Report.FailedStep | Should -Be 4
        $run.Report.Error | Should -Be 'C broke'
        $run.Report.Hint | Should -Be 'hint of C: RolledBack'
        ($run.Report.Steps | Where-Object Name -EQ 'C').Result | Should -Be 'failed'
    }

    It 'unwinds the same way when Ctrl+C stops the pipeline in a step' {
        $run = New-TestRun
        $runspace = [powershell]::Create()
        try {
            $null = $runspace.AddScript({
                    param($Manifest, $Helpers, $Run)
                    Import-Module $Manifest
                    . $Helpers
                    $table = @(
                        New-TestStep -Name L -OnFailure Refuse -Release; New-TestStep -Name A -Undo a1
                        New-TestStep -Name B -Undo b1, b2; New-TestStep -Name C -Undo c1 -Waits
                        New-TestStep -Name D -Undo d1; New-TestStep -Name R -Final)
                    & (Get-Module ZeroDowntime) {
                        param($Run, $Table)
                        Invoke-DeployStepTable -Run $Run -Step $Table
                    } $Run $table
                }).AddArgument($script:Manifest).AddArgument($script:Helpers).AddArgument($run)
            $handle = $runspace.BeginInvoke()

            $run.Started.Wait([TimeSpan]::FromSeconds(60)) | Should -BeTrue
            # What Ctrl+C does to a running script: stop the pipeline (PipelineStoppedException, finally blocks only).
            $runspace.Stop()

            $handle.IsCompleted | Should -BeTrue
            $runspace.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $runspace.Dispose() }

        @($run.Calls) | Should -Be $script:Unwound
        $run.Report.Result | Should -Be 'Interrupted'
        $run.Report.ExitCode | Should -Be 130
        $run.Report.FailedStep | Should -Be 4
        ($run.Report.Steps | Where-Object Name -EQ 'C').Result | Should -Be 'interrupted'
        ($run.Report.Steps | Where-Object Name -EQ 'R').Result | Should -Be 'ok'
    }

    It 'undoes nothing once a step past the point of no return has started, when <Case>' -ForEach @(
        @{ Case = 'it fails'; Waits = $false }
        @{ Case = 'Ctrl+C stops it'; Waits = $true }
    ) {
        $run = New-TestRun
        $table = @(
            New-TestStep -Name L -OnFailure Refuse -Release; New-TestStep -Name A -Undo a1
            New-TestStep -Name F -OnFailure Fail -Undo f1
            New-TestStep -Name G -OnFailure Fail -Undo g1 -Fails:(-not $Waits) -Waits:$Waits
            New-TestStep -Name R -Final)

        if ($Waits) {
            $runspace = [powershell]::Create()
            try {
                $null = $runspace.AddScript({
                        param($Manifest, $Run, $Table)
                        Import-Module $Manifest
                        & (Get-Module ZeroDowntime) {
                            param($Run, $Table)
                            Invoke-DeployStepTable -Run $Run -Step $Table
                        } $Run $Table
                    }).AddArgument($script:Manifest).AddArgument($run).AddArgument($table)
                $null = $runspace.BeginInvoke()
                $run.Started.Wait([TimeSpan]::FromSeconds(60)) | Should -BeTrue
                $runspace.Stop()
            }
            finally { $runspace.Dispose() }
        }
        else { Invoke-Runner $run $table }

        @($run.Calls) | Should -Be @('L', 'A', 'F', 'G', 'R', 'release L')
        $run.Report.ExitCode | Should -Be $(if ($Waits) { 130 } else { 3 })
        $run.Report.FailedStep | Should -Be 4
        if (-not $Waits) {
            $run.Report.Result | Should -Be 'Failed'
            $run.Report.Hint | Should -Be 'hint of G: Failed'
        }
    }

    It 'refuses without undoing, recording or releasing anything when a Refuse step fails' {
        $run = New-TestRun
        $table = @(New-TestStep -Name P -OnFailure Refuse; New-TestStep -Name L -OnFailure Refuse -Release -Fails
            New-TestStep -Name A -Undo a1; New-TestStep -Name R -Final)

        Invoke-Runner $run $table

        @($run.Calls) | Should -Be @('P', 'L')
        $run.Report.Result | Should -Be 'Refused'
        $run.Report.ExitCode | Should -Be 2
        $run.Report.FailedStep | Should -Be 2
        $run.Report.Hint | Should -Be 'hint of L: Refused'
    }

    It 'stops unwinding at the first undo action that fails, and reports Failed with that error' {
        $run = New-TestRun
        $table = @(New-TestStep -Name A -Undo a1; New-TestStep -Name B -Undo b1, b2 -UndoFails b1
            New-TestStep -Name C -Fails; New-TestStep -Name R -Final)

        Invoke-Runner $run $table

        @($run.Calls) | Should -Be @('A', 'B', 'C', 'undo b1', 'R')
        $run.Report.Result | Should -Be 'Failed'
        $run.Report.ExitCode | Should -Be 3
        $run.Report.Hint | Should -Be 'hint of C: Failed undo b1 broke'
    }

    It 'decides which of a step''s undo actions apply before the first of them runs' {
        # Like the switch: moving the marker back clears the flag that the drain after it also reads.
        $run = New-TestRun
        $run.Flag = $true
        $switch = New-TestStep -Name S
        $switch.Undo = @(
            @{
                Name = 'back'; If = { param($Run) $Run.Flag }
                Do = { param($Run) $Run.Calls.Add('back'); $Run.Flag = $false }
            }
            @{ Name = 'drain'; If = { param($Run) $Run.Flag }; Do = { param($Run) $Run.Calls.Add('drain') } }
            @{ Name = 'never'; If = { param($Run) $false }; Do = { param($Run) $Run.Calls.Add('never') } }
        )

        Invoke-Runner $run @($switch, (New-TestStep -Name V -Fails))

        @($run.Calls) | Should -Be @('S', 'V', 'back', 'drain')
    }

    It 'under -WhatIf passes -WhatIf to every step, plans, and unwinds nothing even after a failure' {
        $run = New-TestRun
        $table = @(New-TestStep -Name L -OnFailure Refuse -Release; New-TestStep -Name A -Undo a1
            New-TestStep -Name R -Final)

        Invoke-Runner $run $table -WhatIf

        @($run.Calls) | Should -Be @('L (what if)', 'A (what if)', 'R (what if)', 'release L')
        $run.Report.Result | Should -Be 'Planned'
        @($run.Report.Steps | ForEach-Object Result) | Should -Be @('planned', 'planned', 'planned')

        $failing = New-TestRun
        Invoke-Runner $failing @((New-TestStep -Name A -Undo a1), (New-TestStep -Name B -Fails)) -WhatIf `
           
        @($failing.Calls) | Should -Be @('A (what if)', 'B (what if)')
    }

    It 'refuses a table entry that is not a step: <Case>' -ForEach @(
        @{ Case = 'no OnFailure'; Step = @{ Name = 'X'; Do = {} } }
        @{ Case = 'a misspelt key'; Step = @{ Name = 'X'; Do = {}; OnFailure = 'Fail'; Undoo = @() } }
        @{ Case = 'an undo action without Do'
            Step = @{ Name = 'X'; Do = {}; OnFailure = 'Fail'; Undo = @(@{ Name = 'u' }) } }
    ) {
        { Invoke-Runner (New-TestRun) @($Step) } | Should -Throw '*Not a*'
    }
}

Describe 'Get-DeployStepTable' {
    It 'lists the thirteen steps of a <Mode>, the lock first, what each failure means, and which can be undone' -ForEach @(
        @{ Mode = 'Swap'; Start = 'Start idle slot green' }, @{ Mode = 'Rollback'; Start = 'Start previous slot green' }
    ) {
        $table = InModuleScope ZeroDowntime -Parameters @{ Mode = $Mode } { Get-DeployStepTable -Mode $Mode }
        $run = [pscustomobject]@{ Plan = [pscustomobject]@{ ActiveSlot = 'blue'; TargetSlot = 'green' }
            Context = [pscustomobject]@{ HooksDirectory = Join-Path $TestDrive 'no-hooks'; RepositoryRoot = '/nonexistent' } }
        $names = @($table | ForEach-Object { if ($_.Name -is [scriptblock]) { & $_.Name $run } else { $_.Name } })

        $names | Should -Be @('Lock', 'Preflight', 'Hook pre-deploy (none)', $Start,
            'Gate green (ready, smoke test, via nginx)', 'Switch nginx to green', 'Verify through nginx',
            'Hook post-switch (none)', 'Drain blue', 'Stop blue', 'Hook post-deploy (none)', 'Hook on-failure (none)',
            'Record')
        @($table | ForEach-Object { if ($_['Final']) { 'Final' } else { $_['OnFailure'] } }) |
            Should -Be @('Refuse', 'Refuse', 'Refuse', 'RollBack', 'RollBack', 'RollBack', 'RollBack', 'Fail', 'Fail',
                'Fail', 'Fail', 'Final', 'Final')
        # Start (stop the slot, tag its image again), Gate (clear the warm-up's candidate) and Switch (back, drain)
        # change what an undo takes back.
        @($table | ForEach-Object { @($_['Undo'] | Where-Object { $_ }).Count }) |
            Should -Be @(0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0)
        # A refusal by the pre-deploy hook is recorded (its output belongs in the history).
        @($table | Where-Object { $_['Recorded'] } | ForEach-Object { & $_.Name $run }) | Should -Be @('Hook pre-deploy (none)')
        @($table | Where-Object { $_['Release'] } | ForEach-Object Name) | Should -Be @('Lock')
    }
}
