# ZeroDowntime module, private (Stack): not exported.
# Called by: Wait-SlotReady
function Get-ContainerRestartCount {
    <#
    .SYNOPSIS
        How many times Docker's restart policy has restarted a container.
    #>
    [CmdletBinding()]
    [OutputType([int])]
    param([Parameter(Mandatory)] [string] $Name)

    [int](Invoke-Docker -ArgumentList 'inspect', '--format', '{{.RestartCount}}', $Name).StdOut.Trim()
}
