#Requires -Version 7.4
<#
    Static checks of every PowerShell file in deploy-scripts/ and below (the entry scripts, the ZeroDowntime module and
    every test file), with the PowerShell parser (no containers).

    REVIEW: PSScriptAnalyzer would be the tool for this, but the package mirror available to this project does not
    serve it. These checks cover the rules that matter most here, on the same AST: parse errors, aliases, $global:,
    exit inside functions, the script header (shebang, #Requires, comment help, CmdletBinding(SupportsShouldProcess),
    StrictMode, ErrorActionPreference), ShouldProcess on state-changing verbs, Write-Host only in Show- functions,
    and positional arguments. The module's layout (one function per file, exports) is checked by
    ZeroDowntime/Tests/Manifest.Tests.ps1. Run PSScriptAnalyzer as well where it can be installed.
    Run by tests/Deploy.Tests or: Invoke-Pester ./deploy-scripts
#>

BeforeDiscovery {
    $files = Get-ChildItem -LiteralPath $PSScriptRoot -File -Recurse | Where-Object Extension -In '.ps1', '.psm1'
    $script:AllFiles = @($files | ForEach-Object {
            @{ Name = [System.IO.Path]::GetRelativePath($PSScriptRoot, $_.FullName); Path = $_.FullName } })
    $script:EntryScripts = @('swap.ps1', 'status.ps1', 'rollback.ps1' | ForEach-Object {
            @{ Name = $_; Path = Join-Path $PSScriptRoot $_ } })
}

BeforeAll {
    function Get-ParsedFile([string] $Path) {
        $tokens = $null
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseFile($Path, [ref]$tokens, [ref]$errors)
        [pscustomobject]@{ Ast = $ast; Tokens = $tokens; Errors = $errors }
    }

    function Find-Ast($Ast, [type] $Type) {
        @($Ast.FindAll({ param($node) $node -is $Type }.GetNewClosure(), $true))
    }

    # The functions whose verbs PSScriptAnalyzer's PSUseShouldProcessForStateChangingFunctions looks at.
    $script:StateChangingVerbs = 'New', 'Set', 'Remove', 'Start', 'Stop', 'Restart', 'Reset', 'Update'

    # Command lookups, once per name for all files: the module alone has some fifty files.
    $script:Commands = @{}
    $script:Aliases = @{}
    function Get-KnownCommand([string] $Name) {
        if (-not $script:Commands.ContainsKey($Name)) {
            $script:Commands[$Name] = Get-Command -Name $Name -ErrorAction SilentlyContinue
        }
        $script:Commands[$Name]
    }
    function Test-Alias([string] $Name) {
        if (-not $script:Aliases.ContainsKey($Name)) {
            $script:Aliases[$Name] = $null -ne (Get-Alias -Name $Name -ErrorAction SilentlyContinue)
        }
        $script:Aliases[$Name]
    }
}

Describe '<Name>' -ForEach $script:AllFiles {
    BeforeAll { $parsed = Get-ParsedFile $Path }

    It 'parses without errors' {
        $parsed.Errors | Should -BeNullOrEmpty
    }

    It 'calls no aliases' {
        $aliases = foreach ($command in (Find-Ast $parsed.Ast ([System.Management.Automation.Language.CommandAst]))) {
            $name = $command.GetCommandName()
            if ($name -and (Test-Alias $name)) { "$name (line $($command.Extent.StartLineNumber))" }
        }
        $aliases | Should -BeNullOrEmpty
    }

    It 'runs no external program but docker (no bash or GNU tools on the host)' {
        # Pester's keywords are the only commands without a Verb-Noun name that a file here may call.
        $allowed = 'docker', 'Describe', 'Context', 'It', 'BeforeAll', 'BeforeEach', 'AfterAll', 'AfterEach',
            'BeforeDiscovery', 'Should', 'Mock', 'InModuleScope'
        $external = foreach ($command in (Find-Ast $parsed.Ast ([System.Management.Automation.Language.CommandAst]))) {
            $name = $command.GetCommandName()
            if ($name -and $name -notmatch '^[A-Za-z]+-[A-Za-z]+$' -and $name -notin $allowed) {
                "$name (line $($command.Extent.StartLineNumber))"
            }
        }
        $external | Should -BeNullOrEmpty
    }

    It 'uses no $global: variables' {
        $globals = Find-Ast $parsed.Ast ([System.Management.Automation.Language.VariableExpressionAst]) |
            Where-Object { $_.VariablePath.IsGlobal }
        $globals | Should -BeNullOrEmpty
    }

    It 'has no exit inside a function: the entry point decides the exit code' {
        $functions = Find-Ast $parsed.Ast ([System.Management.Automation.Language.FunctionDefinitionAst])
        $exits = foreach ($function in $functions) {
            Find-Ast $function ([System.Management.Automation.Language.ExitStatementAst]) |
                ForEach-Object { $function.Name }
        }
        $exits | Should -BeNullOrEmpty
    }

    It 'declares SupportsShouldProcess on every state-changing function' {
        $functions = Find-Ast $parsed.Ast ([System.Management.Automation.Language.FunctionDefinitionAst])
        $missing = foreach ($function in $functions) {
            $verb = ($function.Name -split '-')[0]
            $attributes = if ($function.Body.ParamBlock) { $function.Body.ParamBlock.Attributes } else { @() }
            $supports = $attributes | Where-Object { $_.TypeName.Name -eq 'CmdletBinding' -and
                (@($_.NamedArguments | ForEach-Object ArgumentName) -contains 'SupportsShouldProcess') }
            $suppressed = $attributes | Where-Object { $_.TypeName.Name -like '*SuppressMessage*' -and
                $_.PositionalArguments[0].Value -eq 'PSUseShouldProcessForStateChangingFunctions' }
            $callsShouldProcess = $function.Body.Extent.Text -match '\$PSCmdlet\.ShouldProcess'
            $changesState = ($verb -in $script:StateChangingVerbs) -or $callsShouldProcess
            if ($changesState -and -not $supports -and -not $suppressed) {
                $function.Name
            }
        }
        $missing | Should -BeNullOrEmpty
    }

    It 'writes to the host only from Show- functions' {
        $hosts = Find-Ast $parsed.Ast ([System.Management.Automation.Language.CommandAst]) |
            Where-Object { $_.GetCommandName() -eq 'Write-Host' } |
            Where-Object {
                $parent = $_.Parent
                while ($parent -and $parent -isnot [System.Management.Automation.Language.FunctionDefinitionAst]) {
                    $parent = $parent.Parent
                }
                -not $parent -or -not $parent.Name.StartsWith('Show-')
            }
        $hosts | Should -BeNullOrEmpty
    }

    It 'passes at most two positional arguments to a cmdlet' {
        $offenders = foreach ($command in (Find-Ast $parsed.Ast ([System.Management.Automation.Language.CommandAst]))) {
            $name = $command.GetCommandName()
            if (-not $name -or $name -notmatch '^[A-Z][a-z]+-') { continue }
            $positional = 0
            $elements = $command.CommandElements
            for ($i = 1; $i -lt $elements.Count; $i++) {
                if ($elements[$i] -is [System.Management.Automation.Language.CommandParameterAst]) {
                    # A switch-less parameter consumes the next element as its value.
                    if (-not $elements[$i].Argument -and $i + 1 -lt $elements.Count -and
                        $elements[$i + 1] -isnot [System.Management.Automation.Language.CommandParameterAst]) {
                        $command2 = Get-KnownCommand $name
                        $parameterName = $elements[$i].ParameterName
                        $isSwitch = $command2 -and $command2.Parameters.Keys -contains $parameterName -and
                            $command2.Parameters[$parameterName].SwitchParameter
                        if (-not $isSwitch) { $i++ }
                    }
                }
                else { $positional++ }
            }
            if ($positional -gt 2) { "$name (line $($command.Extent.StartLineNumber))" }
        }
        $offenders | Should -BeNullOrEmpty
    }
}

Describe 'Entry script <Name>' -ForEach $script:EntryScripts {
    BeforeAll {
        $parsed = Get-ParsedFile $Path
        $help = $parsed.Ast.GetHelpContent()
        $parameters = @($parsed.Ast.ParamBlock.Parameters | ForEach-Object { $_.Name.VariablePath.UserPath })
    }

    It 'starts with the pwsh shebang and requires PowerShell 7.4' {
        (Get-Content -LiteralPath $Path -TotalCount 1) | Should -BeExactly '#!/usr/bin/env pwsh'
        $parsed.Ast.ScriptRequirements.RequiredPSVersion | Should -Be ([version]'7.4')
    }

    It 'has comment help with a synopsis, a description and at least two examples' {
        $help | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Description | Should -Not -BeNullOrEmpty
        $help.Examples.Count | Should -BeGreaterOrEqual 2
    }

    It 'documents every parameter' {
        $documented = @($help.Parameters.Keys | ForEach-Object { $_.ToUpperInvariant() })
        foreach ($parameter in $parameters) { $documented | Should -Contain $parameter.ToUpperInvariant() }
    }

    It 'is an advanced script with SupportsShouldProcess' {
        $binding = $parsed.Ast.ParamBlock.Attributes | Where-Object { $_.TypeName.Name -eq 'CmdletBinding' }
        @($binding.NamedArguments | ForEach-Object ArgumentName) | Should -Contain 'SupportsShouldProcess'
    }

    It 'validates its parameters' {
        foreach ($parameter in $parsed.Ast.ParamBlock.Parameters) {
            $types = @($parameter.Attributes | ForEach-Object { $_.TypeName.Name })
            # A switch needs no validation; every other parameter carries a Validate* attribute.
            if ($types -notcontains 'switch') {
                ($types -like 'Validate*').Count |
                    Should -BeGreaterThan 0 -Because "-$($parameter.Name.VariablePath.UserPath)"
            }
        }
    }

    It 'sets StrictMode Latest and ErrorActionPreference Stop' {
        $text = $parsed.Ast.Extent.Text
        $text | Should -Match '(?m)^Set-StrictMode -Version Latest$'
        $text | Should -Match "(?m)^\`$ErrorActionPreference = 'Stop'$"
    }

    It 'is executable on Unix' -Skip:$IsWindows {
        (Get-Item -LiteralPath $Path).UnixFileMode.HasFlag([System.IO.UnixFileMode]::UserExecute) | Should -BeTrue
    }
}
