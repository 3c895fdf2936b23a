# ZeroDowntime module, private (Stack): not exported.
# Called by: Wait-SlotDrain, Wait-SlotReady
function Get-ContainerState {
    <#
    .SYNOPSIS
        What Docker knows of a container right now (one `docker inspect`): state, exit code, restart count, and its
        health check's status and last output; $null when the container does not exist.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $ContainerId)

    $format = '{"State":{{json .State}},"RestartCount":{{.RestartCount}}}'
    $result = Invoke-Docker -AllowFailure -ArgumentList 'inspect', '--type', 'container', '--format', $format,
        $ContainerId
    if ($result.ExitCode -ne 0) {
        if ($result.StdErr -match 'No such') { return $null }
        throw "'$($result.CommandLine)' failed with exit code $($result.ExitCode): $($result.StdErr.Trim())"
    }
    ConvertFrom-ContainerInspect -Json $result.StdOut
}
