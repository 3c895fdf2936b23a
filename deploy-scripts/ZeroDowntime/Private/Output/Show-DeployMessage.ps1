# ZeroDowntime module, private (Output): not exported.
# Called by: Enter-DeployLock, Invoke-PruneCommand
function Show-DeployMessage {
    <#
    .SYNOPSIS
        Prints one line of progress or a decision ("waiting for lock held by ...", "keep <image> (why)").
    #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] [string] $Message)

    # Write-Host writes to the information stream: visible on a console, capturable with 6>, never mixed into the
    # report object on the output stream.
    Write-Host $Message
}
