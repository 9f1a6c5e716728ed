# stsenv plugin for PowerShell (7, and Windows PowerShell 5.1), printed by
# `stsenv init powershell`:
#   stsenv init powershell | Out-String | Invoke-Expression
# This file is a template: `stsenv init` fills in the lines marked @…@ (the
# binary's absolute path, so neither the prompt nor a function ever searches
# PATH; one <alias>_assume function per profile; the hook registration).
# Nothing here starts a process unless it talks to stsenv.

$global:__StsenvBin = '@STSENV_BIN@'

# Run stsenv with _STSENV_EVAL set, which tells it that its stdout is
# evaluated: help and version text then go to stderr, never into
# Invoke-Expression. The variable is restored afterwards.
function global:__stsenv_code {
    $saved = $env:_STSENV_EVAL
    $env:_STSENV_EVAL = '1'
    try {
        & $global:__StsenvBin @args | Out-String
    } finally {
        $env:_STSENV_EVAL = $saved
    }
}

# Credentials for a profile in this session. Runs the code only when
# `stsenv env` succeeded, so a failure (wrong MFA code, typo) leaves the
# current credentials alone.
function global:stsenv_assume {
    # No argument at a terminal: pick the profile (drawn on the terminal).
    $words = $args
    if ($args.Count -eq 0 -and -not [Console]::IsInputRedirected) { $words = @('--pick') }
    $code = __stsenv_code env --shell powershell @words
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression $code
}

# Remove what the last stsenv_assume set.
function global:stsenv_unassume {
    $code = __stsenv_code unset --shell powershell @args
    if ($LASTEXITCODE -ne 0) { return }
    Invoke-Expression $code
}

# `assume`, only when nothing of that name exists: other tools ship one.
function global:__stsenv_define_shorthand {
    if (-not (Get-Command assume -ErrorAction SilentlyContinue)) {
        function global:assume { stsenv_assume @args }
    }
}

# The prompt hook. Fresh credentials: one comparison, no process. Due: one
# `stsenv env --renew`, never a prompt; on failure one line on stderr and the
# next try a minute later. Keeps $LASTEXITCODE for the prompt and the user.
# Anything but a plain decimal in STSENV_REFRESH_AT means "renew now".
function global:__stsenv_hook {
    if (-not $env:STSENV_REFRESH_AT -or -not $env:STSENV_PROFILE) { return }
    $refresh = 0L
    $now = [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    if ($env:STSENV_REFRESH_AT -match '^[1-9][0-9]{0,10}$' -and
        [long]::TryParse($env:STSENV_REFRESH_AT, [ref]$refresh) -and $now -lt $refresh) { return }
    $saved = $global:LASTEXITCODE
    try {
        $code = & $global:__StsenvBin env --renew --shell powershell 2>$null | Out-String
        $rc = $LASTEXITCODE
        if ($rc -eq 0) {
            Invoke-Expression $code
        } elseif ($rc -eq 3) {
            [Console]::Error.WriteLine("stsenv: $env:STSENV_PROFILE needs an MFA code or login to renew; run: stsenv_assume $env:STSENV_PROFILE")
        } elseif ($rc -eq 4) {
            [Console]::Error.WriteLine("stsenv: $env:STSENV_PROFILE needs the keystore passphrase to renew; run: stsenv_assume $env:STSENV_PROFILE (it asks for it), or set STSENV_KEYSTORE_PASSPHRASE")
        } else {
            [Console]::Error.WriteLine("stsenv: renewing $env:STSENV_PROFILE failed (exit $rc); see: stsenv env --renew")
        }
        # Back off for a minute when renewal failed, or gave credentials
        # that are already due, so that a prompt never retries in a loop.
        if ($env:STSENV_REFRESH_AT -and -not ($env:STSENV_REFRESH_AT -match '^[1-9][0-9]{0,10}$' -and
                [long]::TryParse($env:STSENV_REFRESH_AT, [ref]$refresh) -and $refresh -gt $now)) {
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

# TAB completion of `stsenv`, profile names included: stsenv answers the
# request itself (clap_complete's dynamic protocol; its version is pinned
# exactly). The binary's path is read from $global:__StsenvBin, never
# pasted into code that is evaluated.
Register-ArgumentCompleter -Native -CommandName stsenv -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $prev = $env:_STSENV_COMPLETE
    $env:_STSENV_COMPLETE = 'powershell'
    $line = $commandAst.Extent.Text
    $line = $line.Substring(0, [math]::Min($cursorPosition, $line.Length))
    if ($wordToComplete -eq '') { $line += " ''" }
    try {
        $results = Invoke-Expression "& `$global:__StsenvBin -- $line"
    } finally {
        if ($null -eq $prev) { Remove-Item Env:\_STSENV_COMPLETE } else { $env:_STSENV_COMPLETE = $prev }
    }
    $results | ForEach-Object {
        $split = $_.Split("`t")
        $help = if ($split.Length -eq 2) { $split[1] } else { $split[0] }
        [System.Management.Automation.CompletionResult]::new($split[0], $split[0], 'ParameterValue', $help)
    }
}

# @STSENV_FUNCTIONS@
# @STSENV_HOOK@
