# ZeroDowntime module, private (Steps): not exported.
# Called by: Invoke-GateWarmup
function Invoke-SlotWarmup {
    <#
    .SYNOPSIS
        Part of the gate: warms a staged slot up before it gets its first real request, with requests through nginx's
        public server, on the production scheme (https) and host name (-Context's PublicHostName), opted in to the
        staged candidate (X-ZDD-Preview: 1). Returns what it did (rounds, requests, seconds, first and last round).
    .DESCRIPTION
        The first requests a .NET slot serves pay for JIT compilation, the first database connections of the pool,
        thread-pool growth and cold caches. Each round sends -Concurrency requests at once to every path of
        -WarmupPath (the context's list: -WarmupPath, ZDD_WARMUP_PATHS in .env, or the default) and checks each
        answer: an accepted status, and X-Slot naming the slot (the opt-in reached it). Rounds go on until two
        consecutive rounds take about as long (within 25 % or 10 ms of each other: the latency has settled), at least
        3 and at most -MaxRounds, within -TimeoutSeconds. Then a second phase serves .NET's tiered compilation: a
        method first runs as quickly compiled code, and is recompiled optimised in the background after 30 calls,
        counted only once no new method was compiled for 100 ms. Without this phase the counting would start at the
        end of the warm-up and the optimising compiler would run during the first real requests, on the same cores:
        so a pause, enough rounds for 40 more calls of each path, a pause for the background compiler, and a last
        round. Requests go to the published HTTPS port on 127.0.0.1 with the
        Host header of the public host name, as Wait-PublicSlot's do, so the API sees what a user's request shows it
        (Host, X-Forwarded-Proto https through nginx). The slot must be staged as nginx's candidate
        (Set-RoutingState -Stage) first; until then the opt-in header is ignored. An unaccepted status or another
        slot's answer fails the gate, naming the path.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [ValidateSet('blue', 'green')] [string] $Slot,
        [ValidateRange(1, 64)] [int] $Concurrency = 12,
        [ValidateRange(3, 200)] [int] $MaxRounds = 30,
        [ValidateRange(1, 600)] [int] $TimeoutSeconds = 30,
        # nginx's per-address limits (Get-NginxClientLimit): the warm-up stays within half of them, so that none of
        # its requests is answered 429 (Get-WarmupBudget). $null: no limits known, no pacing.
        [AllowNull()] [pscustomobject] $ClientLimit
    )

    $paths = @($Context.WarmupPath)
    if (-not $paths) { return $null }
    $budget = Get-WarmupBudget -Concurrency $Concurrency -PathCount $paths.Count -Limit $ClientLimit
    $Concurrency = $budget.Concurrency
    $list = ($paths | ForEach-Object { "$($_.Path) ($($_.Accepted -join ','))" }) -join ', '
    if (-not $PSCmdlet.ShouldProcess("api-$Slot", "Warm up through nginx ($($Context.PublicHostName), https, " +
                "opt-in): $list, $Concurrency at once per path, until the latency settles")) { return $null }

    $baseUrl = Get-PublicEndpoint -Context $Context
    $handler = [System.Net.Http.HttpClientHandler]::new()
    # The stack's certificate may be self-signed (tls-init); the target is the stack's own published port.
    $handler.ServerCertificateCustomValidationCallback =
    [System.Net.Http.HttpClientHandler]::DangerousAcceptAnyServerCertificateValidator
    $handler.UseCookies = $false
    $handler.AllowAutoRedirect = $false
    $handler.MaxConnectionsPerServer = $Concurrency * $paths.Count
    $client = [System.Net.Http.HttpClient]::new($handler)
    $client.Timeout = [TimeSpan]::FromSeconds(15)
    $roundMs = [System.Collections.Generic.List[double]]::new()
    # Counted inside the round's scriptblock, which runs in a scope of its own: a hashtable it can change.
    $counter = @{ Requests = 0 }
    $settled = $false
    $total = [System.Diagnostics.Stopwatch]::StartNew()
    try {
        # One round: -Concurrency requests per path at once, each answer checked; returns its duration.
        $round = {
            # Paced within nginx's limit_req for this address: at most the allowance at once, then PerSecond.
            $due = $counter.Requests + $Concurrency * $paths.Count - $budget.Allowance
            if ($due -gt 0) {
                $wait = $due / $budget.PerSecond - $total.Elapsed.TotalSeconds
                if ($wait -gt 0) { Start-Sleep -Milliseconds ([int][math]::Ceiling($wait * 1000)) }
            }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $pending = foreach ($path in $paths) {
                for ($i = 0; $i -lt $Concurrency; $i++) {
                    $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Get,
                        "$baseUrl$($path.Path)")
                    $request.Headers.Host = $Context.PublicHostName
                    $request.Headers.Add('X-ZDD-Preview', '1')
                    [pscustomobject]@{ Path = $path; Request = $request; Task = $client.SendAsync($request) }
                }
            }
            foreach ($item in $pending) {
                $counter.Requests++
                try { $response = $item.Task.GetAwaiter().GetResult() }
                catch {
                    throw "Warm-up GET $($item.Path.Path) through nginx failed: $($_.Exception.Message)"
                }
                try {
                    $status = [int]$response.StatusCode
                    $answeredBy = if ($response.Headers.Contains('X-Slot')) {
                        @($response.Headers.GetValues('X-Slot'))[0]
                    }
                    else { '' }
                    if ($status -notin $item.Path.Accepted) {
                        throw "Warm-up GET $($item.Path.Path) through nginx answered $status (accepted: " +
                            "$($item.Path.Accepted -join ', ')), from slot '$answeredBy'. Check -WarmupPath / " +
                            "ZDD_WARMUP_PATHS, and 'docker compose logs api-$Slot'."
                    }
                    if ($answeredBy -ne $Slot) {
                        throw "Warm-up GET $($item.Path.Path) was answered by slot '$answeredBy', not the staged " +
                            "${Slot}: nginx did not route the opt-in request to the candidate. Look at " +
                            "'docker compose exec nginx sh $script:RoutingStateScript status'."
                    }
                }
                finally {
                    $response.Dispose()
                    $item.Request.Dispose()
                }
            }
            [math]::Round($watch.Elapsed.TotalMilliseconds, 1)
        }
        $bounded = { $roundMs.Count -ge $MaxRounds -or $total.Elapsed.TotalSeconds -ge $TimeoutSeconds }
        # Phase 1: until the latency settles.
        while (-not (& $bounded)) {
            $roundMs.Add((& $round))
            $count = $roundMs.Count
            if ($count -ge 3) {
                $last = $roundMs[$count - 1]
                $before = $roundMs[$count - 2]
                if ([math]::Abs($last - $before) -le [math]::Max(10, 0.25 * [math]::Max($last, $before))) { break }
            }
        }
        $settled = -not (& $bounded)
        # Phase 2: tiered compilation's call counting, then its background compiler (see .DESCRIPTION).
        if ($settled) {
            Start-Sleep -Milliseconds 250
            $more = [math]::Ceiling(40 / $Concurrency)
            for ($i = 0; $i -lt $more -and -not (& $bounded); $i++) { $roundMs.Add((& $round)) }
            Start-Sleep -Milliseconds 500
            if (-not (& $bounded)) { $roundMs.Add((& $round)) }
        }
    }
    finally {
        $client.Dispose()
    }
    $summary = [pscustomobject]@{
        Paths        = @($paths | ForEach-Object Path)
        Rounds       = $roundMs.Count
        Requests     = $counter.Requests
        Seconds      = [math]::Round($total.Elapsed.TotalSeconds, 2)
        FirstRoundMs = $roundMs[0]
        LastRoundMs  = $roundMs[$roundMs.Count - 1]
        Settled      = $settled
    }
    Show-WarmupResult -Slot $Slot -Summary $summary -PerRound ($Concurrency * $paths.Count)
    $summary
}
