package cli

import (
	"io"
	"strings"
)

// The three scripts below are written from a completionSpec and nothing
// else. Each has the same parts: helpers that prefer sockets and
// directories for TARGETs, the command list with summaries, and per
// command its flags (theme names after --theme, files after a FILE flag,
// nothing after another value) and what its arguments are.

func writeBash(w io.Writer, s completionSpec) {
	fprintf(w, `# bash completion for qmpdash, written by 'qmpdash completion bash'.
# Load it with: source <(qmpdash completion bash)

# _qmpdash_targets CUR [strict]: the sockets and directories starting with
# CUR; without strict, any file when there are none.
_qmpdash_targets() {
    local f
    local -a all=() picked=()
    mapfile -t all < <(compgen -f -- "$1")
    for f in "${all[@]}"; do
        if [[ -S $f || -d $f ]]; then picked+=("$f"); fi
    done
    if ((${#picked[@]} == 0)) && [[ -z $2 ]]; then picked=("${all[@]}"); fi
    compopt -o filenames 2>/dev/null
    COMPREPLY+=("${picked[@]}")
}

_qmpdash_files() {
    compopt -o filenames 2>/dev/null
    mapfile -t COMPREPLY < <(compgen -f -- "$1")
}

_qmpdash_words() {
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_qmpdash() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    # --flag=value: bash splits at the =.
    if [[ $cur == = ]]; then cur=""; fi
    if [[ $prev == = ]] && ((COMP_CWORD >= 2)); then prev=${COMP_WORDS[COMP_CWORD-2]}; fi
    COMPREPLY=()
    local cmd=""
    if ((COMP_CWORD > 1)); then
        case ${COMP_WORDS[1]} in
        %s) cmd=${COMP_WORDS[1]} ;;
        esac
    fi
    local flags="" words="" targets=""
    case $cmd in
`, strings.Join(s.commandNames(), "|"))
	for _, c := range append([]compCommand{s.dashboard}, s.commands...) {
		pattern := c.name
		if pattern == "" {
			pattern = `""`
		}
		fprintf(w, "    %s)\n        case $prev in\n", pattern)
		if p := c.flagsOfKind(themeName); p != "" {
			fprintf(w, "        %s) _qmpdash_words %s \"$cur\"; return ;;\n", p, shellQuote(strings.Join(s.themes, " ")))
		}
		if p := c.flagsOfKind(fileName); p != "" {
			fprintf(w, "        %s) _qmpdash_files \"$cur\"; return ;;\n", p)
		}
		if p := c.flagsOfKind(anyValue); p != "" {
			fprintf(w, "        %s) return ;;\n", p)
		}
		fprintf(w, "        esac\n        flags=%s\n", shellQuote(c.flagNames()))
		if c.targets {
			fprintf(w, "        targets=1\n")
		} else {
			fprintf(w, "        words=%s\n", shellQuote(strings.Join(c.words, " ")))
		}
		fprintf(w, "        ;;\n")
	}
	fprintf(w, `    esac
    if [[ $cur == -* ]]; then
        _qmpdash_words "$flags" "$cur"
        return
    fi
    if [[ -z $cmd ]] && ((COMP_CWORD == 1)); then
        _qmpdash_words %s "$cur"
        _qmpdash_targets "$cur" strict
        return
    fi
    if [[ -n $targets ]]; then
        _qmpdash_targets "$cur"
    elif [[ -z $words ]]; then
        return
    elif ((COMP_CWORD == 2)); then
        _qmpdash_words "$words" "$cur"
    else
        _qmpdash_files "$cur"
    fi
}

complete -F _qmpdash qmpdash
`, shellQuote(strings.Join(s.commandNames(), " ")))
}

// zshFlag is one _arguments spec: --name[help] plus, for a value, its
// message and action.
func zshFlag(f compFlag, themes []string) string {
	help := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(f.help)
	spec := "--" + f.name
	switch f.kind {
	case noValue:
		return shellQuote(spec + "[" + help + "]")
	case themeName:
		return shellQuote(spec + "=[" + help + "]:theme:(" + strings.Join(themes, " ") + ")")
	case fileName:
		return shellQuote(spec + "=[" + help + "]:file:_files")
	}
	return shellQuote(spec + "=[" + help + "]:value: ")
}

func zshArguments(w io.Writer, c compCommand, themes []string, indent string) {
	fprintf(w, "%s_arguments :", indent)
	for _, f := range c.flags {
		fprintf(w, " \\\n%s    %s", indent, zshFlag(f, themes))
	}
	switch {
	case c.name == "":
		fprintf(w, " \\\n%s    '1: :_qmpdash_first' '*:target:_qmpdash_targets'\n", indent)
	case c.targets:
		fprintf(w, " \\\n%s    '*:target:_qmpdash_targets'\n", indent)
	case len(c.words) > 0:
		fprintf(w, " \\\n%s    %s '*:file:_files'\n", indent, shellQuote("1:argument:("+strings.Join(c.words, " ")+")"))
	default:
		fprintf(w, "\n")
	}
}

func writeZsh(w io.Writer, s completionSpec) {
	fprintf(w, `#compdef qmpdash
# zsh completion for qmpdash, written by 'qmpdash completion zsh'.
# Install: qmpdash completion zsh > "${fpath[1]}/_qmpdash", or in ~/.zshrc
# after compinit: source <(qmpdash completion zsh)

# TARGETs: sockets and directories (_files falls back to any file).
_qmpdash_targets() {
    _files -g '*(-=)'
}

_qmpdash_commands() {
    local -a cmds=(
`)
	for _, c := range s.commands {
		fprintf(w, "        %s\n", shellQuote(c.name+":"+c.summary))
	}
	fprintf(w, `    )
    _describe -t commands command cmds
}

_qmpdash_first() {
    _alternative 'commands:command:_qmpdash_commands' 'targets:target:_qmpdash_targets'
}

_qmpdash() {
    if ((CURRENT > 2)); then
        local cmd=${words[2]}
        case $cmd in
`)
	for _, c := range s.commands {
		fprintf(w, "        %s)\n            shift words\n            ((CURRENT--))\n", c.name)
		zshArguments(w, c, s.themes, "            ")
		fprintf(w, "            return\n            ;;\n")
	}
	fprintf(w, "        esac\n    fi\n")
	zshArguments(w, s.dashboard, s.themes, "    ")
	fprintf(w, `}

if [[ $funcstack[1] == _qmpdash ]]; then
    _qmpdash "$@"
else
    compdef _qmpdash qmpdash
fi
`)
}

func writeFish(w io.Writer, s completionSpec) {
	cmds := strings.Join(s.commandNames(), " ")
	fprintf(w, `# fish completion for qmpdash, written by 'qmpdash completion fish'.
# Install: qmpdash completion fish > ~/.config/fish/completions/qmpdash.fish

# TARGETs: the sockets and directories under the word; any file when none.
function __qmpdash_targets
    set -l all (__fish_complete_path (commandline -ct))
    set -l picked
    for f in $all
        set -l p (string split -f1 \t -- $f)
        if test -S "$p"; or test -d "$p"
            set -a picked $f
        end
    end
    if test (count $picked) -eq 0
        set picked $all
    end
    printf '%%s\n' $picked
end

complete -c qmpdash -f
`)
	for _, c := range s.commands {
		fprintf(w, "complete -c qmpdash -n __fish_use_subcommand -a %s -d %s\n", c.name, fishQuote(c.summary))
	}
	for _, c := range append([]compCommand{s.dashboard}, s.commands...) {
		cond := fishQuote("__fish_seen_subcommand_from " + c.name)
		if c.name == "" {
			cond = fishQuote("not __fish_seen_subcommand_from " + cmds)
		}
		for _, f := range c.flags {
			fprintf(w, "complete -c qmpdash -n %s -l %s -d %s", cond, f.name, fishQuote(f.help))
			switch f.kind {
			case themeName:
				fprintf(w, " -x -a %s", fishQuote(strings.Join(s.themes, " ")))
			case fileName:
				fprintf(w, " -r -F")
			case anyValue:
				fprintf(w, " -x")
			}
			fprintf(w, "\n")
		}
		switch {
		case c.targets:
			fprintf(w, "complete -c qmpdash -n %s -a '(__qmpdash_targets)'\n", cond)
		case len(c.words) > 0:
			fprintf(w, "complete -c qmpdash -n %s -a %s\n", cond, fishQuote(strings.Join(c.words, " ")))
		}
	}
}
