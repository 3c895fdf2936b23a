# ZeroDowntime module, private (Docker): not exported.
# Called by: Get-ActiveSlot, Get-ContainerState, Get-MaintenanceState, Get-NginxClientLimit, Get-RoutingState,
#   Get-SlotLogTail, Invoke-Compose, Invoke-DeployPreflight, Invoke-DeployStateSql, Invoke-MaintenanceCommand, Invoke-PruneCommand,
#   Invoke-SlotProbe, New-ApiImage, Publish-SlotImage, Restore-SlotImage, Set-ActiveSlot, Set-RoutingState,
#   Test-NginxConfig, Test-SlotImageCurrent, Wait-SlotDrain
function Invoke-Docker {
    <#
    .SYNOPSIS
        Runs docker with the given arguments and returns its exit code, stdout and stderr.
    .DESCRIPTION
        The one place where docker runs. Throws, naming the command and quoting stderr, when the exit code is not
        0, unless -AllowFailure is given (then the caller inspects ExitCode). Arguments are passed as a list, so no
        quoting rules of any shell apply.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [switch] $AllowFailure,
        [ValidateRange(1, 86400)] [int] $TimeoutSeconds = 600,
        # Written to docker's stdin before it is closed (docker exec -i: the SQL of Invoke-DeployStateSql).
        [string] $StandardInput
    )

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('docker')
    foreach ($argument in $ArgumentList) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.RedirectStandardOutput = $true
    $startInfo.RedirectStandardError = $true
    $startInfo.RedirectStandardInput = $true
    $startInfo.UseShellExecute = $false
    $commandLine = 'docker ' + ($ArgumentList -join ' ')
    Write-Verbose "> $commandLine"

    $process = [System.Diagnostics.Process]::Start($startInfo)
    try {
        # docker must not wait for input that never comes (compose exec without -T would).
        # Both streams are read at once: reading one to the end first can deadlock when the other fills its pipe.
        $stdoutTask = $process.StandardOutput.ReadToEndAsync()
        $stderrTask = $process.StandardError.ReadToEndAsync()
        if ($StandardInput) { $process.StandardInput.Write($StandardInput) }
        $process.StandardInput.Close()
        if (-not $process.WaitForExit($TimeoutSeconds * 1000)) {
            $process.Kill($true)
            throw "Timed out after $TimeoutSeconds s: $commandLine"
        }
        $process.WaitForExit()
        $result = [pscustomobject]@{
            CommandLine = $commandLine
            ExitCode    = $process.ExitCode
            StdOut      = $stdoutTask.GetAwaiter().GetResult()
            StdErr      = $stderrTask.GetAwaiter().GetResult()
        }
    }
    finally {
        $process.Dispose()
    }

    if ($result.ExitCode -ne 0 -and -not $AllowFailure) {
        $detail = (($result.StdErr, $result.StdOut) | Where-Object { $_ -and $_.Trim() } | Select-Object -First 1)
        # Compose quotes env-file lines in its errors: never let a secret's value reach the console or a record.
        $message = "'$commandLine' failed with exit code $($result.ExitCode): $("$detail".Trim())"
        throw (Hide-SecretValue -Text $message)
    }
    $result
}
