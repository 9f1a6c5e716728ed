# stsenv plugin for bash (3.2 and later). Printed by `stsenv init bash`, which
# first sets _STSENV_BIN to the binary's absolute path (so PATH changes and
# prompt hooks never search PATH) and _STSENV_EPOCH0 to the time of init.
#   eval "$(stsenv init bash)"
# Every function is safe under `set -u`; nothing here spawns a process unless
# it talks to stsenv.

# Credentials for a profile in this shell. Evaluates the code only when
# `stsenv env` succeeded, so a failure (wrong MFA code, typo) leaves the
# current credentials alone.
stsenv_assume() {
    local __stsenv_code
    __stsenv_code="$("$_STSENV_BIN" env "$@" --shell bash)" || return
    eval "$__stsenv_code"
}

# Remove what the last stsenv_assume set.
stsenv_unassume() {
    local __stsenv_code
    __stsenv_code="$("$_STSENV_BIN" unset --shell bash)" || return
    eval "$__stsenv_code"
}

# The current time in epoch seconds, in __stsenv_now, without a process:
# bash 5 has $EPOCHSECONDS, bash 4.2 printf's %()T, bash 3.2 only $SECONDS,
# offset from the epoch time `stsenv init` wrote in. The version is a
# parameter so that the tests can exercise every branch on one bash.
__stsenv_pick_clock() {
    if [[ -n "${EPOCHSECONDS-}" ]]; then
        __stsenv_clock() { __stsenv_now=$EPOCHSECONDS; }
    elif (($1 > 4 || ($1 == 4 && $2 >= 2))); then
        __stsenv_clock() { printf -v __stsenv_now '%(%s)T' -1; }
    else
        _STSENV_SECONDS0=$SECONDS
        __stsenv_clock() { __stsenv_now=$((_STSENV_EPOCH0 + SECONDS - _STSENV_SECONDS0)); }
    fi
}
__stsenv_pick_clock "${BASH_VERSINFO[0]}" "${BASH_VERSINFO[1]}"

# The prompt hook (DESIGN §6). Fresh credentials: two tests and a return,
# no process. Due: one `stsenv env --renew`, never a prompt; on failure one
# line on stderr and the next try a minute later. Keeps $? for the prompt.
__stsenv_hook() {
    local __stsenv_status=$? __stsenv_now __stsenv_code __stsenv_rc
    # Not a plain number (unset, or tampered with): nothing to renew, and
    # never put it in an arithmetic context, where bash would run $(…) in it.
    case "${STSENV_REFRESH_AT-}" in
    '' | *[!0-9]*) return "$__stsenv_status" ;;
    esac
    __stsenv_clock
    if ((__stsenv_now < STSENV_REFRESH_AT)); then
        return "$__stsenv_status"
    fi
    if __stsenv_code="$("$_STSENV_BIN" env --renew --shell bash 2>/dev/null)"; then
        eval "$__stsenv_code"
    else
        __stsenv_rc=$?
        if ((__stsenv_rc == 3)); then
            printf 'stsenv: %s needs an MFA code or login to renew; run: stsenv_assume %s\n' \
                "${STSENV_PROFILE-?}" "${STSENV_PROFILE-}" >&2
        else
            printf 'stsenv: renewing %s failed (exit %s); see: stsenv env --renew\n' \
                "${STSENV_PROFILE-?}" "$__stsenv_rc" >&2
        fi
    fi
    # Back off for a minute when renewal failed, or gave credentials that are
    # already due, so that a prompt never retries in a loop.
    case "${STSENV_REFRESH_AT-}" in
    '' | *[!0-9]*) return "$__stsenv_status" ;;
    esac
    if ((STSENV_REFRESH_AT <= __stsenv_now)); then
        export STSENV_REFRESH_AT=$((__stsenv_now + 60))
    fi
    return "$__stsenv_status"
}

# Register the hook once, however often the plugin is evaluated. bash 5.1
# runs every element of an array PROMPT_COMMAND; older bash only a string.
__stsenv_register_hook() {
    case ";${PROMPT_COMMAND[*]-};" in
    *__stsenv_hook*) return 0 ;;
    esac
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))); then
        PROMPT_COMMAND+=(__stsenv_hook)
    else
        # Before 5.1 PROMPT_COMMAND is a string, whatever shellcheck infers.
        # shellcheck disable=SC2128,SC2178
        PROMPT_COMMAND="__stsenv_hook${PROMPT_COMMAND:+$'\n'$PROMPT_COMMAND}"
    fi
}
