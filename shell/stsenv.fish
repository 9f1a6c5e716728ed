# stsenv plugin for fish (3.0 and later). Printed by `stsenv init fish`, which
# first sets __stsenv_bin to the binary's absolute path (so PATH changes and
# prompt hooks never search PATH).
#   stsenv init fish | source
# Nothing here spawns a process unless it talks to stsenv (on fish < 3.5 the
# hook's clock is `date`, see __stsenv_clock).

# Credentials for a profile in this shell. Sources the code only when
# `stsenv env` succeeded, so a failure (wrong MFA code, typo) leaves the
# current credentials alone.
function stsenv_assume --description 'Export AWS credentials for a profile (stsenv)'
    set -l code ($__stsenv_bin env $argv --shell fish | string collect)
    set -l rc $pipestatus[1]
    test $rc -eq 0; or return $rc
    printf "%s\n" $code | source
end

# Remove what the last stsenv_assume set.
function stsenv_unassume --description 'Remove the AWS credentials stsenv set'
    set -l code ($__stsenv_bin unset --shell fish | string collect)
    set -l rc $pipestatus[1]
    test $rc -eq 0; or return $rc
    printf "%s\n" $code | source
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

# The prompt hook (DESIGN §6). Fresh credentials: one comparison of the age
# of / with the deadline moved to /'s mtime, no process (command
# substitutions of builtins run in-process in fish; about 0.2 ms, see the
# README). Due: one `stsenv env --renew`, never a prompt; on failure one
# line on stderr and the next try a minute later. Event handlers do not
# change $status, so the prompt still sees the last command's.
function __stsenv_hook
    set -q STSENV_REFRESH_AT[1]; or return
    if set -q __stsenv_has_path
        # The fast path, as few substitutions as possible: junk in
        # STSENV_REFRESH_AT makes `test` fail and lands in the checks below.
        test (path mtime --relative /) -lt (math $STSENV_REFRESH_AT - (path mtime /) 2>/dev/null) 2>/dev/null
        and return
    end
    string match -qr '^[0-9]+$' -- "$STSENV_REFRESH_AT"; or return
    set -l now (__stsenv_clock)
    test "$now" -lt "$STSENV_REFRESH_AT"; and return
    set -l code ($__stsenv_bin env --renew --shell fish 2>/dev/null | string collect)
    set -l rc $pipestatus[1]
    if test $rc -eq 0
        printf "%s\n" $code | source
    else if test $rc -eq 3
        printf 'stsenv: %s needs an MFA code or login to renew; run: stsenv_assume %s\n' "$STSENV_PROFILE" "$STSENV_PROFILE" >&2
    else
        printf 'stsenv: renewing %s failed (exit %s); see: stsenv env --renew\n' "$STSENV_PROFILE" $rc >&2
    end
    # Back off for a minute when renewal failed, or gave credentials that
    # are already due, so that a prompt never retries in a loop.
    if string match -qr '^[0-9]+$' -- "$STSENV_REFRESH_AT"; and test "$STSENV_REFRESH_AT" -le "$now"
        set -gx STSENV_REFRESH_AT (math $now + 60)
    end
end

# Register the hook once, however often the plugin is sourced: a function
# with --on-event is one handler per name, redefinition replaces it.
function __stsenv_register_hook
    function __stsenv_prompt_hook --on-event fish_prompt
        __stsenv_hook
    end
end
