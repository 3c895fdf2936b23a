# ZeroDowntime module, private (Parsing): not exported.
# Called by: Invoke-Docker
function Hide-SecretValue {
    <#
    .SYNOPSIS
        Masks the value of every secret-looking variable (…PASSWORD, …SECRET…, …KEY, …TOKEN) in a text.
    .DESCRIPTION
        docker compose quotes lines of the env file in its errors (a malformed line, an interpolation problem), and
        an error message ends up in the console, in CI logs and in the deploy record. The name stays, so the message
        still says which setting is wrong; the value becomes ***.
    #>
    [CmdletBinding()]
    [OutputType([string])]
    param([AllowEmptyString()] [AllowNull()] [string] $Text)

    if (-not $Text) { return $Text }
    # NAME=value or NAME: value, where NAME contains PASSWORD, SECRET, TOKEN or ends in KEY; the value runs to the
    # next quote, whitespace or end of line.
    $pattern = '(?i)(\b[A-Z0-9_]*(?:PASSWORD|SECRET|TOKEN|_KEY\b|^KEY\b)[A-Z0-9_]*\s*[=:]\s*)("?)[^"\s]+'
    [regex]::Replace($Text, $pattern, '$1$2***')
}
