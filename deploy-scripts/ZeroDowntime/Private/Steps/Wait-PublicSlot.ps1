# ZeroDowntime module, private (Steps): not exported.
# Called by: Confirm-SlotSwitch
function Wait-PublicSlot {
    <#
    .SYNOPSIS
        Step 6: through nginx from the host, several consecutive requests must be answered by the slot.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [ValidateRange(1, 100)] [int] $ConsecutiveCount = 5,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 20
    )

    if (-not $PSCmdlet.ShouldProcess('nginx', "Verify $ConsecutiveCount consecutive responses with X-Slot: $Slot")) {
        return
    }
    $baseUrl = Get-PublicEndpoint -Context $Context
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    $streak = 0
    $last = $null
    # New connections, each through the marker check; a streak, so that one lucky answer is not taken for the switch.
    while ($streak -lt $ConsecutiveCount) {
        $last = Get-PublicSlot -BaseUrl $baseUrl -HostName $Context.PublicHostName
        if ($last.StatusCode -eq 200 -and $last.Slot -eq $Slot) { $streak++; continue }
        $streak = 0
        if ([DateTimeOffset]::UtcNow -ge $deadline) {
            throw "Through nginx ($baseUrl/profile, Host $($Context.PublicHostName)) the answer is status " +
                "$($last.StatusCode), X-Slot '$($last.Slot)' $($last.Error) after $TimeoutSeconds s; expected $Slot."
        }
        Start-Sleep -Milliseconds 200
    }
}
