# ZeroDowntime module, private (State): not exported.
# Called by: Invoke-PruneCommand
function Select-PruneCandidate {
    <#
    .SYNOPSIS
        The prune decision (pure): for each tag of the API image repository, Remove or Keep, and why.
    .DESCRIPTION
        Kept, whatever the window: the slot tags (blue, green) and every tag of an image that a slot's container runs
        or a slot tag names (the active slot's, and the idle slot's: the instant rollback's target); the versions in
        the retention window; and tags this stack never deployed (an image built or pulled for the next deploy is
        not ours to judge). Removed: a version this stack deployed (or tried to) that fell out of the window.
    #>
    [CmdletBinding()]
    [OutputType([pscustomobject])]
    param(
        # Each: Tag, Id (the image id).
        [Parameter(Mandatory)] [AllowEmptyCollection()] [object[]] $Tag,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Retained,
        [Parameter(Mandatory)] [AllowEmptyCollection()] [string[]] $Deployed,
        # Image id -> why it is in use ("api-blue runs it", "tag green (idle slot)").
        [Parameter(Mandatory)] [hashtable] $InUse,
        [Parameter(Mandatory)] [int] $RetainVersions
    )

    foreach ($image in $Tag | Sort-Object -Property Tag) {
        $name = [string]$image.Tag
        $action = 'Keep'
        $reason = if ($name -in 'blue', 'green') { "slot tag $name" }
        elseif ($InUse.ContainsKey([string]$image.Id)) { "image in use: $($InUse[[string]$image.Id])" }
        elseif ($name -in $Retained) { "in the retention window (the last $RetainVersions live)" }
        elseif ($name -notin $Deployed) { 'never deployed to this stack' }
        else {
            $action = 'Remove'
            "deployed here before, outside the retention window (the last $RetainVersions live)"
        }
        [pscustomobject]@{ Tag = $name; Id = [string]$image.Id; Action = $action; Reason = $reason }
    }
}
