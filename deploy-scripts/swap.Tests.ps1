#Requires -Version 7.4
<#
    Pester tests of swap.ps1 itself (no containers): what it refuses before it imports anything. The deployment it runs
    (Invoke-SlotDeployment) is tested in ZeroDowntime/Tests; tests/Deploy.Tests runs the real script on a real stack.
    Run by tests/Deploy.Tests (PesterTests) or: Invoke-Pester ./deploy-scripts
#>

BeforeAll {
    $script:SwapScript = Join-Path $PSScriptRoot 'swap.ps1'
}

Describe 'swap.ps1' {
    It 'refuses to run without -Version or -Build, with exit code 2' {
        $null = & $script:SwapScript 2>$null

        $LASTEXITCODE | Should -Be 2
    }

    It 'rejects a slot name as the version' {
        { & $script:SwapScript -Version 'green' } | Should -Throw '*not versions*'
    }

    It 'rejects a version that is not a docker tag' {
        { & $script:SwapScript -Version 'a b' } | Should -Throw
    }

    It 'rejects a version with a trailing newline (the pattern anchors at the true end)' {
        { & $script:SwapScript -Version "1.0.0`n" } | Should -Throw '*does not match*pattern*'
    }

    It 'rejects a project name with capitals (compose names are lower case, the pattern is case-sensitive)' {
        { & $script:SwapScript -Version '1.0.0' -ProjectName 'Shop' } | Should -Throw '*does not match*pattern*'
    }

    It 'rejects a project name with a trailing newline' {
        { & $script:SwapScript -Version '1.0.0' -ProjectName "shop`n" } | Should -Throw '*does not match*pattern*'
    }
}
