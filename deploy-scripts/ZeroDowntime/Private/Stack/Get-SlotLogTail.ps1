# ZeroDowntime module, private (Stack): not exported.
# Called by: Wait-SlotReady
function Get-SlotLogTail {
    <#
    .SYNOPSIS
        The last lines of a slot container's log (`docker logs --tail`), for error messages; never throws.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [string] $ContainerId,
        [ValidateRange(1, 1000)] [int] $Lines = 20
    )

    # The app writes to stdout and stderr; docker logs gives both, in order within each.
    $result = Invoke-Docker -AllowFailure -ArgumentList 'logs', '--tail', "$Lines", $ContainerId
    # No terminal control sequences in a message that may end up in a log file or a test report.
    ("$($result.StdOut)$($result.StdErr)" -replace '\x1b\[[0-9;?]*[A-Za-z]', '').TrimEnd()
}
