#Requires -Version 7.4
<#
    Pester tests of status.ps1 itself (no containers): what pwsh refuses before the script runs. What it reports
    (Get-DeployStatus, Format-DeployStatus) is tested in ZeroDowntime/Tests; tests/Deploy.Tests reads its -Json output
    after each swap on a real stack. Run by tests/Deploy.Tests (PesterTests) or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    $script:StatusScript = Join-Path $PSScriptRoot 'status.ps1'
}

Describe 'status.ps1' {
    It 'rejects <Name>' -ForEach @(
        @{ Name = 'a project name compose would refuse'; Arguments = @{ ProjectName = 'Bad Name' } }
        @{ Name = 'an env file that does not exist'; Arguments = @{ EnvFile = '/nonexistent/stack.env' } }
        @{ Name = '-Last 0'; Arguments = @{ Last = 0 } }
    ) {
        { & $script:StatusScript @Arguments } | Should -Throw '*Cannot validate argument*'
    }
}
