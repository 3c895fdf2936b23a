# ZeroDowntime module, private (Output): not exported.
# Called by: Invoke-DeployStep, Undo-SlotSwitch
function Show-DeployStep {
    <#
    .SYNOPSIS
        Prints the visible step line ("[3/9] Start idle slot green ... ok (4.2 s)").
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [int] $Number,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Outcome,
        [double] $Seconds
    )

    # Number 0 marks the undo of a failed swap, which is not one of the nine steps.
    $label = if ($Number -eq 0) { 'undo' } else { "$Number/$script:StepCount" }
    $line = '[{0}] {1} ... {2} ({3} s)' -f $label, $Name, $Outcome,
        $Seconds.ToString('0.0', [cultureinfo]::InvariantCulture)
    # Write-Host writes to the information stream: visible on a console, capturable with 6>, never mixed into the
    # report object on the output stream.
    Write-Host $line
}
