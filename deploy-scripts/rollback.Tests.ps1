#Requires -Version 7.4
<#
    Pester tests of rollback.ps1 itself (no containers): what pwsh refuses before the script runs. The rollback it runs
    (Invoke-DeployCommand -Mode Rollback) is tested in ZeroDowntime/Tests; tests/Deploy.Tests runs it on a real stack.
    Run by tests/Deploy.Tests (PesterTests) or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    $script:RollbackScript = Join-Path $PSScriptRoot 'rollback.ps1'
}

Describe 'rollback.ps1' {
    It 'rejects <Name>' -ForEach @(
        @{ Name = 'a project name compose would refuse'; Arguments = @{ ProjectName = 'Bad Name' } }
        @{ Name = 'a compose file that does not exist'; Arguments = @{ ComposeFile = '/nonexistent/compose.yaml' } }
        @{ Name = 'a ready timeout under 5 s'; Arguments = @{ ReadyTimeoutSeconds = 1 } }
        @{ Name = 'a drain timeout of 0'; Arguments = @{ DrainTimeoutSeconds = 0 } }
    ) {
        { & $script:RollbackScript @Arguments } | Should -Throw '*Cannot validate argument*'
    }
}
