#Requires -Version 7.4
<#
    TestHelpers.ps1 - shared set-up for the Pester tests of the ZeroDowntime module (Tests/*.Tests.ps1). Dot-sourced
    by them; not used by the module or the scripts.

    Register-DeployStepMock replaces every step function that touches docker with a mock inside the module that records
    its name (and slot) in $script:Calls, so that a test can check the order of the steps and what ran after a
    failure. -FailAt makes one of them throw. The lock and the records stay real (files in TestDrive), reached through
    the *-TestDeploy* helpers below (the module's State functions are private).
#>

function Get-TestContext {
    <#
    .SYNOPSIS
        A deploy context whose state directory is a fresh folder under TestDrive; nothing refers to a real stack.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([string] $Name = 'zdd-unit')

    [pscustomobject]@{
        PSTypeName          = 'ZeroDowntime.DeployContext'
        ProjectName         = $Name
        ComposeFile         = @('/nonexistent/docker-compose.yaml')
        EnvFile             = $null
        StateDirectory      = Join-Path $TestDrive ([guid]::NewGuid().ToString('n'))
        RepositoryRoot      = '/nonexistent'
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

function Enter-TestDeployLock {
    <#
    .SYNOPSIS
        Takes the deploy lock of a test context, as another run would hold it.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [pscustomobject] $Context, [Parameter(Mandatory)] [string] $Command)

    InModuleScope ZeroDowntime -Parameters @{ Directory = $Context.StateDirectory; Command = $Command } {
        $null = Enter-DeployLock -StateDirectory $Directory -Command $Command
    }
}

function Get-TestDeployLock {
    <#
    .SYNOPSIS
        The holder of a test context's deploy lock, or $null.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    InModuleScope ZeroDowntime -Parameters @{ Directory = $Context.StateDirectory } {
        Get-DeployLock -StateDirectory $Directory
    }
}

function Write-TestDeployRecord {
    <#
    .SYNOPSIS
        Writes a deploy record into a test context's state, as an earlier run would have.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [pscustomobject] $Context, [Parameter(Mandatory)] [pscustomobject] $Report)

    InModuleScope ZeroDowntime -Parameters @{ Directory = $Context.StateDirectory; Report = $Report } {
        $null = Write-DeployRecord -StateDirectory $Directory -Report $Report
    }
}

function Get-TestDeployRecord {
    <#
    .SYNOPSIS
        The deploy records of a test context, newest first.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [pscustomobject] $Context, [int] $Last = 5)

    InModuleScope ZeroDowntime -Parameters @{ Directory = $Context.StateDirectory; Last = $Last } {
        Get-DeployRecord -StateDirectory $Directory -Last $Last
    }
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
