# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: prune.ps1, users
function Invoke-PruneCommand {
    <#
    .SYNOPSIS
        What prune.ps1 runs: removes the tags of the API image repository that fell out of the retention window,
        never one a slot runs, the idle slot's image, one inside the window, or one never deployed; prints each tag
        with its fate and the reason, appends the prune to the history. Returns a report (ExitCode 0, 1, 2).
    .DESCRIPTION
        Under the deploy lock (a swap must not tag an image while it is being removed). The window is -RetainVersions,
        or the one the last swap recorded (else 5); the versions come from the history (Get-RetainedVersion). An
        image is untagged with `docker image rm <repository>:<tag>` (never forced): Docker deletes its layers only
        when no other tag and no container uses them. -WhatIf prints the same list and removes nothing.
    .EXAMPLE
        Invoke-PruneCommand -RetainVersions 3 -WhatIf -ScriptPath prune.ps1
    #>
    [CmdletBinding(SupportsShouldProcess)]
    [OutputType([pscustomobject])]
    param(
        [ValidateRange(0, 1000)] [int] $RetainVersions = 0,
        [string] $ProjectName,
        [string[]] $ComposeFile,
        [string] $EnvFile,
        [ValidateRange(0, 86400)] [int] $LockWaitSeconds = 0,
        [string] $ScriptPath = 'prune.ps1'
    )

    $report = New-DeployReport -Project $ProjectName -Mode Prune
    $report.Command = (@([System.IO.Path]::GetFileName($ScriptPath)
            if ($ProjectName) { "-ProjectName $ProjectName" }
            if ($RetainVersions) { "-RetainVersions $RetainVersions" }
            if ($WhatIfPreference) { '-WhatIf' }) -join ' ')
    $locked = $false
    try {
        try {
            $context = New-DeployContext -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile
            if (-not $WhatIfPreference) {
                $null = Enter-DeployLock -Context $context -Command $report.Command -WaitSeconds $LockWaitSeconds
                $locked = $true
            }
            if ($RetainVersions -lt 1) { $RetainVersions = Get-RetentionWindow -Context $context }
            $repository = Get-ApiImageRepository -ComposeConfig (Get-ComposeConfig -Context $context)
            $versions = Get-RetainedVersion -Context $context -RetainVersions $RetainVersions
            $listing = Invoke-Docker -ArgumentList 'image', 'ls', '--no-trunc', '--format', '{{.Tag}} {{.ID}}',
                $repository
            $tags = @(foreach ($line in $listing.StdOut -split "`r?`n") {
                    $parts = $line.Trim() -split ' '
                    if ($parts.Count -eq 2 -and $parts[0] -ne '<none>') { [pscustomobject]@{ Tag = $parts[0]; Id = $parts[1] } }
                })
            # What the stack uses: every container of the project (the slots, running or stopped, and the one-shot
            # services that ran from a slot's image), and the images the slot tags name.
            $inUse = @{}
            foreach ($container in @(Get-StackContainer -Context $context)) {
                $image = (Invoke-Docker -ArgumentList 'inspect', '--format', '{{.Image}}', $container.Id).StdOut.Trim()
                if ($image -and -not $inUse.ContainsKey($image)) {
                    $inUse[$image] = "the $($container.Service) container ($($container.State)) uses it"
                }
            }
            foreach ($slot in $script:Slots) {
                $tagged = $tags | Where-Object Tag -EQ $slot | Select-Object -First 1
                if ($tagged -and -not $inUse.ContainsKey($tagged.Id)) { $inUse[$tagged.Id] = "slot tag $slot points to it" }
            }
        }
        catch {
            $report.Result = 'Refused'
            $report.ExitCode = 2
            $report.Error = $_.Exception.Message
            $report.FinishedAt = [DateTimeOffset]::UtcNow
            Write-Error -Message "prune: $($report.Error) Nothing was removed." -ErrorAction Continue
            return $report
        }

        $plan = @(Select-PruneCandidate -Tag $tags -Retained @($versions.Retained) `
                -Deployed @($versions.Deployed | ForEach-Object { [string]$_.Version }) -InUse $inUse `
                -RetainVersions $RetainVersions)
        $removed = [System.Collections.Generic.List[string]]::new()
        $failed = [System.Collections.Generic.List[string]]::new()
        foreach ($entry in $plan) {
            $line = "{0,-7} {1}:{2} ({3})" -f $entry.Action.ToLowerInvariant(), $repository, $entry.Tag, $entry.Reason
            if ($entry.Action -eq 'Remove') {
                if ($PSCmdlet.ShouldProcess("${repository}:$($entry.Tag)", 'Remove the image tag')) {
                    $result = Invoke-Docker -ArgumentList 'image', 'rm', "${repository}:$($entry.Tag)" -AllowFailure
                    if ($result.ExitCode -eq 0) { $removed.Add($entry.Tag); $line = $line -replace '^remove ', 'removed' }
                    elseif ($result.StdErr -match 'conflict') {
                        # A container outside this stack uses it: docker keeps it, and so do we (never forced).
                        $entry.Action = 'Keep'
                        $entry.Reason = "in use elsewhere: $($result.StdErr.Trim())"
                        $line = "keep    ${repository}:$($entry.Tag) ($($entry.Reason))"
                    }
                    else {
                        $failed.Add($entry.Tag)
                        $report.Warnings.Add("Could not remove ${repository}:$($entry.Tag): $($result.StdErr.Trim())")
                        $line = "failed  ${repository}:$($entry.Tag) (docker: $($result.StdErr.Trim()))"
                    }
                }
                else { $line = $line -replace '^remove ', 'would remove' }
            }
            Show-DeployMessage -Message $line
        }
        $report.Details['RetainVersions'] = $RetainVersions
        $report.Details['Retained'] = @($versions.Retained)
        $report.Details['Removed'] = $removed.ToArray()
        $report.Details['Kept'] = @($plan | Where-Object { $_.Action -eq 'Keep' -or $_.Tag -in $failed } |
                ForEach-Object { [ordered]@{ Tag = $_.Tag; Reason = $_.Reason } })
        $report.Result = if ($WhatIfPreference) { 'Planned' } elseif ($failed.Count) { 'Failed' } else { 'Succeeded' }
        $report.ExitCode = if ($failed.Count -and -not $WhatIfPreference) { 1 } else { 0 }
        $report.FinishedAt = [DateTimeOffset]::UtcNow
        Write-Information -InformationAction Continue -MessageData ("prune: window of $RetainVersions " +
            "($(@($versions.Retained) -join ', ')); " +
            $(if ($WhatIfPreference) { "$(@($plan | Where-Object Action -EQ 'Remove').Count) to remove, " }
                else { "$($removed.Count) removed, " }) +
            "$(@($plan | Where-Object Action -EQ 'Keep').Count) kept")
        if (-not $WhatIfPreference) { $report.RecordId = Write-DeployRecord -Context $context -Report $report }
        $report
    }
    finally {
        if ($locked) { Exit-DeployLock -Context $context }
    }
}
