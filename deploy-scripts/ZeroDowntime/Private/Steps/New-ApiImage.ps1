# ZeroDowntime module, private (Steps): not exported.
# Called by: Start-IdleSlot
function New-ApiImage {
    <#
    .SYNOPSIS
        Builds the working tree's api/Dockerfile as <repository>:<version> with APP_VERSION baked in.
    #>
    [CmdletBinding(SupportsShouldProcess)]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Context,
        [Parameter(Mandatory)] [string] $Repository,
        [Parameter(Mandatory)] [string] $Version
    )

    $image = "${Repository}:$Version"
    if (-not $PSCmdlet.ShouldProcess($image, 'Build api/Dockerfile from the working tree')) { return }
    $arguments = [System.Collections.Generic.List[string]]::new()
    $dockerfile = Join-Path -Path $Context.RepositoryRoot -ChildPath 'api' -AdditionalChildPath 'Dockerfile'
    $arguments.AddRange([string[]]@('build', '--file', $dockerfile, '--tag', $image, '--build-arg',
            "APP_VERSION=$Version"))
    # The base images are overridable (offline CI uses stand-ins); pass them on when the environment names them.
    # Same variables as the compose stack (DOTNET_SDK_IMAGE, ASPNET_IMAGE), mapped to the Dockerfile's arguments.
    foreach ($pair in @(@('DOTNET_SDK_IMAGE', 'SDK_IMAGE'), @('ASPNET_IMAGE', 'RUNTIME_IMAGE'))) {
        $value = [System.Environment]::GetEnvironmentVariable($pair[0])
        if ($value) { $arguments.AddRange([string[]]@('--build-arg', "$($pair[1])=$value")) }
    }
    $arguments.Add($Context.RepositoryRoot)
    $null = Invoke-Docker -ArgumentList $arguments.ToArray() -TimeoutSeconds 1800
}
