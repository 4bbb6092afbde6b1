#!/usr/bin/env python3
"""Bash and zsh completion for a CLI11 program, made from the program's own --help.

Made at build time from the built binary, so every subcommand and flag is in it and none can
drift: a new flag is completed as soon as it exists. Choices written as `TEXT:{a,b,c}` complete
to those words; other values and positionals complete to file names.

usage: make_completions.py BINARY NAME OUT_DIR    (writes OUT_DIR/NAME.bash and OUT_DIR/_NAME)
"""
import os
import re
import subprocess
import sys

binary, name, out_dir = sys.argv[1:4]


def help_text(*args):
    return subprocess.run([binary, *args, "--help"], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, check=False).stdout.decode()


def section(text, title):
    """The lines of one `Title:` section of CLI11's help."""
    lines, inside = [], False
    for line in text.splitlines():
        if re.match(r"^[A-Z][A-Za-z ]*:$", line):
            inside = line == title + ":"
            continue
        if inside:
            lines.append(line)
    return lines


def options(text):
    """(flag names, choices or None, takes a value, description) per option."""
    out = []
    lines = section(text, "Options")
    for i, line in enumerate(lines):
        # CLI11: "  --flag VALUE" then two or more spaces before the description.
        m = re.match(r"^\s+((?:-\w,)?--[\w-]+)(?: (\S.*?))?(?:\s{2,}(.*))?$", line)
        if not m:
            continue
        flags = m.group(1).split(",")
        value = m.group(2) or ""
        desc = (m.group(3) or "").strip()
        if not desc and i + 1 < len(lines) and not lines[i + 1].lstrip().startswith("-"):
            desc = lines[i + 1].strip()
        # A word after the flag that is upper case (TEXT, UINT, DIR, FILE:...) is its value.
        takes = bool(value)
        choices = None
        if c := re.search(r"\{([^}]*)\}", value):
            choices = c.group(1).split(",")
        out.append((flags, choices, takes, desc))
    return out


top = help_text()
commands = []
for line in section(top, "Subcommands"):
    m = re.match(r"^\s+([\w-]+)\s+(.*)$", line)
    if m:
        commands.append((m.group(1), m.group(2).strip()))
per_command = {c: options(help_text(c)) for c, _ in commands}
top_options = options(top)
fn = "_" + re.sub(r"\W", "_", name)

bash = [f"# bash completion for {name}, made from `{name} --help` at build time.",
        f"{fn}() {{",
        "  local cur prev cmd",
        "  cur=${COMP_WORDS[COMP_CWORD]}",
        "  prev=${COMP_WORDS[COMP_CWORD-1]}",
        "  cmd=${COMP_WORDS[1]}",
        "  if [ \"$COMP_CWORD\" -eq 1 ]; then",
        "    COMPREPLY=($(compgen -W \"{} {}\" -- \"$cur\"))".format(
            " ".join(c for c, _ in commands),
            " ".join(f for o in top_options for f in o[0])),
        "    return",
        "  fi",
        "  case \"$cmd\" in"]
for c, _ in commands:
    opts = per_command[c]
    bash.append(f"    {c})")
    bash.append("      case \"$prev\" in")
    for flags, choices, takes, _ in opts:
        if not takes:
            continue
        pat = "|".join(flags)
        if choices:
            bash.append(f"        {pat}) COMPREPLY=($(compgen -W \"{' '.join(choices)}\" -- \"$cur\"));"
                        " return ;;")
        else:
            bash.append(f"        {pat}) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;")
    bash.append("      esac")
    words = " ".join(f for o in opts for f in o[0])
    bash.append("      if [[ \"$cur\" == -* ]]; then")
    bash.append(f"        COMPREPLY=($(compgen -W \"{words}\" -- \"$cur\"))")
    bash.append("      else")
    bash.append("        COMPREPLY=($(compgen -f -- \"$cur\"))")
    bash.append("      fi")
    bash.append("      ;;")
bash += ["  esac", "}", f"complete -o filenames -F {fn} {name}", ""]


def zsh_quote(s):
    return s.replace("\\", "\\\\").replace("'", "'\\''").replace("[", "\\[").replace("]", "\\]") \
        .replace(":", "\\:")


zsh = [f"#compdef {name}", f"# zsh completion for {name}, made from `{name} --help` at build time.",
       f"{fn}() {{",
       "  local -a commands",
       "  commands=("]
for c, d in commands:
    zsh.append(f"    '{c}:{zsh_quote(d)}'")
zsh += ["  )",
        "  if (( CURRENT == 2 )); then",
        "    _describe 'command' commands",
        "    return",
        "  fi",
        "  case $words[2] in"]
for c, _ in commands:
    zsh.append(f"    {c})")
    zsh.append("      _arguments \\")
    for flags, choices, takes, desc in per_command[c]:
        action = ""
        if takes:
            action = ":value:(" + " ".join(choices) + ")" if choices else ":file:_files"
        for f in flags:
            zsh.append(f"        '{f}[{zsh_quote(desc)}]{action}' \\")
    zsh.append("        '*:file:_files'")
    zsh.append("      ;;")
zsh += ["  esac", "}", f"{fn} \"$@\"", ""]

os.makedirs(out_dir, exist_ok=True)
with open(os.path.join(out_dir, name + ".bash"), "w") as f:
    f.write("\n".join(bash))
with open(os.path.join(out_dir, "_" + name), "w") as f:
    f.write("\n".join(zsh))
