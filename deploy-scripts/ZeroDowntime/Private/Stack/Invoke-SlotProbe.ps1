# ZeroDowntime module, private (Stack): not exported.
# Called by: Get-DeployStatus, Invoke-DeployPreflight, Test-SlotProfile, Wait-SlotDrain, Wait-SlotThroughNginx
function Invoke-SlotProbe {
    <#
    .SYNOPSIS
        GETs a path from inside a slot's container (`docker exec <id> dotnet Api.dll probe <path>`); never throws.
    .DESCRIPTION
        The one way the scripts ask a slot a question (its /profile, /admin/status), by container id: `docker compose
        exec` would parse the compose project again on every call. The container's id comes from Get-StackContainer,
        once per step. With -ThroughNginx the slot asks nginx's preview server for itself instead
        (`probe /<slot><path> --host nginx --port 8081`): what nginx reaches under that slot's name right now.
        Readiness is not asked here: Docker's health check already runs the same probe (Get-ContainerState).
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [string] $ContainerId,
        [Parameter(Mandatory)] [ValidatePattern('^/')] [string] $Path,
        [ValidateSet('blue', 'green')] [string] $Slot,
        [switch] $ThroughNginx
    )

    if ($ThroughNginx -and -not $Slot) { throw 'A probe through nginx needs -Slot: the preview server names it.' }
    $target = if ($ThroughNginx) { "/$Slot$Path", '--host', 'nginx', '--port', "$script:NginxPreviewPort" }
    else { $Path }
    $result = Invoke-Docker -AllowFailure -TimeoutSeconds 30 -ArgumentList (@('exec', $ContainerId, 'dotnet', 'Api.dll',
            'probe') + $target)
    $body = $result.StdOut.Trim()
    $json = $null
    if ($body.StartsWith('{')) {
        try { $json = $body | ConvertFrom-Json } catch { Write-Verbose "Probe body is not JSON: $body" }
    }
    [pscustomobject]@{
        Success = $result.ExitCode -eq 0
        Body    = $body
        Json    = $json
        Error   = $result.StdErr.Trim()
    }
}
