# ZeroDowntime module, private (Stack): not exported.
# Called by: Wait-SlotReady
function Get-SlotLogTail {
    <#
    .SYNOPSIS
        The last lines of a slot's log, for error messages; never throws.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [ValidateRange(1, 1000)] [int] $Lines = 20
    )

    # --ansi never: no terminal control sequences in a message that may end up in a log file or a test report.
    $result = Invoke-Compose -Context $Context -AllowFailure -ArgumentList '--ansi', 'never', 'logs', '--no-color',
        '--no-log-prefix', '--tail', "$Lines", "api-$Slot"
    # compose still writes erase-line sequences (ESC[2K) before each line; strip any ANSI control sequence.
    ("$($result.StdOut)$($result.StdErr)" -replace '\x1b\[[0-9;?]*[A-Za-z]', '').TrimEnd()
}
