# stsenv plugin for zsh. Printed by `stsenv init zsh`, which first sets
# _STSENV_BIN to the binary's absolute path (so PATH changes and prompt hooks
# never search PATH).
#   eval "$(stsenv init zsh)"
# Every function is safe under `setopt nounset`; nothing here spawns a
# process unless it talks to stsenv.

# $EPOCHSECONDS without a process; zsh/datetime ships with zsh.
zmodload zsh/datetime 2>/dev/null

# Credentials for a profile in this shell. Evaluates the code only when
# `stsenv env` succeeded, so a failure (wrong MFA code, typo) leaves the
# current credentials alone.
stsenv_assume() {
    local __stsenv_code
    __stsenv_code="$("$_STSENV_BIN" env "$@" --shell zsh)" || return
    eval "$__stsenv_code"
}

# Remove what the last stsenv_assume set.
stsenv_unassume() {
    local __stsenv_code
    __stsenv_code="$("$_STSENV_BIN" unset --shell zsh)" || return
    eval "$__stsenv_code"
}

# The prompt hook (DESIGN §6). Fresh credentials: two tests and a return,
# no process. Due: one `stsenv env --renew`, never a prompt; on failure one
# line on stderr and the next try a minute later. Keeps $? for the prompt.
__stsenv_hook() {
    local __stsenv_status=$? __stsenv_now __stsenv_code __stsenv_rc
    # Not a plain number (unset, or tampered with): nothing to renew, and
    # never put it in an arithmetic context, where zsh would expand it.
    case "${STSENV_REFRESH_AT-}" in
    '' | *[!0-9]*) return $__stsenv_status ;;
    esac
    # Only without zsh/datetime (a stripped-down zsh) does this run `date`.
    __stsenv_now=${EPOCHSECONDS:-$(command date +%s)}
    if ((__stsenv_now < STSENV_REFRESH_AT)); then
        return $__stsenv_status
    fi
    if __stsenv_code="$("$_STSENV_BIN" env --renew --shell zsh 2>/dev/null)"; then
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
    '' | *[!0-9]*) return $__stsenv_status ;;
    esac
    if ((STSENV_REFRESH_AT <= __stsenv_now)); then
        export STSENV_REFRESH_AT=$((__stsenv_now + 60))
    fi
    return $__stsenv_status
}

# Register the hook once, however often the plugin is evaluated
# (add-zsh-hook itself ignores a function already in the list).
__stsenv_register_hook() {
    autoload -Uz add-zsh-hook
    add-zsh-hook precmd __stsenv_hook
}
