# stsenv plugin for bash (3.2 and later), printed by `stsenv init bash`:
#   eval "$(stsenv init bash)"
# This file is a template: `stsenv init` fills in the lines marked @…@ (the
# binary's absolute path, so no hook or function ever searches PATH; the
# time of init for bash 3.2's clock; one <alias>_assume function per profile;
# the hook registration). Every function is safe under `set -euo pipefail`;
# nothing here starts a process unless it talks to stsenv.

_STSENV_BIN='@STSENV_BIN@'
_STSENV_EPOCH0='@STSENV_EPOCH@'

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
    __stsenv_code="$(_STSENV_EVAL=1 "${_STSENV_BIN}" env --shell bash "$@")" || return
    eval "${__stsenv_code}"
}

# Remove what the last stsenv_assume set.
stsenv_unassume() {
    local __stsenv_code
    __stsenv_code="$(_STSENV_EVAL=1 "${_STSENV_BIN}" unset --shell bash "$@")" || return
    eval "${__stsenv_code}"
}

# A large config's <alias>_assume functions live in a file (written by
# `stsenv init` in the cache directory) that is read when first needed, not
# at start-up: bash takes ~10 ms to define 5,000 functions. Needed means a
# command word is completed (TAB: `complete -I`, bash 5) or a command that
# mentions `_assume` is about to run (a DEBUG trap, removed once the file is
# read). An older bash, or a DEBUG trap another tool already set (it is
# never replaced): the file is read now. `later` instead of a path: the first
# `stsenv init` after the config changed left the functions for later (it
# would have planned every profile first), and stsenv writes the file and
# names it when it is needed.
__stsenv_functions_from() {
    _STSENV_FUNCTIONS=$1
    local __stsenv_trap=''
    if ((BASH_VERSINFO[0] >= 5)); then
        __stsenv_trap="$(trap -p DEBUG)"
    fi
    case "${__stsenv_trap}" in
    '' | *__stsenv_lazy_functions*) ;;
    *) __stsenv_trap=taken ;;
    esac
    if ((BASH_VERSINFO[0] < 5)) || [[ "${__stsenv_trap}" == taken ]]; then
        __stsenv_load_functions
        return 0
    fi
    if ! complete -p -I >/dev/null 2>&1; then
        complete -o bashdefault -o default -F __stsenv_complete_first_word -I
    fi
    trap '__stsenv_lazy_functions "$@"' DEBUG
}

# Read the functions file, once.
__stsenv_load_functions() {
    local __stsenv_file=${_STSENV_FUNCTIONS-}
    if [[ -z "${__stsenv_file}" ]]; then
        return 0
    fi
    _STSENV_FUNCTIONS=
    case "$(complete -p -I 2>/dev/null)" in
    *__stsenv_complete_first_word*) complete -r -I ;;
    *) ;;
    esac
    if [[ "${__stsenv_file}" == later ]]; then
        __stsenv_file="$("${_STSENV_BIN}" init bash --functions-file)" || return 0
    fi
    if [[ -r "${__stsenv_file}" ]]; then
        # The path comes from `stsenv init`, after the cache's checks.
        # shellcheck disable=SC1090
        . "${__stsenv_file}"
    fi
    return 0
}

# The DEBUG trap: before a command that mentions `_assume` (bash-preexec,
# which keeps an earlier DEBUG trap as a preexec function, passes the line
# as $1). Always status 0: under `shopt -s extdebug` anything else would
# skip the command.
__stsenv_lazy_functions() {
    case "${BASH_COMMAND} ${1-}" in
    *_assume*)
        __stsenv_load_functions
        trap - DEBUG
        ;;
    *) ;;
    esac
    return 0
}

# TAB on a command word before the file was read: read it; bash's own
# command completion (`-o bashdefault`) then finds the functions.
__stsenv_complete_first_word() {
    __stsenv_load_functions
    return 0
}

# `assume`, only when nothing of that name exists: other tools ship one.
__stsenv_define_shorthand() {
    if ! type assume >/dev/null 2>&1; then
        # Called by the user, not here.
        # shellcheck disable=SC2317
        assume() { stsenv_assume "$@"; }
    fi
}

# The current time in epoch seconds, in __stsenv_now, without a process:
# bash 5 has $EPOCHSECONDS, bash 4.2 printf's %()T, bash 3.2 only $SECONDS,
# offset from the epoch time `stsenv init` wrote in. The version is a
# parameter so that the tests can exercise every branch on one bash.
__stsenv_pick_clock() {
    if [[ -n "${EPOCHSECONDS-}" ]]; then
        __stsenv_clock() { __stsenv_now=${EPOCHSECONDS}; }
    elif (($1 > 4 || ($1 == 4 && $2 >= 2))); then
        __stsenv_clock() { printf -v __stsenv_now '%(%s)T' -1; }
    else
        _STSENV_SECONDS0=${SECONDS}
        __stsenv_clock() { __stsenv_now=$((_STSENV_EPOCH0 + SECONDS - _STSENV_SECONDS0)); }
    fi
}
__stsenv_pick_clock "${BASH_VERSINFO[0]}" "${BASH_VERSINFO[1]}"

# The prompt hook. Fresh credentials: a pattern match, a clock read and a
# comparison, no process. Due: one `stsenv env --renew`, never a prompt; on
# failure one line on stderr and the next try a minute later. Keeps $? for
# the prompt.
#
# Only a plain decimal (no sign, no leading zero, which bash reads as octal,
# at most 11 digits) ever reaches arithmetic, where bash would also run any
# $(…) inside the value; anything else in STSENV_REFRESH_AT means "renew now"
# (with a session to renew: STSENV_PROFILE set).
__stsenv_hook() {
    local __stsenv_status=$? __stsenv_now __stsenv_due __stsenv_code __stsenv_rc
    case "${STSENV_REFRESH_AT-}" in
    '') return "${__stsenv_status}" ;;
    0* | *[!0-9]* | ????????????*) __stsenv_due=0 ;;
    *) __stsenv_due=${STSENV_REFRESH_AT} ;;
    esac
    __stsenv_clock
    if ((__stsenv_now < __stsenv_due)) || [[ -z "${STSENV_PROFILE-}" ]]; then
        return "${__stsenv_status}"
    fi
    if __stsenv_code="$("${_STSENV_BIN}" env --renew --shell bash 2>/dev/null)"; then
        eval "${__stsenv_code}"
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
                "${STSENV_PROFILE-?}" "${__stsenv_rc}" >&2
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
    return "${__stsenv_status}"
}

# Register the hook once, however often the plugin is evaluated. bash 5.1
# runs every element of an array PROMPT_COMMAND; older bash only a string.
__stsenv_register_hook() {
    case ";${PROMPT_COMMAND[*]-};" in
    *__stsenv_hook*) return 0 ;;
    *) ;;
    esac
    if ((BASH_VERSINFO[0] > 5 || (BASH_VERSINFO[0] == 5 && BASH_VERSINFO[1] >= 1))); then
        PROMPT_COMMAND+=(__stsenv_hook)
    else
        # Before 5.1 PROMPT_COMMAND is a string, whatever shellcheck infers.
        # shellcheck disable=SC2128,SC2178
        PROMPT_COMMAND="__stsenv_hook${PROMPT_COMMAND:+$'\n'${PROMPT_COMMAND}}"
    fi
}

# TAB completion of `stsenv`, profile names included: stsenv answers the
# request itself (clap_complete's dynamic protocol; its version is pinned
# exactly), so profiles added later complete without reloading the plugin.
_stsenv_complete() {
    local IFS=$'\013' __stsenv_reply __stsenv_space=true
    if compopt +o nospace 2>/dev/null; then
        __stsenv_space=false
    fi
    local words=("${COMP_WORDS[@]}")
    if ((BASH_VERSINFO[0] >= 4)); then
        words[COMP_CWORD]="$2"
    fi
    if ! __stsenv_reply="$(_CLAP_IFS="${IFS}" \
        _CLAP_COMPLETE_INDEX="${COMP_CWORD}" \
        _CLAP_COMPLETE_COMP_TYPE="${COMP_TYPE}" \
        _CLAP_COMPLETE_SPACE="${__stsenv_space}" \
        _STSENV_COMPLETE=bash \
        "${_STSENV_BIN}" -- "${words[@]}")"; then
        unset COMPREPLY
        return 0
    fi
    # The candidates are separated by IFS (\013): splitting is the point.
    # shellcheck disable=SC2206
    COMPREPLY=(${__stsenv_reply})
    if [[ "${__stsenv_space}" == false && "${COMPREPLY[0]-}" =~ [=/:]$ ]]; then
        compopt -o nospace
    fi
}
if ((BASH_VERSINFO[0] > 4 || (BASH_VERSINFO[0] == 4 && BASH_VERSINFO[1] >= 4))); then
    complete -o nospace -o bashdefault -o nosort -F _stsenv_complete stsenv
else
    complete -o nospace -o bashdefault -F _stsenv_complete stsenv
fi

# @STSENV_FUNCTIONS@
# @STSENV_HOOK@
