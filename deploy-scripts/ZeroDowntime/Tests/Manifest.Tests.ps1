#Requires -Version 7.4
<#
    Pester tests of the ZeroDowntime module's layout, with the PowerShell parser: the manifest exports exactly the
    functions in Public/ and nothing else, every file of Public/ and Private/ holds one function named after it,
    opens with a header whose "Called by" list is true (so a private function nobody calls is found), and no file
    of deploy-scripts/ is longer than 600 lines. Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeDiscovery {
    $moduleRoot = Split-Path -Parent $PSScriptRoot
    $script:FunctionFiles = @(
        foreach ($folder in 'Public', 'Private') {
            Get-ChildItem -LiteralPath (Join-Path $moduleRoot $folder) -Filter '*.ps1' -File -Recurse | ForEach-Object {
                @{ Name = [System.IO.Path]::GetRelativePath($moduleRoot, $_.FullName); Path = $_.FullName
                    Public = $folder -eq 'Public' }
            }
        })
}

BeforeAll {
    $moduleRoot = Split-Path -Parent $PSScriptRoot
    $manifestPath = Join-Path $moduleRoot 'ZeroDowntime.psd1'
    $manifest = Import-PowerShellDataFile -LiteralPath $manifestPath
    $module = Import-Module $manifestPath -Force -PassThru
    $publicNames = @(Get-ChildItem -LiteralPath (Join-Path $moduleRoot 'Public') -Filter '*.ps1' -File |
            ForEach-Object BaseName | Sort-Object)
    $privateNames = @(Get-ChildItem -LiteralPath (Join-Path $moduleRoot 'Private') -Filter '*.ps1' -File -Recurse |
            ForEach-Object BaseName | Sort-Object)

    # Who calls each module function: the module's own functions and the entry scripts beside the module's folder.
    $callers = @{}
    $callerFiles = @(Get-ChildItem -LiteralPath $moduleRoot -Filter '*.ps1' -File -Recurse |
            Where-Object { $_.FullName -notlike "*$([System.IO.Path]::DirectorySeparatorChar)Tests$([System.IO.Path]::DirectorySeparatorChar)*" }) +
        @(Get-ChildItem -LiteralPath (Split-Path -Parent $moduleRoot) -Filter '*.ps1' -File |
                Where-Object Name -NotLike '*.Tests.ps1')
    foreach ($file in $callerFiles) {
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($file.FullName, [ref]$null, [ref]$null)
        $function = $ast.Find({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] }, $false)
        $caller = if ($function) { $function.Name } else { $file.Name }
        foreach ($command in $ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.CommandAst] }, $true)) {
            $name = $command.GetCommandName()
            if (-not $name -or $name -eq $caller) { continue }
            if (-not $callers.ContainsKey($name)) { $callers[$name] = [System.Collections.Generic.SortedSet[string]]::new() }
            $null = $callers[$name].Add($caller)
        }
    }
}

Describe 'The manifest' {
    It 'names its root module, a version and PowerShell 7.4' {
        $manifest.RootModule | Should -Be 'ZeroDowntime.psm1'
        [version]$manifest.ModuleVersion | Should -BeGreaterThan ([version]'0.0')
        $manifest.PowerShellVersion | Should -Be '7.4'
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'exports no cmdlets, aliases or variables' {
        @($manifest.CmdletsToExport) | Should -BeNullOrEmpty
        @($manifest.AliasesToExport) | Should -BeNullOrEmpty
        @($manifest.VariablesToExport) | Should -BeNullOrEmpty
        $module.ExportedAliases.Count | Should -Be 0
        $module.ExportedVariables.Count | Should -Be 0
    }

    It 'lists in FunctionsToExport exactly the files in Public/' {
        @($manifest.FunctionsToExport | Sort-Object) | Should -Be $publicNames
    }

    It 'exports exactly the public functions once imported' {
        @($module.ExportedFunctions.Keys | Sort-Object) | Should -Be $publicNames
    }

    It 'exports no private function' {
        $privateNames | Should -Not -BeNullOrEmpty
        foreach ($name in $privateNames) {
            $module.ExportedFunctions.Keys | Should -Not -Contain $name
            Get-Command -Name $name -Module ZeroDowntime -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        }
    }

    It 'has no name in both Public/ and Private/' {
        $publicNames | Where-Object { $_ -in $privateNames } | Should -BeNullOrEmpty
    }
}

Describe '<Name>' -ForEach $script:FunctionFiles {
    BeforeAll {
        $tokens = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$null)
        $functionName = [System.IO.Path]::GetFileNameWithoutExtension($Path)
    }

    It 'holds exactly one function, named after the file, and nothing else' {
        $functions = @($ast.FindAll({ param($node) $node -is [System.Management.Automation.Language.FunctionDefinitionAst] },
                $true))
        $functions | Should -HaveCount 1
        $functions[0].Name | Should -BeExactly $functionName
        # Nothing runs when the file is dot-sourced but the definition itself.
        @($ast.EndBlock.Statements) | Should -HaveCount 1
        $ast.ParamBlock | Should -BeNullOrEmpty
    }

    It 'opens with a header naming its callers truly' {
        # The header: the comment lines from line 1 on, e.g. "# ZeroDowntime module, private (Stack)." and
        # "# Called by: Invoke-DeployPreflight, Get-DeployStatus" (public ones end with ", users").
        $lines = [System.Collections.Generic.List[string]]::new()
        foreach ($token in $tokens) {
            if ($token.Kind -eq 'NewLine') { continue }
            if ($token.Kind -ne 'Comment' -or $token.Extent.StartLineNumber -ne $lines.Count + 1) { break }
            $lines.Add($token.Text.TrimStart('#').Trim())
        }
        $lines.Count | Should -BeGreaterOrEqual 2
        $lines[0] | Should -Match ('^ZeroDowntime module, ' + $(if ($Public) { 'public' } else { 'private' }))
        $text = $lines -join ' '
        $text -match 'Called by: (?<list>.+)$' | Should -BeTrue -Because 'the header names the callers'
        $listed = @($Matches['list'] -split ',\s*' | ForEach-Object Trim | Sort-Object)
        $actual = if ($callers.ContainsKey($functionName)) { @($callers[$functionName]) } else { @() }
        # A private function that nothing calls is dead code; a public one is called at least by a user's script.
        if (-not $Public) { $actual | Should -Not -BeNullOrEmpty -Because 'a private function nobody calls is dead code' }
        $expected = @($actual | Sort-Object)
        if ($Public) { $expected = @(@($expected) + 'users' | Sort-Object) }
        $listed | Should -Be $expected
    }
}

Describe 'File length' {
    It 'keeps every file of deploy-scripts/ under 600 lines' {
        $long = Get-ChildItem -LiteralPath (Split-Path -Parent $moduleRoot) -File -Recurse |
            Where-Object Extension -In '.ps1', '.psm1', '.psd1' |
            Where-Object { @(Get-Content -LiteralPath $_.FullName).Count -gt 600 } |
            ForEach-Object Name
        $long | Should -BeNullOrEmpty
    }
}
