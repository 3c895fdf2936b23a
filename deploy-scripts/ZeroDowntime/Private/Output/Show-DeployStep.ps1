# ZeroDowntime module, private (Output): not exported.
# Called by: Invoke-DeployStep, Invoke-DeployUndo
function Show-DeployStep {
    <#
    .SYNOPSIS
        Prints the visible step line ("[3/9] Start idle slot green ... ok (4.2 s)"), or an undo line ("[undo] ...").
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [ValidateRange(0, 100)] [int] $Number,
        [ValidateRange(1, 100)] [int] $Total = 1,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Outcome,
        [double] $Seconds
    )

    # Number 0 marks a part of the undo, which is not one of the numbered steps.
    $label = if ($Number -eq 0) { 'undo' } else { "$Number/$Total" }
    $line = '[{0}] {1} ... {2} ({3} s)' -f $label, $Name, $Outcome,
        $Seconds.ToString('0.0', [cultureinfo]::InvariantCulture)
    # Write-Host writes to the information stream: visible on a console, capturable with 6>, never mixed into the
    # report object on the output stream.
    Write-Host $line
}
