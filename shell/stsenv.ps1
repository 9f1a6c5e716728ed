# stsenv plugin for PowerShell (7, and Windows PowerShell 5.1). Printed by
# `stsenv init powershell`, which first sets $global:__StsenvBin to the
# binary's absolute path (so PATH changes and the prompt never search PATH).
#   stsenv init powershell | Out-String | Invoke-Expression
# Nothing here starts a process unless it talks to stsenv.

# Credentials for a profile in this session. Runs the code only when
# `stsenv env` succeeded, so a failure (wrong MFA code, typo) leaves the
# current credentials alone.
function global:stsenv_assume {
    $code = & $global:__StsenvBin env @args --shell powershell | Out-String
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression $code
}

# Remove what the last stsenv_assume set.
function global:stsenv_unassume {
    $code = & $global:__StsenvBin unset --shell powershell | Out-String
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression $code
}

# The prompt hook (DESIGN §6). Fresh credentials: one comparison, no
# process. Due: one `stsenv env --renew`, never a prompt; on failure one line
# on stderr and the next try a minute later. Keeps $LASTEXITCODE for the
# prompt and the user.
function global:__stsenv_hook {
    $refresh = 0L
    if (-not [long]::TryParse("$env:STSENV_REFRESH_AT", [ref]$refresh)) { return }
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    if ($now -lt $refresh) { return }
    $saved = $global:LASTEXITCODE
    try {
        $code = & $global:__StsenvBin env --renew --shell powershell 2>$null | Out-String
        $rc = $LASTEXITCODE
        if ($rc -eq 0) {
            Invoke-Expression $code
        } elseif ($rc -eq 3) {
            [Console]::Error.WriteLine("stsenv: $env:STSENV_PROFILE needs an MFA code or login to renew; run: stsenv_assume $env:STSENV_PROFILE")
        } else {
            [Console]::Error.WriteLine("stsenv: renewing $env:STSENV_PROFILE failed (exit $rc); see: stsenv env --renew")
        }
        # Back off for a minute when renewal failed, or gave credentials
        # that are already due, so that a prompt never retries in a loop.
        if ([long]::TryParse("$env:STSENV_REFRESH_AT", [ref]$refresh) -and $refresh -le $now) {
            $env:STSENV_REFRESH_AT = "$($now + 60)"
        }
    } finally {
        $global:LASTEXITCODE = $saved
    }
}

# Wrap the prompt once, however often the plugin is evaluated: the original
# prompt is kept the first time only, and the wrapper calls it after the hook.
function global:__stsenv_register_hook {
    if ($global:__StsenvPromptWrapped) { return }
    $global:__StsenvPromptWrapped = $true
    $global:__StsenvOriginalPrompt = $function:prompt
    function global:prompt {
        $ok = $?
        __stsenv_hook
        # Re-create the caller's $? (false when the last command failed).
        if (-not $ok) { Write-Error '' -ErrorAction Ignore }
        & $global:__StsenvOriginalPrompt
    }
}
