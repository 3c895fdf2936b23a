# ZeroDowntime module, private (Stack): not exported.
# Called by: Test-CandidateRouting, Wait-PublicSlot
function Get-PublicSlot {
    <#
    .SYNOPSIS
        One GET /profile through nginx from the host: status code and the X-Slot header; never throws.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [string] $BaseUrl,
        [Parameter(Mandatory)] [string] $HostName,
        # More request headers, e.g. the opt-in to a staged candidate (X-ZDD-Preview: 1).
        [hashtable] $Header = @{}
    )

    try {
        # A new connection each time (no -WebSession): the verify step must see what new connections get.
        $headers = @{ Host = $HostName } + $Header
        $response = Invoke-WebRequest -Uri "$BaseUrl/profile" -Headers $headers -SkipCertificateCheck `
            -SkipHttpErrorCheck -TimeoutSec 10 -MaximumRedirection 0
        $slot = $response.Headers['X-Slot'] | Select-Object -First 1
        [pscustomobject]@{ StatusCode = [int]$response.StatusCode; Slot = [string]$slot; Error = $null }
    }
    catch {
        [pscustomobject]@{ StatusCode = 0; Slot = ''; Error = $_.Exception.Message }
    }
}
