# ZeroDowntime module, private (Stack): not exported.
# Called by: Get-DeployStatus, Invoke-DeployPreflight, Test-SlotProfile, Wait-SlotDrain, Wait-SlotReady,
#   Wait-SlotThroughNginx
function Invoke-SlotProbe {
    <#
    .SYNOPSIS
        GETs a path from inside a slot's container (`dotnet Api.dll probe <path>`); never throws.
    .DESCRIPTION
        By default the slot asks itself. With -ThroughNginx it asks nginx's preview server for the same slot
        (`probe /<slot><path> --host nginx --port 8081`): what nginx reaches under that slot's name right now.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [Parameter(Mandatory)] [string] $Path,
        [switch] $ThroughNginx
    )

    $target = if ($ThroughNginx) { "/$Slot$Path", '--host', 'nginx', '--port', "$script:NginxPreviewPort" }
    else { $Path }
    $result = Invoke-Compose -Context $Context -AllowFailure -TimeoutSeconds 30 -ArgumentList (@('exec', '-T',
        "api-$Slot", 'dotnet', 'Api.dll', 'probe') + $target)
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
