# ZeroDowntime module, private (Parsing): not exported.
# Called by: Invoke-DeployPreflight
function Assert-TimeoutOrder {
    <#
    .SYNOPSIS
        Throws unless stop grace > app shutdown timeout > longest allowed request (docs/failure-modes.md #12).
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [pscustomobject] $Timeout)

    $t = $Timeout
    $ordered = $t.StopGraceSeconds -gt $t.ShutdownTimeoutSeconds -and $t.ShutdownTimeoutSeconds -gt $t.MaxRequestSeconds
    if (-not $ordered) {
        throw "$($t.Service): unsafe timeouts. Required: stop_grace_period ($($t.StopGraceSeconds) s) > " +
            "SHUTDOWN_TIMEOUT_SECONDS ($($t.ShutdownTimeoutSeconds) s) > MAX_REQUEST_SECONDS " +
            "($($t.MaxRequestSeconds) s); otherwise Docker kills the app mid-drain or the app aborts requests. " +
            'Fix them in the compose file or the env file.'
    }
}
