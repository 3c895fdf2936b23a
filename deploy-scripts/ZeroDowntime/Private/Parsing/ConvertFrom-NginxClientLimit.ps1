# ZeroDowntime module, private (Parsing): not exported.
# Called by: Get-NginxClientLimit
function ConvertFrom-NginxClientLimit {
    <#
    .SYNOPSIS
        Parses nginx's generated limit lines (`limit_req_zone ... rate=20r/s;`, `limit_req ... burst=40 nodelay;`,
        `limit_conn conn_per_address 20;`) into Rate (requests per second), Burst and Connections. $null when a
        number is missing.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [AllowEmptyString()] [string] $Text)

    $rate = if ($Text -match '(?m)^\s*limit_req_zone\b.*\brate=(?<n>\d+)r/s') { [int]$Matches['n'] }
    elseif ($Text -match '(?m)^\s*limit_req_zone\b.*\brate=(?<n>\d+)r/m') { [math]::Max(1, [int]$Matches['n'] / 60) }
    else { $null }
    $burst = if ($Text -match '(?m)^\s*limit_req\b.*\bburst=(?<n>\d+)') { [int]$Matches['n'] } else { 0 }
    $connections = if ($Text -match '(?m)^\s*limit_conn\s+\S+\s+(?<n>\d+)\s*;') { [int]$Matches['n'] } else { $null }
    if ($null -eq $rate -or $null -eq $connections) { return $null }
    [pscustomobject]@{ Rate = $rate; Burst = $burst; Connections = $connections }
}
