#!/usr/bin/env python3
"""Write dpfetchctl's bash completion from the program itself: its
command table (dpfetchctl --complete-table: commands, keys, known values)
and its options (dpfetchctl --help), so that it cannot drift from either.

    gen_bash_completion.py DPFETCHCTL OUT
"""

import re
import subprocess
import sys


def run(program, *args):
    return subprocess.run([program] + list(args), stdout=subprocess.PIPE,
                          check=True, timeout=60).stdout.decode()


def options(help_text):
    """(options that take an argument, options that do not) from the
    "  -s, --ctl PATH   text" lines of --help."""
    with_arg, flags = [], []
    for line in help_text.splitlines():
        if not re.match(r"^  +-", line):
            continue
        head = re.split(r"\s{2,}", line.strip())[0]
        names, arg = [], False
        for piece in head.split(","):
            m = re.match(r"^\s*(--?[A-Za-z][\w-]*)(?:[ =](\S+))?", piece)
            if m:
                names.append(m.group(1))
                arg = arg or m.group(2) is not None
        (with_arg if arg else flags).extend(names)
    return with_arg, flags


def sh_words(words):
    return "'" + " ".join(words).replace("'", "") + "'"


def main():
    program, out = sys.argv[1:3]
    cmds, methods, keys, values, bare, repeat = [], [], {}, {}, {}, []
    for line in run(program, "--complete-table").splitlines():
        f = line.split("\t")
        if f[0] in ("cmd", "builtin"):
            cmds.append(f[1])
            if f[0] == "cmd" and f[2] != "-":
                methods.append(f[2])
        elif f[0] == "key":
            keys.setdefault(f[1], []).append(f[2] + "=")
            if f[3] == "1":
                repeat.append(f[1] + "." + f[2])
            if f[4]:
                values[f[1] + "." + f[2]] = f[4].split()
        elif f[0] == "bare":
            bare[f[1]] = f[2]
    with_arg, flags = options(run(program, "--help"))

    case_keys = "".join("\t%s) echo %s ;;\n" % (c, sh_words(k))
                        for c, k in keys.items())
    case_values = "".join("\t%s) echo %s ;;\n" % (k, sh_words(v))
                          for k, v in values.items())
    case_bare = "".join("\t%s) echo %s ;;\n" % (c, k)
                        for c, k in bare.items())
    text = TEMPLATE % {
        "cmds": sh_words(cmds), "methods": sh_words(sorted(set(methods))),
        "with_arg": sh_words(with_arg), "flags": sh_words(flags),
        "repeat": " ".join(repeat), "keys": case_keys,
        "values": case_values, "bare": case_bare,
    }
    with open(out, "w") as f:
        f.write(text)


TEMPLATE = r"""# bash completion for dpfetchctl.
# Generated at build time from dpfetchctl's command table and --help by
# dist/gen_bash_completion.py: do not edit.

_dpfetchctl_commands=%(cmds)s
_dpfetchctl_methods=%(methods)s
_dpfetchctl_opts_arg=%(with_arg)s
_dpfetchctl_opts=%(flags)s
_dpfetchctl_repeat=' %(repeat)s '

_dpfetchctl_keys()
{
	case $1 in
%(keys)s	esac
}

_dpfetchctl_values()
{
	case $1 in
%(values)s	esac
}

_dpfetchctl_bare()
{
	case $1 in
%(bare)s	esac
}

_dpfetchctl()
{
	local i w raw cur cmd=-1 cand=() words=() cword=0 strip k bare
	COMPREPLY=()
	# The words as typed: bash splits key=value at '=' (COMP_WORDBREAKS).
	for ((i = 0; i < ${#COMP_WORDS[@]}; i++)); do
		w=${COMP_WORDS[i]}
		if ((i > 1)) && [[ $w == "=" || ${COMP_WORDS[i-1]} == "=" ]]; then
			words[${#words[@]}-1]+=$w
		else
			words+=("$w")
		fi
		((i == COMP_CWORD)) && cword=$((${#words[@]} - 1))
	done
	cur=${words[cword]}
	raw=${COMP_WORDS[COMP_CWORD]}
	[[ $raw == "=" ]] && raw=
	# what bash replaces is raw, the end of cur
	strip=$((${#cur} - ${#raw}))

	# the command: the first word that is no option nor option argument
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [[ " $_dpfetchctl_opts_arg " == *" $w "* ]]; then
			((i++))
		elif [[ $w != -* ]]; then
			cmd=$i
			break
		fi
	done

	if ((cmd < 0)); then
		case ${words[cword-1]} in
		-f|--file|-s|--ctl|--socket|--auth-file)
			COMPREPLY=($(compgen -f -- "$raw"))
			return ;;
		esac
		if [[ " $_dpfetchctl_opts_arg " == *" ${words[cword-1]} "* ]]; then
			return
		fi
		if [[ $cur == -* ]]; then
			cand=($_dpfetchctl_opts_arg $_dpfetchctl_opts)
		else
			cand=($_dpfetchctl_commands)
		fi
	else
		local c=${words[cmd]}
		case $c in
		help)
			((cword == cmd + 1)) && cand=($_dpfetchctl_commands) ;;
		call)
			((cword == cmd + 1)) && cand=($_dpfetchctl_methods) ;;
		report)
			COMPREPLY=($(compgen -f -- "$raw"))
			return ;;
		watch)
			cand=(--once) ;;
		*)
			if [[ $cur == *=* ]]; then
				k=${cur%%%%=*}
				for w in $(_dpfetchctl_values "$c.$k"); do
					cand+=("$k=$w")
				done
			else
				bare=$(_dpfetchctl_bare "$c")
				for k in $(_dpfetchctl_keys "$c"); do
					k=${k%%=}
					if [[ $_dpfetchctl_repeat != *" $c.$k "* ]]; then
						_dpfetchctl_given "$k" "$bare" && continue
					fi
					cand+=("$k=")
					if [[ $k == "$bare" ]]; then
						cand+=($(_dpfetchctl_values "$c.$k"))
					fi
				done
			fi ;;
		esac
	fi
	COMPREPLY=($(compgen -W "${cand[*]}" -- "$cur"))
	if ((${#COMPREPLY[@]} == 1)) && [[ ${COMPREPLY[0]} == *= ]]; then
		compopt -o nospace 2>/dev/null
	fi
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]:strip}
	done
}

# Is key given already, as key= or (the bare key) as a word without '='?
_dpfetchctl_given()
{
	local j
	for ((j = cmd + 1; j < cword; j++)); do
		[[ ${words[j]} == "$1="* ]] && return 0
		[[ -n $2 && $1 == "$2" && ${words[j]} != *=* ]] && return 0
	done
	return 1
}

complete -F _dpfetchctl dpfetchctl
"""

if __name__ == "__main__":
    main()
