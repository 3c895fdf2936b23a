# ZeroDowntime module, private (Parsing): not exported.
# Called by: New-DeployContext
function ConvertFrom-WarmupPath {
    <#
    .SYNOPSIS
        Parses warm-up paths: each '<path>' or '<path> <status>[,<status>...]' (accepted statuses, default 200);
        entries may also be separated by ';' (as in the ZDD_WARMUP_PATHS setting of .env).
    .DESCRIPTION
        A path starts with '/', has no spaces or control characters and may carry a query ('/notes?take=1'); a status
        is 100-599. Anything else is refused with a message naming the entry, before anything changes.
    .EXAMPLE
        ConvertFrom-WarmupPath -Spec '/profile', '/notes/0 404'
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Spec)

    foreach ($entry in @($Spec | ForEach-Object { $_ -split ';' } | ForEach-Object Trim | Where-Object { $_ })) {
        if ($entry -cnotmatch '^(?<path>/[\x21-\x7E]*)(?:\s+(?<codes>[1-5][0-9]{2}(?:,[1-5][0-9]{2})*))?\z') {
            throw "Warm-up path '$entry': expected '<path>' or '<path> <status>[,<status>]', e.g. '/profile' or " +
                "'/notes/0 404' (a path starts with '/', has no spaces; statuses are 100-599)."
        }
        $accepted = if ($Matches['codes']) { @($Matches['codes'] -split ',' | ForEach-Object { [int]$_ }) }
        else { @(200) }
        [pscustomobject]@{ Path = $Matches['path']; Accepted = $accepted }
    }
}
