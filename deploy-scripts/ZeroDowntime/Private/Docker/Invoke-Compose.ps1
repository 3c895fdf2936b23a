# ZeroDowntime module, private (Docker): not exported.
# Called by: Get-ComposeConfig, Get-PublicEndpoint, Get-StackContainer, Invoke-SlotMigration, Start-Slot, Stop-Slot,
#   Test-SlotImageCurrent
function Invoke-Compose {
    <#
    .SYNOPSIS
        Runs `docker compose` for the deploy context's project, compose files and env file.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string[]] $ArgumentList,
        [switch] $AllowFailure,
        [ValidateRange(1, 86400)] [int] $TimeoutSeconds = 600
    )

    $composeArguments = [System.Collections.Generic.List[string]]::new()
    $composeArguments.Add('compose')
    if ($Context.ProjectName) { $composeArguments.AddRange([string[]]@('--project-name', $Context.ProjectName)) }
    foreach ($file in $Context.ComposeFile) { $composeArguments.AddRange([string[]]@('--file', $file)) }
    if ($Context.EnvFile) { $composeArguments.AddRange([string[]]@('--env-file', $Context.EnvFile)) }
    $composeArguments.AddRange($ArgumentList)
    Invoke-Docker -ArgumentList $composeArguments.ToArray() -AllowFailure:$AllowFailure -TimeoutSeconds $TimeoutSeconds
}
