# ZeroDowntime module, private (State): not exported.
# Called by: Enter-DeployLock, Get-DeployLock
function ConvertTo-DeployLockHolder {
    <#
    .SYNOPSIS
        A lock row as the state store returns it -> the holder object of the lock interface, with Alive decided.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param([Parameter(Mandatory)] [object] $Row)

    $staged = $null
    if ($Row.Staged) {
        $staged = @{}
        foreach ($property in $Row.Staged.PSObject.Properties) { $staged[$property.Name] = $property.Value }
    }
    $holder = [pscustomobject]@{
        PSTypeName          = 'ZeroDowntime.DeployLockHolder'
        Token               = [string]$Row.Token
        User                = [string]$Row.User
        Host                = [string]$Row.Host
        Pid                 = [int]$Row.Pid
        Command             = [string]$Row.Command
        StartedAt           = $Row.StartedAt
        HeartbeatAt         = $Row.HeartbeatAt
        HeartbeatAgeSeconds = [double]$Row.HeartbeatAgeSeconds
        Kind                = [string]$Row.Kind
        Staged              = $staged
        Alive               = $false
    }
    $holder.Alive = Test-DeployLockAlive -Holder $holder
    $holder
}
