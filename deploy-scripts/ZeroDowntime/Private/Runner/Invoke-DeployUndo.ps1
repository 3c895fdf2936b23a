# ZeroDowntime module, private (Runner): not exported.
# Called by: Invoke-DeployStepTable
function Invoke-DeployUndo {
    <#
    .SYNOPSIS
        Unwinds steps: runs their Undo actions, the last step first, each shown as an "[undo] ..." line.
    .DESCRIPTION
        -Step lists the steps in the order they ran (the one that failed or was interrupted last: it is undone as far
        as it got, which its actions' If conditions tell). Which actions of a step apply is decided from the run's
        state before the first of them runs, so an action may change the state another one's If reads. The first
        action that fails stops the unwinding and is rethrown: undoing further (e.g. stopping the new slot when nginx
        could not be switched back to the old one) could take the only serving slot away. Under -WhatIf nothing was
        changed, so nothing is undone.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)] [pscustomobject] $Run,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Step
    )

    if ($WhatIfPreference) { return }
    for ($i = $Step.Count - 1; $i -ge 0; $i--) {
        $actions = @($Step[$i].Undo | Where-Object { $_ -and (-not $_.If -or (& $_.If $Run)) })
        foreach ($action in $actions) {
            $name = if ($action.Name -is [scriptblock]) { [string](& $action.Name $Run) } else { [string]$action.Name }
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            try {
                $null = & $action.Do $Run
                Show-DeployStep -Number 0 -Name $name -Outcome 'ok' -Seconds $watch.Elapsed.TotalSeconds
            }
            catch {
                Show-DeployStep -Number 0 -Name $name -Outcome 'failed' -Seconds $watch.Elapsed.TotalSeconds
                throw
            }
        }
    }
}
