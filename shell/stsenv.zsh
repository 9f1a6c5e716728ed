# stsenv plugin for zsh, printed by `stsenv init zsh`:
#   eval "$(stsenv init zsh)"
# This file is a template: `stsenv init` fills in the lines marked @…@ (the
# binary's absolute path, so no hook or function ever searches PATH; one
# <alias>_assume function per profile; the hook registration). Every
# function is safe under `setopt nounset errreturn`; nothing here starts a
# process unless it talks to stsenv.

_STSENV_BIN='@STSENV_BIN@'

# $EPOCHSECONDS without a process; zsh/datetime ships with zsh.
zmodload zsh/datetime 2>/dev/null || true

# Credentials for a profile in this shell. The code is evaluated only when
# `stsenv env` succeeded, so a failure (wrong MFA code, typo) leaves the
# current credentials alone. _STSENV_EVAL tells stsenv that its stdout is
# evaluated: help and version text then go to stderr, never into `eval`.
stsenv_assume() {
    local __stsenv_code
    # No argument at a terminal: pick the profile (drawn on /dev/tty).
    if (($# == 0)) && [[ -t 0 ]]; then
        set -- --pick
    fi
    __stsenv_code="$(_STSENV_EVAL=1 "$_STSENV_BIN" env --shell zsh "$@")" || return
    eval "$__stsenv_code"
}

# Remove what the last stsenv_assume set.
stsenv_unassume() {
    local __stsenv_code
    __stsenv_code="$(_STSENV_EVAL=1 "$_STSENV_BIN" unset --shell zsh "$@")" || return
    eval "$__stsenv_code"
}

# `assume`, only when nothing of that name exists: other tools ship one.
__stsenv_define_shorthand() {
    if ! whence assume >/dev/null 2>&1; then
        assume() { stsenv_assume "$@"; }
    fi
}

# The prompt hook. Fresh credentials: a pattern match and a comparison, no
# process. Due: one `stsenv env --renew`, never a prompt; on failure one
# line on stderr and the next try a minute later. Keeps $? for the prompt.
#
# Only a plain decimal (no sign, no leading zero, at most 11 digits) ever
# reaches arithmetic, where zsh would also expand anything inside the value;
# anything else in STSENV_REFRESH_AT means "renew now" (with a session to
# renew: STSENV_PROFILE set).
__stsenv_hook() {
    local __stsenv_status=$? __stsenv_now __stsenv_due __stsenv_code __stsenv_rc
    case "${STSENV_REFRESH_AT-}" in
    '') return $__stsenv_status ;;
    0* | *[!0-9]* | ????????????*) __stsenv_due=0 ;;
    *) __stsenv_due=$STSENV_REFRESH_AT ;;
    esac
    # Only without zsh/datetime (a stripped-down zsh) does this run `date`.
    __stsenv_now=${EPOCHSECONDS:-$(command date +%s)}
    if ((__stsenv_now < __stsenv_due)) || [[ -z "${STSENV_PROFILE-}" ]]; then
        return $__stsenv_status
    fi
    if __stsenv_code="$("$_STSENV_BIN" env --renew --shell zsh 2>/dev/null)"; then
        eval "$__stsenv_code"
    else
        __stsenv_rc=$?
        if ((__stsenv_rc == 3)); then
            printf 'stsenv: %s needs an MFA code or login to renew; run: stsenv_assume %s\n' \
                "${STSENV_PROFILE-?}" "${STSENV_PROFILE-}" >&2
        elif ((__stsenv_rc == 4)); then
            printf 'stsenv: %s needs the keystore passphrase to renew; run: stsenv_assume %s (it asks for it), or set STSENV_KEYSTORE_PASSPHRASE\n' \
                "${STSENV_PROFILE-?}" "${STSENV_PROFILE-}" >&2
        else
            printf 'stsenv: renewing %s failed (exit %s); see: stsenv env --renew\n' \
                "${STSENV_PROFILE-?}" "$__stsenv_rc" >&2
        fi
    fi
    # Back off for a minute when renewal failed, or gave credentials that are
    # already due, so that a prompt never retries in a loop.
    case "${STSENV_REFRESH_AT-}" in
    '') ;;
    0* | *[!0-9]* | ????????????*) export STSENV_REFRESH_AT=$((__stsenv_now + 60)) ;;
    *)
        if ((STSENV_REFRESH_AT <= __stsenv_now)); then
            export STSENV_REFRESH_AT=$((__stsenv_now + 60))
        fi
        ;;
    esac
    return $__stsenv_status
}

# Register the hook once, however often the plugin is evaluated
# (add-zsh-hook itself ignores a function already in the list).
__stsenv_register_hook() {
    autoload -Uz add-zsh-hook
    add-zsh-hook precmd __stsenv_hook
}

# TAB completion of `stsenv`, profile names included: stsenv answers the
# request itself (clap_complete's dynamic protocol; its version is pinned
# exactly), so profiles added later complete without reloading the plugin.
_stsenv_complete() {
    local -a completions dirs other
    local completion value
    completions=("${(@f)$(_CLAP_IFS=$'\n' \
        _CLAP_COMPLETE_INDEX=$((CURRENT - 1)) \
        _STSENV_COMPLETE=zsh \
        "$_STSENV_BIN" -- "${words[@]}" 2>/dev/null)}")
    for completion in "${completions[@]}"; do
        [[ -n $completion ]] || continue
        value="${completion%%:*}"
        if [[ "$value" == */ ]]; then
            if [[ "$completion" == *:* ]]; then
                dirs+=("${value%/}:${completion#*:}")
            else
                dirs+=("${value%/}")
            fi
        else
            other+=("$completion")
        fi
    done
    ((${#dirs})) && _describe -V 'values' dirs -S '/' -r '/'
    ((${#other})) && _describe -V 'values' other
    return 0
}
# compdef exists only after compinit; without it, skip quietly rather than
# print an error at every shell start.
if (($+functions[compdef])); then
    compdef _stsenv_complete stsenv
fi

# A large config's <alias>_assume functions are autoloaded from their
# directory when first needed, not at start-up, where the glob and the
# autoload of thousands of names would be most of the shell's start: before
# a command that mentions `_assume` runs (a DEBUG trap, removed once they are
# loaded), or before the first completion (compprefuncs, which compinit's
# completion runs once). `later`: stsenv writes the directory then and names
# it. A DEBUG trap another tool set is left alone: the names load at once.
__stsenv_functions_from() {
    _STSENV_FUNCTIONS=$1
    if (($+functions[TRAPDEBUG])) || [[ "$(trap)" == *" DEBUG"* ]]; then
        __stsenv_load_functions
        return 0
    fi
    compprefuncs+=(__stsenv_load_functions)
    trap '__stsenv_lazy_functions' DEBUG
}

# Autoload the functions' names, once.
__stsenv_load_functions() {
    local __stsenv_dir=${_STSENV_FUNCTIONS-}
    if [[ -z "$__stsenv_dir" ]]; then
        return 0
    fi
    _STSENV_FUNCTIONS=
    compprefuncs=(${compprefuncs:#__stsenv_load_functions})
    if [[ "$__stsenv_dir" == later ]]; then
        __stsenv_dir="$("$_STSENV_BIN" init zsh --functions-file)" || return 0
    fi
    # No `.` qualifier: it would stat each of thousands of files, and the
    # directory is stsenv's own, private, holding only what `init` wrote.
    if [[ -d "$__stsenv_dir" ]]; then
        fpath=("$__stsenv_dir" "${fpath[@]}")
        autoload -Uz -- "$__stsenv_dir"/*(NoN:t)
    fi
    return 0
}

# The DEBUG trap: before a command that mentions `_assume` other than
# stsenv_assume (zsh runs the trap inside functions too, this plugin's
# included); a zsh too old to name the command loads them before the first
# one. Once the names are loaded (here or by a completion), the trap
# removes itself: running, it is still this one. Always status 0 (with
# ERR_EXIT, anything else would skip the command).
__stsenv_lazy_functions() {
    case "${${ZSH_DEBUG_CMD-_assume}//stsenv_assume/}" in
    *_assume*) __stsenv_load_functions ;;
    *) ;;
    esac
    if [[ -z "${_STSENV_FUNCTIONS-}" ]]; then
        trap - DEBUG
    fi
    return 0
}

# @STSENV_FUNCTIONS@
# @STSENV_HOOK@
