# ZeroDowntime module, public: exported by ZeroDowntime.psd1.
# Called by: status.ps1, users
function Get-DeployHistory {
    <#
    .SYNOPSIS
        The history of the stack, newest first: every swap, rollback, maintenance change, prune and broken lock, with
        when, who (user and host), the command, slots and versions, result, failed step, each step's duration,
        warnings and hook results. Read from the stack's PostgreSQL (database zdd_deploy), so every clone sees the
        same entries.
    .EXAMPLE
        Get-DeployHistory -ProjectName zdd-staging -Last 3 | Format-List *
    .EXAMPLE
        (Get-DeployHistory -Last 1).Steps | Format-Table Number, Name, Seconds, Result
    #>
    [CmdletBinding(DefaultParameterSetName = 'Stack')]
    [OutputType([pscustomobject])]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Context')] [pscustomobject] $Context,
        [Parameter(ParameterSetName = 'Stack')] [string] $ProjectName,
        [Parameter(ParameterSetName = 'Stack')] [string[]] $ComposeFile,
        [Parameter(ParameterSetName = 'Stack')] [string] $EnvFile,
        [ValidateRange(1, 10000)] [int] $Last = 20
    )

    if ($PSCmdlet.ParameterSetName -eq 'Stack') {
        $Context = New-DeployContext -ProjectName $ProjectName -ComposeFile $ComposeFile -EnvFile $EnvFile
    }
    Get-DeployRecord -Context $Context -Last $Last
}
