# ZeroDowntime module, private (Stack): not exported.
# Called by: Invoke-GateWarmup
function Get-NginxClientLimit {
    <#
    .SYNOPSIS
        The per-address limits nginx runs with (request rate, burst, connections), read from the files its
        entrypoint generated from LIMIT_REQ_RATE, LIMIT_REQ_BURST and LIMIT_CONN.
    .DESCRIPTION
        Read from nginx rather than from .env: the running nginx is what answers 429, whatever the env file says now.
        Returns $null when the files are not there (an nginx of another layout): the caller then keeps its own
        defaults.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $NginxContainerId)

    $result = Invoke-Docker -ArgumentList 'exec', $NginxContainerId, 'cat', '/etc/nginx/generated/limits-http.conf',
        '/etc/nginx/generated/limits-server.conf' -TimeoutSeconds 30 -AllowFailure
    if ($result.ExitCode -ne 0) { return $null }
    ConvertFrom-NginxClientLimit -Text $result.StdOut
}
