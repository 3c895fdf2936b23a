# ZeroDowntime module, private (Stack): not exported.
# Called by: Invoke-DeployPreflight
function Test-NginxConfig {
    <#
    .SYNOPSIS
        Runs `nginx -t` in the nginx container; throws with nginx's own message when the config is bad.
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $NginxContainerId)

    $result = Invoke-Docker -ArgumentList 'exec', $NginxContainerId, 'nginx', '-t' -AllowFailure
    if ($result.ExitCode -ne 0) {
        throw "nginx -t failed: $(("$($result.StdErr)`n$($result.StdOut)").Trim())"
    }
}
