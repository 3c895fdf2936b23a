# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: status.ps1, users
function Get-DeployStatus {
    <#
    .SYNOPSIS
        What is live: the active slot per nginx, each slot's container, readiness and version, the lock, the last
        deploys. Read-only; each part that cannot be read is reported as unknown rather than failing the whole.
    .DESCRIPTION
        Takes a deploy context (New-DeployContext), or the same stack parameters as status.ps1 and builds one.
    .EXAMPLE
        Get-DeployStatus -ProjectName zdd-staging | ConvertTo-Json -Depth 6
    .EXAMPLE
        (Get-DeployStatus -Context (New-DeployContext)).ActiveSlot
    #>
    [CmdletBinding(DefaultParameterSetName = 'Stack')]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Context')] [pscustomobject] $Context,
        [Parameter(ParameterSetName = 'Stack')] [string] $ProjectName,
        [Parameter(ParameterSetName = 'Stack')] [string[]] $ComposeFile,
        [Parameter(ParameterSetName = 'Stack')] [string] $EnvFile,
        [Parameter(ParameterSetName = 'Stack')] [string] $StateDirectory,
        [ValidateRange(1, 100)] [int] $Last = 5
    )

    if ($PSCmdlet.ParameterSetName -eq 'Stack') {
        $Context = New-DeployContext -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile `
            -StateDirectory $StateDirectory
    }

    $problems = [System.Collections.Generic.List[string]]::new()
    $activeSlot = $null
    try { $activeSlot = (Get-ActiveSlot -Context $Context).Slot }
    catch { $problems.Add("Active slot unknown: $($_.Exception.Message)") }

    $slots = foreach ($slot in $script:Slots) {
        $container = $null
        try { $container = Get-SlotContainer -Context $Context -Service "api-$slot" }
        catch { $problems.Add("api-${slot}: $($_.Exception.Message)") }
        $ready = $false
        $version = $null
        $inFlight = $null
        if ($container -and $container.State -eq 'running') {
            $ready = (Invoke-SlotProbe -Context $Context -Slot $slot -Path '/health/ready').Success
            $status = Invoke-SlotProbe -Context $Context -Slot $slot -Path '/admin/status'
            if ($status.Json) { $version = [string]$status.Json.version; $inFlight = [int]$status.Json.inFlight }
        }
        [pscustomobject]@{
            Slot     = $slot
            Active   = $slot -eq $activeSlot
            State    = if ($container) { $container.State } else { 'missing' }
            Ready    = $ready
            Version  = $version
            InFlight = $inFlight
            Status   = if ($container) { $container.Status } else { '' }
        }
    }

    [pscustomobject]@{
        PSTypeName  = 'ZeroDowntime.DeployStatus'
        Project     = $Context.ProjectName
        ActiveSlot  = $activeSlot
        Slots       = @($slots)
        Lock        = Get-DeployLock -StateDirectory $Context.StateDirectory
        LastDeploys = @(Get-DeployRecord -StateDirectory $Context.StateDirectory -Last $Last |
            Select-Object -Property StartedAt, Mode, FromSlot, ToSlot, FromVersion, ToVersion, Result, FailedStep, Error)
        Problems    = $problems.ToArray()
    }
}
