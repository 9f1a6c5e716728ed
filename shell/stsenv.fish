# stsenv plugin for fish (3.1 and later), printed by `stsenv init fish`:
#   stsenv init fish | source
# This file is a template: `stsenv init` fills in the lines marked @…@ (the
# binary's absolute path, so no hook or function ever searches PATH; one
# <alias>_assume function per profile; the hook registration). Nothing here
# starts a process unless it talks to stsenv (on fish < 3.5 the hook's clock
# is `date`, see __stsenv_clock).

set -g __stsenv_bin '@STSENV_BIN@'

# Credentials for a profile in this shell. The code is sourced only when
# `stsenv env` succeeded, so a failure (wrong MFA code, typo) leaves the
# current credentials alone. _STSENV_EVAL tells stsenv that its stdout is
# evaluated: help and version text then go to stderr, never into `source`.
function stsenv_assume --description 'Export AWS credentials for a profile (stsenv)'
    # No argument at a terminal: pick the profile (drawn on /dev/tty).
    if test (count $argv) -eq 0; and isatty stdin
        set argv --pick
    end
    set -l code (_STSENV_EVAL=1 $__stsenv_bin env --shell fish $argv | string collect)
    set -l rc $pipestatus[1]
    test $rc -eq 0; or return $rc
    printf "%s\n" $code | source
end

# Remove what the last stsenv_assume set.
function stsenv_unassume --description 'Remove the AWS credentials stsenv set'
    set -l code (_STSENV_EVAL=1 $__stsenv_bin unset --shell fish $argv | string collect)
    set -l rc $pipestatus[1]
    test $rc -eq 0; or return $rc
    printf "%s\n" $code | source
end

# `assume`, only when nothing of that name exists: other tools ship one.
function __stsenv_define_shorthand
    if not type -q assume
        function assume --description 'stsenv_assume'
            stsenv_assume $argv
        end
    end
end

# The current time in epoch seconds. fish has no clock builtin, but the
# `path` builtin (fish 3.5) gives a file's mtime and its age: their sum is
# now, read in-process. Older fish pays for one `date` per check.
if builtin -n | string match -q path
    set -g __stsenv_has_path 1
    function __stsenv_clock
        math (path mtime /) + (path mtime --relative /)
    end
else
    function __stsenv_clock
        command date +%s
    end
end

# The prompt hook. Fresh credentials: one comparison of the age of / with
# the deadline moved to /'s mtime, no process (command substitutions of
# builtins run in-process in fish; about 0.2 ms, see the README). Due: one
# `stsenv env --renew`, never a prompt; on failure one line on stderr and the
# next try a minute later. Event handlers do not change $status, so the
# prompt still sees the last command's.
# Anything but a plain decimal (no sign, no leading zero, at most 11 digits)
# in STSENV_REFRESH_AT means "renew now", with a session to renew
# (STSENV_PROFILE set).
function __stsenv_hook
    set -q STSENV_REFRESH_AT[1]; or return
    if set -q __stsenv_has_path
        # The fast path, as few substitutions as possible: junk in
        # STSENV_REFRESH_AT makes `math` or `test` fail and lands below.
        test (path mtime --relative /) -lt (math $STSENV_REFRESH_AT - (path mtime /) 2>/dev/null) 2>/dev/null
        and string match -qr '^[1-9][0-9]{0,10}$' -- "$STSENV_REFRESH_AT"
        and return
    end
    test -n "$STSENV_REFRESH_AT"; and set -q STSENV_PROFILE[1]; and test -n "$STSENV_PROFILE"
    or return
    set -l now (__stsenv_clock)
    if string match -qr '^[1-9][0-9]{0,10}$' -- "$STSENV_REFRESH_AT"
        test "$now" -lt "$STSENV_REFRESH_AT"; and return
    end
    set -l code ($__stsenv_bin env --renew --shell fish 2>/dev/null | string collect)
    set -l rc $pipestatus[1]
    if test $rc -eq 0
        printf "%s\n" $code | source
    else if test $rc -eq 3
        printf 'stsenv: %s needs an MFA code or login to renew; run: stsenv_assume %s\n' "$STSENV_PROFILE" "$STSENV_PROFILE" >&2
    else if test $rc -eq 4
        printf 'stsenv: %s needs the keystore passphrase to renew; run: stsenv_assume %s (it asks for it), or set STSENV_KEYSTORE_PASSPHRASE\n' "$STSENV_PROFILE" "$STSENV_PROFILE" >&2
    else
        printf 'stsenv: renewing %s failed (exit %s); see: stsenv env --renew\n' "$STSENV_PROFILE" $rc >&2
    end
    # Back off for a minute when renewal failed, or gave credentials that
    # are already due, so that a prompt never retries in a loop.
    if set -q STSENV_REFRESH_AT[1]; and test -n "$STSENV_REFRESH_AT"
        if not string match -qr '^[1-9][0-9]{0,10}$' -- "$STSENV_REFRESH_AT"
            or test "$STSENV_REFRESH_AT" -le "$now"
            set -gx STSENV_REFRESH_AT (math $now + 60)
        end
    end
    return
end

# Register the hook once, however often the plugin is sourced: a function
# with --on-event is one handler per name, redefinition replaces it.
function __stsenv_register_hook
    function __stsenv_prompt_hook --on-event fish_prompt
        __stsenv_hook
    end
end

# TAB completion of `stsenv`, profile names included: stsenv answers the
# request itself (clap_complete's dynamic protocol; its version is pinned
# exactly), so profiles added later complete without reloading the plugin.
# The binary is read from $__stsenv_bin when TAB is pressed (escaped here).
complete --erase --command stsenv
complete --keep-order --exclusive --command stsenv --arguments "(_STSENV_COMPLETE=fish \$__stsenv_bin -- (commandline --current-process --tokenize --cut-at-cursor) (commandline --current-token))"

# @STSENV_FUNCTIONS@
# @STSENV_HOOK@
