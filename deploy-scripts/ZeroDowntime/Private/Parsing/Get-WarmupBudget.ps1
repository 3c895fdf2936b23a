# ZeroDowntime module, private (Parsing): not exported.
# Called by: Invoke-SlotWarmup
function Get-WarmupBudget {
    <#
    .SYNOPSIS
        How hard the warm-up may press on nginx's per-address limits: requests at once per path, and a pace
        (requests per second after an initial allowance), so that no warm-up request is answered 429.
    .DESCRIPTION
        The warm-up's requests come from the deploy host, one client address to nginx, and count against that
        address's limit_conn and limit_req (nodelay: up to Rate + Burst at once, then Rate per second). The warm-up
        takes at most half of each, leaving the other half to whoever shares the address (through Docker's port
        proxy, other clients may). Without limits ($null) it keeps the asked concurrency and does not pace.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [ValidateRange(1, 64)] [int] $Concurrency,
        [Parameter(Mandatory)] [ValidateRange(1, 64)] [int] $PathCount,
        [AllowNull()] [pscustomobject] $Limit
    )

    if (-not $Limit) {
        return [pscustomobject]@{ Concurrency = $Concurrency; Allowance = [double]::PositiveInfinity; PerSecond = 0 }
    }
    $connections = [math]::Floor($Limit.Connections / 2)
    $allowance = [math]::Floor(($Limit.Rate + $Limit.Burst) / 2)
    # One round sends Concurrency requests to each path at once: both the connections and the initial allowance
    # must hold a whole round.
    $perPath = [math]::Floor([math]::Min($connections, $allowance) / $PathCount)
    [pscustomobject]@{
        Concurrency = [int][math]::Max(1, [math]::Min($Concurrency, $perPath))
        Allowance   = [double][math]::Max(1, $allowance)
        PerSecond   = [double][math]::Max(0.5, $Limit.Rate / 2)
    }
}
