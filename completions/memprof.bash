# bash completion for memprof(1), the command of libmemprof.
#
# Installed as share/bash-completion/completions/memprof, where
# bash-completion loads it on the first TAB after "memprof"; or sourced
# from ~/.bashrc.  It needs nothing from bash-completion.
#
# The subcommands, their options and which options take a value are read
# from memprof's own help (memprof --help, memprof CMD --help) the first
# time they are needed, and kept for the shell's life: the help texts
# are the one list, so the completion cannot drift from the command.
# Completed:
#   memprof <TAB>                  the subcommands (memprof -<TAB>: -V ...)
#   memprof CMD -<TAB>             CMD's options
#   memprof run -o <TAB>           files, where the help says FILE
#   memprof run --backend <TAB>    the values the help lists: rss pss uss
#   memprof plot|peak|rm <TAB>     recordings: .dat files (and folders)
#   memprof diff <TAB>             JSON reports and recordings
#   memprof run|cc <TAB>           a command, then its own completion
#   memprof attach <TAB>           process ids
#   memprof help <TAB>             the subcommands

declare -gA _memprof_help_cache 2>/dev/null || true

# _memprof_load CMD [SUB] - read the help of CMD (memprof), or of its
# SUB, into the cache, once.  Not in a subshell, or the cache is lost.
_memprof_load()
{
    local key="$1|$2"
    [[ -n ${_memprof_help_cache[$key]+set} ]] && return 0
    if [[ -n $2 ]]; then
        _memprof_help_cache[$key]=$("$1" "$2" --help 2>/dev/null)
    else
        _memprof_help_cache[$key]=$("$1" --help 2>/dev/null)
    fi
}

# _memprof_help CMD [SUB] - that help on stdout, from the cache.
_memprof_help()
{
    _memprof_load "$1" "$2"
    printf '%s\n' "${_memprof_help_cache[$1|$2]}"
}

# _memprof_commands CMD - the subcommands that memprof --help lists:
# its lines "  NAME ..." (two spaces, a lowercase word).
_memprof_commands()
{
    local line
    while IFS= read -r line; do
        [[ $line =~ ^\ \ ([a-z]+)(\ |$) ]] && printf '%s\n' "${BASH_REMATCH[1]}"
    done < <(_memprof_help "$1")
}

# _memprof_options CMD [SUB] - the options of a help text, one a line
# as "FLAG VALUE" (VALUE empty when the option takes none, "?" when its
# value is optional, after '='): from its option lines, "  -o, --output
# FILE   what it does" (the option column ends at two spaces), and from
# its usage lines' brackets, "[--func NAME]"; --help for every command.
_memprof_options()
{
    local line col group flag value short
    local -a groups
    while IFS= read -r line; do
        if [[ $line =~ ^(usage:|\ {7}memprof) ]]; then
            while [[ $line =~ \[(--?[A-Za-z][-A-Za-z0-9]*)(\ ([A-Z][A-Z,]*))?\] ]]; do
                printf '%s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]}"
                line=${line/"${BASH_REMATCH[0]}"/}
            done
            continue
        fi
        [[ $line =~ ^\ +(-.*)$ ]] || continue
        col=${BASH_REMATCH[1]}
        col=${col%%  *}
        IFS=$'\x01' read -r -a groups <<<"${col//, /$'\x01'}"
        short=
        for group in "${groups[@]}"; do
            flag=${group%% *}
            value=
            [[ $group == *\ * ]] && value=${group#* }
            if [[ $flag =~ ^(--?[A-Za-z][-A-Za-z0-9]*)\[=[A-Z]+\]$ ]]; then
                flag=${BASH_REMATCH[1]}
                value="?"
            fi
            [[ $flag =~ ^--?[A-Za-z][-A-Za-z0-9]*$ ]] || continue
            # "-o, --output FILE": the short form takes the long one's.
            if [[ -n $short && -n $value ]]; then
                printf '%s %s\n' "$short" "$value"
                short=
            fi
            if [[ $flag =~ ^-[A-Za-z]$ && -z $value ]]; then
                short=$flag
                continue
            fi
            printf '%s %s\n' "$flag" "$value"
        done
        [[ -n $short ]] && printf '%s \n' "$short"
    done < <(_memprof_help "$1" "$2")
    [[ -n $2 ]] && printf '%s \n' --help
}

# _memprof_files CUR GLOB... - files matching a GLOB, and folders.
_memprof_files()
{
    local cur=$1 g
    shift
    compopt -o filenames 2>/dev/null
    for g in "$@"; do
        COMPREPLY+=($(compgen -f -X "!$g" -- "$cur"))
    done
    COMPREPLY+=($(compgen -d -- "$cur"))
}

# _memprof_value CUR VALUE - the completions of an option's VALUE as its
# help names it: a file, a list "a|b|c", WHEN (auto, always, never).
_memprof_value()
{
    local cur=$1 value=$2
    case $value in
    FILE) compopt -o filenames 2>/dev/null
          COMPREPLY=($(compgen -f -- "$cur")) ;;
    WHEN|'?') COMPREPLY=($(compgen -W "auto always never" -- "$cur")) ;;
    *'|'*) COMPREPLY=($(compgen -W "${value//|/ }" -- "$cur")) ;;
    *) COMPREPLY=() ;;
    esac
}

_memprof()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local cmd=${COMP_WORDS[0]}
    [[ $cmd == "~/"* ]] && cmd=$HOME/${cmd#\~/}
    type -P -- "$cmd" >/dev/null 2>&1 || cmd=memprof
    COMPREPLY=()
    _memprof_load "$cmd"

    if ((COMP_CWORD == 1)); then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$(_memprof_options "$cmd" | cut -d' ' -f1)" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_memprof_commands "$cmd")" -- "$cur"))
        fi
        return 0
    fi

    local sub=${COMP_WORDS[1]}
    if [[ $sub == help ]]; then
        ((COMP_CWORD == 2)) &&
            COMPREPLY=($(compgen -W "$(_memprof_commands "$cmd")" -- "$cur"))
        return 0
    fi
    _memprof_commands "$cmd" | grep -qx -- "$sub" || return 0
    _memprof_load "$cmd" "$sub"

    local -A takes=()
    local flag value
    while read -r flag value; do
        takes[$flag]=$value
    done < <(_memprof_options "$cmd" "$sub")

    # The words before the cursor: options, their values, operands.
    local i w operands=0 first=0 ended=0
    for ((i = 2; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if ((ended == 0)) && [[ $w == -?* ]]; then
            [[ $w == -- ]] && { ended=1; continue; }
            # "--output=x" as bash splits it: "--output" "=" "x".
            if [[ ${COMP_WORDS[i + 1]} == = ]]; then
                ((i += 2))
                continue
            fi
            [[ $w != *=* && -n ${takes[$w]} && ${takes[$w]} != "?" ]] && ((i++))
            continue
        fi
        ((operands == 0)) && first=$i
        ((operands++))
        # run and cc stop at their command: the rest is its.
        if [[ $sub == run || $sub == cc ]]; then
            if declare -F _command_offset >/dev/null; then
                _command_offset "$first"
                return 0
            fi
            compopt -o default 2>/dev/null
            COMPREPLY=()
            return 0
        fi
    done

    # An option's value: "-o FILE"; "--output=FILE", which bash splits
    # into "--output" "=" "FILE" (only FILE is replaced), or not when '='
    # is not in COMP_WORDBREAKS.
    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    local before=${COMP_WORDS[COMP_CWORD - 2]}
    if ((ended == 0)); then
        if [[ $cur == = && $prev == --?* ]]; then
            [[ -n ${takes[$prev]} ]] && _memprof_value "" "${takes[$prev]}"
            return 0
        fi
        if [[ $prev == = && $before == --?* ]] && ((COMP_CWORD > 3)); then
            [[ -n ${takes[$before]} ]] && _memprof_value "$cur" "${takes[$before]}"
            return 0
        fi
        if [[ $prev == -?* && -n ${takes[$prev]} && ${takes[$prev]} != "?" ]]; then
            _memprof_value "$cur" "${takes[$prev]}"
            return 0
        fi
        if [[ $cur == --*=* ]]; then
            flag=${cur%%=*}
            [[ -n ${takes[$flag]} ]] || return 0
            _memprof_value "${cur#*=}" "${takes[$flag]}"
            COMPREPLY=("${COMPREPLY[@]/#/$flag=}")
            return 0
        fi
    fi
    if ((ended == 0)) && [[ $cur == -* ]]; then
        local words=()
        for flag in "${!takes[@]}"; do
            value=${takes[$flag]}
            [[ $value == "?" ]] && flag+="="
            words+=("$flag")
        done
        COMPREPLY=($(compgen -W "${words[*]}" -- "$cur"))
        [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] &&
            compopt -o nospace 2>/dev/null
        return 0
    fi

    case $sub in
    plot | peak | rm) _memprof_files "$cur" '*.dat' ;;
    diff) _memprof_files "$cur" '*.json' '*.dat' ;;
    attach)
        ((operands == 0)) || return 0
        local p pids=()
        for p in /proc/[0-9]*; do
            pids+=("${p#/proc/}")
        done
        COMPREPLY=($(compgen -W "${pids[*]}" -- "$cur"))
        ;;
    run | cc)
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -c -- "$cur"))
        ;;
    esac
    return 0
}

complete -F _memprof memprof
