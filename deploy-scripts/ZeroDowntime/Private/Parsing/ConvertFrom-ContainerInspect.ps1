# ZeroDowntime module, private (Parsing): not exported.
# Called by: Get-ContainerState
function ConvertFrom-ContainerInspect {
    <#
    .SYNOPSIS
        Reads `docker inspect --format '{"State":{{json .State}},"RestartCount":{{.RestartCount}}}'` into Status,
        ExitCode, StartedAt, RestartCount, Health ($null without a health check) and HealthOutput.
    .DESCRIPTION
        HealthOutput is the output of the last health check of the container's current run: Docker keeps the log of
        earlier runs (a stopped slot started again by a rollback shows its old checks until a new one ends), so
        entries that started before the container did are not taken.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [string] $Json)

    # Docker prints nanoseconds; .NET parses up to 7 fractional digits. ConvertFrom-Json may have made a date already.
    $toTime = {
        param([object] $Value)
        if ($Value -is [datetime]) { return [DateTimeOffset]::new($Value.ToUniversalTime()) }
        $text = [regex]::Replace([string]$Value, '(\.\d{7})\d+', '$1')
        $time = [DateTimeOffset]::MinValue
        if ([DateTimeOffset]::TryParse($text, [cultureinfo]::InvariantCulture,
                [System.Globalization.DateTimeStyles]::AssumeUniversal, [ref]$time)) { $time }
        else { [DateTimeOffset]::MinValue }
    }
    $inspect = $Json | ConvertFrom-Json
    $state = $inspect.State
    $startedAt = & $toTime $state.StartedAt
    $health = $null
    $output = $null
    $healthProperty = $state.PSObject.Properties['Health']
    if ($healthProperty -and $healthProperty.Value) {
        $health = [string]$healthProperty.Value.Status
        $current = @($healthProperty.Value.Log | Where-Object { $_ -and (& $toTime $_.Start) -ge $startedAt })
        if ($current) { $output = ([string]$current[-1].Output).Trim() }
    }
    [pscustomobject]@{
        Status       = [string]$state.Status
        ExitCode     = [int]$state.ExitCode
        StartedAt    = $startedAt
        RestartCount = [int]$inspect.RestartCount
        Health       = $health
        HealthOutput = $output
    }
}
