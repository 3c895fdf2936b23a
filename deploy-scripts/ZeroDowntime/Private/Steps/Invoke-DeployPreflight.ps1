# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-DeployStepTable, Get-StagedStepTable
function Invoke-DeployPreflight {
    <#
    .SYNOPSIS
        Step 1: checks that nothing stands in the way, before anything changes; returns the plan's facts.
    .DESCRIPTION
        Docker answers, nginx and db run, `nginx -t` passes (a swap changes no nginx configuration, but a broken one
        on disk would fail nginx's next start: the operator hears of it now), the active slot is known from its
        marker, the timeouts are ordered, neither slot's health check is disabled (the gate reads it), and the image
        to deploy exists. An active slot that does not answer is a
        warning, not a refusal: a swap is then the way to restore service.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('Swap', 'Rollback')] [string] $Mode,
        [string] $Version,
        [switch] $Build
    )

    $engine = Invoke-Docker -ArgumentList 'version', '--format', '{{.Server.Version}}' -AllowFailure -TimeoutSeconds 30
    if ($engine.ExitCode -ne 0) { throw "Docker does not answer: $($engine.StdErr.Trim())" }

    $config = Get-ComposeConfig -Context $Context
    # One compose call for every container; from here on each is asked by its id.
    $containers = @{}
    foreach ($container in @(Get-StackContainer -Context $Context)) { $containers[$container.Service] = $container }
    foreach ($service in 'nginx', 'db') {
        $container = $containers[$service]
        if (-not $container -or $container.State -ne 'running') {
            $state = if ($container) { $container.State } else { 'missing' }
            throw "The stack is not up: service '$service' is $state. Start it with 'docker compose up -d'."
        }
    }
    $nginx = $containers['nginx'].Id
    Test-NginxConfig -NginxContainerId $nginx
    $active = (Get-ActiveSlot -NginxContainerId $nginx).Slot
    $target = Get-OtherSlot -Slot $active

    foreach ($slot in $script:Slots) {
        Assert-TimeoutOrder -Timeout (Get-SlotTimeout -ComposeConfig $config -Slot $slot)
        Assert-SlotHealthCheck -ComposeConfig $config -Slot $slot
    }

    $repository = Get-ApiImageRepository -ComposeConfig $config
    $warnings = [System.Collections.Generic.List[string]]::new()
    $activeContainer = $containers["api-$active"]
    $activeVersion = $null
    $activeStatus = if ($activeContainer -and $activeContainer.State -eq 'running') {
        Invoke-SlotProbe -ContainerId $activeContainer.Id -Path '/admin/status'
    }
    else {
        $state = if ($activeContainer) { $activeContainer.State } else { 'missing' }
        [pscustomobject]@{ Success = $false; Body = ''; Json = $null; Error = "its container is $state" }
    }
    if ($activeStatus.Success -and $activeStatus.Json) {
        $activeVersion = [string]$activeStatus.Json.version
    }
    else {
        $warnings.Add("The active slot $active does not answer ($($activeStatus.Error)" +
            "$($activeStatus.Body)); the switch goes ahead because it restores service.")
    }

    if ($Mode -eq 'Swap' -and -not $Build) {
        $image = "${repository}:$Version"
        $inspect = Invoke-Docker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', $image -AllowFailure
        if ($inspect.ExitCode -ne 0) {
            throw "Image $image does not exist. Build it, or pass -Build to build the working tree."
        }
    }
    if ($Mode -eq 'Rollback') {
        $inspect = Invoke-Docker -ArgumentList 'image', 'inspect', '--format', '{{.Id}}', "${repository}:$target" `
            -AllowFailure
        if ($inspect.ExitCode -ne 0) {
            throw "Nothing to roll back to: image ${repository}:$target does not exist (slot $target never deployed)."
        }
    }

    [pscustomobject]@{
        ActiveSlot        = $active
        TargetSlot        = $target
        ActiveVersion     = $activeVersion
        ImageRepository   = $repository
        Warnings          = $warnings.ToArray()
        # Neither container is recreated during a swap: later steps ask them by these ids.
        NginxContainerId  = $nginx
        ActiveContainerId = if ($activeContainer) { $activeContainer.Id } else { '' }
    }
}
