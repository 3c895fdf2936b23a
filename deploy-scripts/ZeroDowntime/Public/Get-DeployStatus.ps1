# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: status.ps1, users
function Get-DeployStatus {
    <#
    .SYNOPSIS
        What is live: the active slot per nginx, each slot's container, readiness (Docker's health check) and version,
        maintenance mode, the lock, a staged deployment or canary (with nginx's routing state), the last deploys (from
        the history in the stack's PostgreSQL). Read-only; each part that cannot be read is reported as unknown
        rather than failing the whole.
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
        [ValidateRange(1, 100)] [int] $Last = 5
    )

    if ($PSCmdlet.ParameterSetName -eq 'Stack') {
        $Context = New-DeployContext -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile
    }

    $problems = [System.Collections.Generic.List[string]]::new()
    # One compose call for every container; each is then asked by its id.
    $containers = @{}
    try {
        foreach ($container in @(Get-StackContainer -Context $Context)) { $containers[$container.Service] = $container }
    }
    catch { $problems.Add("Containers unknown: $($_.Exception.Message)") }

    $activeSlot = $null
    $maintenance = $null
    try {
        $nginx = $containers['nginx']
        if (-not $nginx -or $nginx.State -ne 'running') { throw 'nginx is not running.' }
        $activeSlot = (Get-ActiveSlot -NginxContainerId $nginx.Id).Slot
        $maintenance = Get-MaintenanceState -NginxContainerId $nginx.Id
    }
    catch { $problems.Add("Active slot unknown: $($_.Exception.Message)") }

    # The lock and the history live in the db service (database zdd_deploy).
    $lock = $null
    $history = @()
    $db = $containers['db']
    if ($db -and $db.State -eq 'running') {
        $Context | Add-Member -NotePropertyName StateContainerId -NotePropertyValue $db.Id -Force
        try {
            $lock = Get-DeployLock -Context $Context
            $history = @(Get-DeployRecord -Context $Context -Last ([math]::Max($Last, 50)))
        }
        catch { $problems.Add("Lock and history unknown: $($_.Exception.Message)") }
    }
    else { $problems.Add('Lock and history unknown: the db service is not running.') }
    if ($maintenance -and $maintenance.On) {
        # Who turned it on, when, and with which message: the history's last MaintenanceOn.
        $on = $history | Where-Object { $_.Mode -eq 'MaintenanceOn' -and $_.Result -eq 'Succeeded' } |
            Select-Object -First 1
        if ($on) {
            $maintenance.Since = $on.FinishedAt
            $maintenance.By = "$($on.User)@$($on.Host)"
            if ($on.Details -and $on.Details.PSObject.Properties['Message']) { $maintenance.Message = $on.Details.Message }
        }
    }

    # nginx's routing state besides the active slot: a staged candidate, a canary's percentage, maintenance.
    $routing = $null
    if ($containers['nginx'] -and $containers['nginx'].State -eq 'running') {
        try { $routing = Get-RoutingState -NginxContainerId $containers['nginx'].Id }
        catch { $problems.Add("Routing state unknown: $($_.Exception.Message)") }
    }
    $slots = foreach ($slot in $script:Slots) {
        $container = $containers["api-$slot"]
        $running = $container -and $container.State -eq 'running'
        $version = $null
        $inFlight = $null
        if ($running) {
            $status = Invoke-SlotProbe -ContainerId $container.Id -Path '/admin/status'
            if ($status.Json) { $version = [string]$status.Json.version; $inFlight = [int]$status.Json.inFlight }
        }
        [pscustomobject]@{
            Slot     = $slot
            Active   = $slot -eq $activeSlot
            State    = if ($container) { $container.State } else { 'missing' }
            # Ready is what the swap's gate reads too: Docker's health check of the running container.
            Ready    = [bool]($running -and $container.Health -eq 'healthy')
            Version  = $version
            InFlight = $inFlight
            Status   = if ($container) { $container.Status } else { '' }
        }
    }

    # A staged deployment (swap.ps1 -Stage or -Canary): what the lock keeps, with nginx's view beside it.
    $staged = $null
    if ($lock -and $lock.Staged) {
        $details = $lock.Staged
        $staged = [pscustomobject]@{
            Slot        = $details['Slot']
            Version     = $details['Version']
            FromSlot    = $details['FromSlot']
            FromVersion = $details['FromVersion']
            Mode        = $details['Mode']
            Percent     = $details['Percent']
            StagedAt    = $details['StagedAt']
            StagedBy    = $details['StagedBy']
            Held        = $lock.Kind -eq 'staged'
        }
        if ($routing -and $routing.Candidate -ne $details['Slot']) {
            $problems.Add("The lock says $($details['Slot']) is staged, but nginx's candidate is " +
                "'$($routing.Candidate)': run swap.ps1 -Abort to clean up.")
        }
    }
    elseif ($routing -and $routing.Candidate -and -not $lock) {
        $problems.Add("nginx has a candidate ($($routing.Candidate)) that no staged deployment holds: clear it with " +
            "'docker compose exec nginx sh $script:RoutingStateScript clear-candidate'.")
    }
    # The history also holds maintenance changes, prunes and broken locks: status.ps1 -History lists those.
    $deployModes = 'Swap', 'Rollback', 'Stage', 'Canary', 'Promote', 'Abort'
    [pscustomobject]@{
        PSTypeName  = 'ZeroDowntime.DeployStatus'
        Project     = $Context.ProjectName
        ActiveSlot  = $activeSlot
        Slots       = @($slots)
        Maintenance = $maintenance
        Lock        = $lock
        Staged      = $staged
        Routing     = $routing
        LastDeploys = @($history | Where-Object { $_.Mode -in $deployModes } |
            Select-Object -First $Last -Property StartedAt, Mode, FromSlot, ToSlot, FromVersion, ToVersion, Result,
            FailedStep, Error, User, Host)
        Problems    = $problems.ToArray()
    }
}
