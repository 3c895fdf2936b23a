#Requires -Version 7.4
<#
    TestHelpers.ps1 - shared set-up for the Pester tests of the ZeroDowntime module (Tests/*.Tests.ps1). Dot-sourced
    by them; not used by the module or the scripts.

    Register-DeployStepMock replaces every step function that touches docker with a mock inside the module that records
    its name (and slot) in $script:Calls, so that a test can check the order of the steps and what ran after a
    failure. -FailAt makes one of them throw. The lock and history functions (Private/State) run
    for real against an in-memory stand-in of the state store (Register-DeployStateFake: the one seam,
    Invoke-DeployStateSql, answers each named query as the SQL does; tests/Deploy.Tests runs the real SQL on a real
    stack), reached through the *-TestDeploy* helpers below.
#>

function Get-TestContext {
    <#
    .SYNOPSIS
        A deploy context with a fresh, empty state store (Register-DeployStateFake); nothing refers to a real stack.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([string] $Name = 'zdd-unit')

    Register-DeployStateFake

    [pscustomobject]@{
        PSTypeName          = 'ZeroDowntime.DeployContext'
        ProjectName         = $Name
        ComposeFile         = @('/nonexistent/docker-compose.yaml')
        EnvFile             = $null
        RepositoryRoot      = '/nonexistent'
        # No hooks unless a test writes some there.
        HooksDirectory      = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        PublicHostName      = 'localhost'
        ReadyTimeoutSeconds = 5
        DrainTimeoutSeconds = 5
        WarmupPath          = @()
    }
}

function Register-DeployStepMock {
    <#
    .SYNOPSIS
        Mocks each docker-calling step function; each records "<Function>[:<slot>]" in $script:Calls.
    #>
    [CmdletBinding()]
    param(
        [ValidateSet('blue', 'green')] [string] $ActiveSlot = 'blue',
        [string] $FailAt,
        [string] $ReportedVersion = '2.0.0',
        [bool] $Drained = $true
    )

    $script:Calls = [System.Collections.Generic.List[string]]::new()
    $script:FailAt = $FailAt
    $script:PlanActiveSlot = $ActiveSlot
    $script:ReportedVersion = $ReportedVersion
    $script:Drained = $Drained

    # One recorder for all mocks: append the call, then throw if this is the function the test wants to fail.
    $script:Record = {
        param([string] $Name, [string] $Slot)
        $entry = if ($Slot) { "${Name}:$Slot" } else { $Name }
        $script:Calls.Add($entry)
        if ($script:FailAt -and ($script:FailAt -eq $Name -or $script:FailAt -eq $entry)) { throw "$entry broke" }
    }

    Mock -ModuleName ZeroDowntime Invoke-DeployPreflight {
        & $script:Record 'Invoke-DeployPreflight'
        $target = if ($script:PlanActiveSlot -eq 'blue') { 'green' } else { 'blue' }
        [pscustomobject]@{
            ActiveSlot        = $script:PlanActiveSlot
            TargetSlot        = $target
            ActiveVersion     = '1.0.0'
            ImageRepository   = 'zdd-unit/api'
            Warnings          = @()
            NginxContainerId  = 'id-nginx'
            ActiveContainerId = "id-$($script:PlanActiveSlot)"
        }
    }
    # The gate resolves the new slot's container once; the steps below get its id.
    Mock -ModuleName ZeroDowntime Get-StackContainer {
        foreach ($name in $Service) {
            [pscustomobject]@{ Service = $name; Id = "id-$($name -replace '^api-')"; Name = "zdd-unit-$name-1"
                State = 'running'; Status = 'Up'; Health = 'healthy'; ExitCode = 0 }
        }
    }
    Mock -ModuleName ZeroDowntime New-ApiImage { & $script:Record 'New-ApiImage' }
    Mock -ModuleName ZeroDowntime Publish-SlotImage { & $script:Record 'Publish-SlotImage' $Slot; 'sha256:previous' }
    Mock -ModuleName ZeroDowntime Restore-SlotImage {
        & $script:Record 'Restore-SlotImage' $Slot
        $script:RestoredImage = $ImageId
    }
    # Rollback: whether the kept container still runs the image its tag names.
    $script:ImageCurrent = $true
    Mock -ModuleName ZeroDowntime Test-SlotImageCurrent { $script:ImageCurrent }
    Mock -ModuleName ZeroDowntime Invoke-SlotMigration { & $script:Record 'Invoke-SlotMigration' $Slot }
    Mock -ModuleName ZeroDowntime Start-Slot {
        & $script:Record 'Start-Slot' $Slot
        if ($Recreate) { $script:Calls.Add('Recreate') }
    }
    # Which container each question went to: "<Function>:<container id>".
    $script:AskedContainers = [System.Collections.Generic.List[string]]::new()
    Mock -ModuleName ZeroDowntime Wait-SlotReady {
        & $script:Record 'Wait-SlotReady' $Slot
        $script:AskedContainers.Add("Wait-SlotReady:$ContainerId")
    }
    Mock -ModuleName ZeroDowntime Test-SlotProfile {
        & $script:Record 'Test-SlotProfile' $Slot
        $script:AskedContainers.Add("Test-SlotProfile:$ContainerId")
        $script:ExpectedVersionSeen = $ExpectedVersion
        $script:ReportedVersion
    }
    Mock -ModuleName ZeroDowntime Wait-SlotThroughNginx {
        & $script:Record 'Wait-SlotThroughNginx' $Slot
        $script:AskedContainers.Add("Wait-SlotThroughNginx:$ContainerId")
    }
    # Also the undo's switch back: then it records the old slot.
    Mock -ModuleName ZeroDowntime Set-ActiveSlot {
        & $script:Record 'Set-ActiveSlot' $Slot
        $script:AskedContainers.Add("Set-ActiveSlot:$NginxContainerId")
    }
    Mock -ModuleName ZeroDowntime Wait-PublicSlot { & $script:Record 'Wait-PublicSlot' $Slot }
    # Maintenance mode off unless a test turns it on ($script:MaintenanceOn).
    $script:MaintenanceOn = $false
    Mock -ModuleName ZeroDowntime Get-MaintenanceState {
        [pscustomobject]@{ On = $script:MaintenanceOn; RetryAfterSeconds = 300; Message = $null; Since = $null; By = $null }
    }
    Mock -ModuleName ZeroDowntime Get-ActiveSlot { [pscustomobject]@{ Slot = $script:ActiveAfterSwitch } }
    # The end of the gate: the slot staged in nginx for opt-in requests and warmed up (the undo clears it).
    Mock -ModuleName ZeroDowntime Invoke-GateWarmup {
        & $script:Record 'Invoke-GateWarmup' $Run.Plan.TargetSlot
        $Run.CandidateSet = $true
    }
    # nginx's routing state (zdd-state.sh): "Set-RoutingState:<Action>[:<slot>[:<percent>]]".
    $script:Routing = [pscustomobject]@{ Active = $ActiveSlot; Maintenance = $null; Candidate = $null; Percent = $null
        Round = $null }
    Mock -ModuleName ZeroDowntime Set-RoutingState {
        $entry = @($Action, (Get-Variable -Name Slot -ValueOnly -ErrorAction Ignore),
            (Get-Variable -Name Percent -ValueOnly -ErrorAction Ignore)) | Where-Object { $_ }
        & $script:Record 'Set-RoutingState' ($entry -join ':')
        $script:Routing.Candidate = if ($Action -eq 'Clear') { $null } else { $Slot }
        $script:Routing.Percent = if ($Action -eq 'Canary') { $Percent } else { $null }
    }
    Mock -ModuleName ZeroDowntime Get-RoutingState { $script:Routing }
    Mock -ModuleName ZeroDowntime Test-CandidateRouting {
        & $script:Record 'Test-CandidateRouting' $Slot
    }
    Mock -ModuleName ZeroDowntime Wait-SlotDrain {
        & $script:Record 'Wait-SlotDrain' $Slot
        $script:AskedContainers.Add("Wait-SlotDrain:$ContainerId")
        $script:Drained
    }
    Mock -ModuleName ZeroDowntime Stop-Slot { & $script:Record 'Stop-Slot' $Slot }
    # The visible step lines would only clutter the test output.
    Mock -ModuleName ZeroDowntime Show-DeployStep { }
}

function Register-DeployStateFake {
    <#
    .SYNOPSIS
        Replaces the state store's one seam (Invoke-DeployStateSql) with an in-memory one that answers each named
        query as the SQL does (one lock row, insert-if-absent; an append-only history), and the heartbeat thread with
        a no-op. $script:State holds the lock row and the history.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Registers mocks; changes nothing outside the test.')]
    [CmdletBinding()]
    param()

    $script:State = @{ Lock = $null; History = [System.Collections.Generic.List[object]]::new(); Attempts = 0
        ReleaseAfterAttempts = 0 }
    Mock -ModuleName ZeroDowntime Get-DeployStateContainer { 'id-db' }
    # What the real one remembers (in the module's scope): which lock this process holds.
    Mock -ModuleName ZeroDowntime Start-DeployLockHeartbeat {
        & (Get-Module ZeroDowntime) {
            param($Token)
            $script:HeldLock = [pscustomobject]@{ Token = $Token; ContainerId = 'id-db'; Job = $null }
        } $Token
    }
    Mock -ModuleName ZeroDowntime Invoke-DeployStateSql {
        $state = $script:State
        $now = [DateTimeOffset]::UtcNow
        $view = {
            param($Row)
            if (-not $Row) { return $null }
            $copy = $Row.PSObject.Copy()
            $copy.HeartbeatAgeSeconds = [math]::Round(($now - $Row.HeartbeatAt).TotalSeconds, 1)
            $copy
        }
        switch ($Query) {
            'TakeLock' {
                $state.Attempts++
                if ($state.Lock -and $state.ReleaseAfterAttempts -and $state.Attempts -ge $state.ReleaseAfterAttempts) {
                    $state.Lock = $null
                }
                if ($state.Lock) { return [pscustomobject]@{ Taken = $false; Holder = (& $view $state.Lock) } }
                $state.Lock = [pscustomobject]@{ Token = $Variables.token; User = $Variables.user; Host = $Variables.host
                    Pid = [int]$Variables.pid; Command = $Variables.command; StartedAt = $now; HeartbeatAt = $now
                    Kind = 'run'; Staged = $null; HeartbeatAgeSeconds = 0.0 }
                [pscustomobject]@{ Taken = $true; Holder = (& $view $state.Lock) }
            }
            'GetLock' { & $view $state.Lock }
            'Heartbeat' {
                $holds = [bool]($state.Lock -and $state.Lock.Token -eq $Variables.token -and $state.Lock.Kind -eq 'run')
                if ($holds) { $state.Lock.HeartbeatAt = $now }
                $holds
            }
            'ReleaseLock' {
                $holds = [bool]($state.Lock -and $state.Lock.Token -eq $Variables.token -and $state.Lock.Kind -eq 'run')
                if ($holds) { $state.Lock = $null }
                $holds
            }
            'RemoveLock' {
                $holds = [bool]($state.Lock -and $state.Lock.Token -eq $Variables.token)
                if ($holds) { $state.Lock = $null }
                $holds
            }
            'StageLock' {
                $holds = [bool]($state.Lock -and $state.Lock.Token -eq $Variables.token -and $state.Lock.Kind -eq 'run')
                if ($holds) {
                    $state.Lock.Kind = 'staged'
                    $state.Lock.Staged = $Variables.staged | ConvertFrom-Json
                }
                $holds
            }
            'AdoptStaged' {
                if (-not $state.Lock -or $state.Lock.Kind -ne 'staged') { return $null }
                $state.Lock.Token = $Variables.token; $state.Lock.User = $Variables.user
                $state.Lock.Host = $Variables.host; $state.Lock.Pid = [int]$Variables.pid
                $state.Lock.Command = $Variables.command; $state.Lock.Kind = 'run'; $state.Lock.HeartbeatAt = $now
                & $view $state.Lock
            }
            'AppendHistory' {
                $entry = $Variables.record | ConvertFrom-Json
                $id = [long]($state.History.Count + 1)
                $entry | Add-Member -NotePropertyName Id -NotePropertyValue $id -Force
                $state.History.Add($entry)
                $id
            }
            'GetHistory' {
                $count = $state.History.Count
                @(for ($i = $count - 1; $i -ge [math]::Max(0, $count - [int]$Variables.last); $i--) {
                        $state.History[$i]
                    })
            }
            'DeployedVersions' {
                $moves = @($state.History | Where-Object {
                        $_.PSObject.Properties['Mode'] -and $_.Mode -in 'Swap', 'Rollback', 'Promote' })
                $tried = foreach ($entry in $moves) {
                    $ok = $entry.PSObject.Properties['Result'] -and $entry.Result -eq 'Succeeded'
                    if ($entry.PSObject.Properties['ToVersion'] -and $entry.ToVersion) {
                        [pscustomobject]@{ Version = $entry.ToVersion; Id = $entry.Id
                            Live = if ($ok) { 2 * $entry.Id } else { $null } }
                    }
                    if ($ok -and $entry.PSObject.Properties['FromVersion'] -and $entry.FromVersion) {
                        [pscustomobject]@{ Version = $entry.FromVersion; Id = $entry.Id; Live = 2 * $entry.Id - 1 }
                    }
                }
                $versions = foreach ($group in @($tried | Group-Object -Property Version)) {
                    $live = @($group.Group | Where-Object { $null -ne $_.Live })
                    [pscustomobject]@{
                        Version  = $group.Name
                        LastLive = if ($live) { ($live | Measure-Object -Property Live -Maximum).Maximum } else { $null }
                        LastId   = ($group.Group | Measure-Object -Property Id -Maximum).Maximum
                    }
                }
                @($versions | Sort-Object -Descending -Property @{
                        Expression = { if ($null -eq $_.LastLive) { -1 } else { $_.LastLive } } })
            }
            default { throw "The fake state store does not know the query $Query." }
        }
    }
}

function Enter-TestDeployLock {
    <#
    .SYNOPSIS
        Puts a holder into the test's lock, as another run (another process or host) would hold it.
    .PARAMETER HeartbeatAgeSeconds
        How long ago it last beat: 0 = alive; 60 (on another host) = dead.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Changes the in-memory test store only.')]
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Command,
        [int] $HeartbeatAgeSeconds = 0,
        [string] $HostName = 'other-host',
        [int] $ProcessId = 4242,
        [ValidateSet('run', 'staged')] [string] $Kind = 'run',
        [hashtable] $Staged
    )

    $beat = [DateTimeOffset]::UtcNow.AddSeconds(-$HeartbeatAgeSeconds)
    $script:State.Lock = [pscustomobject]@{ Token = [guid]::NewGuid().ToString(); User = 'someone'; Host = $HostName
        Pid = $ProcessId; Command = $Command; StartedAt = $beat.AddMinutes(-1); HeartbeatAt = $beat; Kind = $Kind
        Staged = if ($Staged) { [pscustomobject]$Staged } else { $null }; HeartbeatAgeSeconds = 0.0 }
}

function Get-TestDeployLock {
    <#
    .SYNOPSIS
        The holder of a test context's deploy lock, or $null.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    InModuleScope ZeroDowntime -Parameters @{ Context = $Context } { Get-DeployLock -Context $Context }
}

function Write-TestDeployRecord {
    <#
    .SYNOPSIS
        Appends an entry to a test context's history, as an earlier run would have.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [pscustomobject] $Context, [Parameter(Mandatory)] [pscustomobject] $Report)

    InModuleScope ZeroDowntime -Parameters @{ Context = $Context; Report = $Report } {
        $null = Write-DeployRecord -Context $Context -Report $Report
    }
}

function Get-TestDeployRecord {
    <#
    .SYNOPSIS
        The history of a test context, newest first.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context, [int] $Last = 5)

    InModuleScope ZeroDowntime -Parameters @{ Context = $Context; Last = $Last } {
        Get-DeployRecord -Context $Context -Last $Last
    }
}

function New-TestHook {
    <#
    .SYNOPSIS
        An executable hook file for the hook tests: it appends its name and the facts it was given to -Log, prints
        "output of <name>", runs -Extra (shell), and exits with -ExitCode.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Writes a file under TestDrive only.')]
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [string] $Directory,
        [Parameter(Mandatory)] [string] $Log,
        [Parameter(Mandatory)] [string] $Name,
        [int] $ExitCode = 0,
        [string] $Extra = ''
    )

    $path = Join-Path $Directory $Name
    $facts = 'op=$ZDD_OPERATION version=$ZDD_VERSION from=$ZDD_FROM_SLOT to=$ZDD_TO_SLOT result=$ZDD_RESULT ' +
        'failed=$ZDD_FAILED_STEP'
    Set-Content -LiteralPath $path -Value @(
        '#!/bin/sh'
        "echo ""`$ZDD_HOOK $facts"" >> '$Log'"
        "echo 'output of $Name'"
        $Extra
        "exit $ExitCode"
    )
    [System.IO.File]::SetUnixFileMode($path, 'UserRead, UserWrite, UserExecute')
}

function New-TestStep {
    <#
    .SYNOPSIS
        A step for the runner's tests: its Do, Undo actions, Release and Hint record what ran in $Run.Calls.
    .DESCRIPTION
        The scriptblocks are created from text: an unbound scriptblock runs in the session state of whoever invokes
        it, here the module's runner, so that it sees the runner's $WhatIfPreference as the real steps do. -Waits
        makes the step signal $Run.Started and sleep, for a test to stop the pipeline in it (Ctrl+C).
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Builds a hashtable in memory; changes nothing.')]
    [CmdletBinding()]
    [OutputType([hashtable])]
    param(
        [Parameter(Mandatory)] [string] $Name,
        [ValidateSet('Refuse', 'RollBack', 'Fail')] [string] $OnFailure = 'RollBack',
        [string[]] $Undo = @(),
        [string] $UndoFails,
        [switch] $Fails,
        [switch] $Waits,
        [switch] $Final,
        [switch] $Release
    )

    $do = "`$Run.Calls.Add('$Name' + `$(if (`$WhatIfPreference) { ' (what if)' } else { '' }))"
    if ($Waits) { $do += "; `$null = `$Run.Started.Set(); Start-Sleep -Seconds 60" }
    if ($Fails) { $do += "; throw '$Name broke'" }
    $step = @{
        Name = $Name
        Do   = [scriptblock]::Create("param(`$Run) $do")
        Hint = [scriptblock]::Create(
            "param(`$Run, `$Outcome, `$UndoError) ""hint of $Name`: `$Outcome `$UndoError"".Trim()")
    }
    if ($Final) { $step.Final = $true } else { $step.OnFailure = $OnFailure }
    if ($Release) { $step.Release = [scriptblock]::Create("param(`$Run) `$Run.Calls.Add('release $Name')") }
    $step.Undo = @(foreach ($action in $Undo) {
            $text = "param(`$Run) `$Run.Calls.Add('undo $action')"
            if ($action -eq $UndoFails) { $text += "; throw 'undo $action broke'" }
            @{ Name = "undo $action"; Do = [scriptblock]::Create($text) }
        })
    $step
}

function New-TestRun {
    <#
    .SYNOPSIS
        The run state the runner's tests pass: a real deploy report, the list of calls, and a signal for -Waits.
    #>
    [Diagnostics.CodeAnalysis.SuppressMessageAttribute('PSUseShouldProcessForStateChangingFunctions', '',
        Justification = 'Builds an object in memory; changes nothing.')]
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param()

    [pscustomobject]@{
        Report  = InModuleScope ZeroDowntime { New-DeployReport -Mode Swap }
        Calls   = [System.Collections.Generic.List[string]]::new()
        Started = [System.Threading.ManualResetEventSlim]::new($false)
        Flag    = $false
    }
}
