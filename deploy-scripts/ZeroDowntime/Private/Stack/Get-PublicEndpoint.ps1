# ZeroDowntime module, private (Stack): not exported.
# Called by: Invoke-SlotWarmup, Test-CandidateRouting, Wait-PublicSlot
function Get-PublicEndpoint {
    <#
    .SYNOPSIS
        The host URL of nginx's HTTPS port (`docker compose port nginx 443`), on 127.0.0.1.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([Parameter(Mandatory)] [pscustomobject] $Context)

    $binding = (Invoke-Compose -Context $Context -ArgumentList 'port', 'nginx', '443').StdOut.Trim()
    if ($binding -notmatch ':(?<port>\d+)$') { throw "docker compose port nginx 443 printed '$binding'." }
    # A wildcard or loopback binding is reached on 127.0.0.1; the stack binds 127.0.0.1 by default.
    "https://127.0.0.1:$($Matches['port'])"
}
