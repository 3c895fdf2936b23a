# ZeroDowntime module, private (Steps): not exported.
# Called by: Get-PromoteStepTable, Get-StagedStepTable
function Test-CandidateRouting {
    <#
    .SYNOPSIS
        After staging: through nginx from the host, a request that opts in (X-ZDD-Preview: 1) is answered by the
        staged slot, and (with -ActiveSlot) one that does not, by the active slot.
    .DESCRIPTION
        Under a canary a request without the opt-in is drawn (P % to the candidate), so only the opt-in is checked
        then. Each request is a new connection, with the public host name, as Wait-PublicSlot's are.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [ValidateSet('blue', 'green')] [string] $ActiveSlot,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 20
    )

    if (-not $PSCmdlet.ShouldProcess('nginx', "Verify that an opt-in request reaches api-$Slot")) { return }
    $baseUrl = Get-PublicEndpoint -Context $Context
    $checks = @(@{ Header = @{ 'X-ZDD-Preview' = '1' }; Slot = $Slot; What = 'an opt-in request (X-ZDD-Preview: 1)' })
    if ($ActiveSlot) { $checks += @{ Header = @{}; Slot = $ActiveSlot; What = 'a request without the opt-in' } }
    $deadline = [DateTimeOffset]::UtcNow.AddSeconds($TimeoutSeconds)
    foreach ($check in $checks) {
        while ($true) {
            $answer = Get-PublicSlot -BaseUrl $baseUrl -HostName $Context.PublicHostName -Header $check.Header
            if ($answer.StatusCode -eq 200 -and $answer.Slot -eq $check.Slot) { break }
            if ([DateTimeOffset]::UtcNow -ge $deadline) {
                throw "Through nginx ($baseUrl/profile, Host $($Context.PublicHostName)) $($check.What) got status " +
                    "$($answer.StatusCode) from slot '$($answer.Slot)' $($answer.Error); expected $($check.Slot)."
            }
            Start-Sleep -Milliseconds 200
        }
    }
}
