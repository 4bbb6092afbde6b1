#!/usr/bin/env python3
"""The layering rule of medq_core, checked: every stage includes only itself and the stages
ARCHITECTURE.md allows it, and the allowed-include graph has no cycle.

The rule is read from the fenced block after the line "<!-- layers -->" in ARCHITECTURE.md
(`stage: allowed stages`), so the document and the check cannot disagree. Looks at
`#include "medq/STAGE/..."` and relative includes (`"../STAGE/..."`) in include/medq/STAGE,
src/STAGE and, for the CLI, src/cli. Exits 1 naming every include that runs upward.
"""
import os
import re
import sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
text = open(os.path.join(root, "ARCHITECTURE.md"), encoding="utf-8").read()
m = re.search(r"<!-- layers -->\s*```[a-z]*\n(.*?)```", text, re.S)
if not m:
    sys.exit("check_layers: no layers block in ARCHITECTURE.md")
allowed = {}
for line in m.group(1).splitlines():
    line = line.split("#", 1)[0].strip()
    if not line:
        continue
    stage, _, deps = line.partition(":")
    allowed[stage.strip()] = set(deps.split())

problems = []
# The graph itself: every named stage exists in the block, and no cycle.
for s, deps in allowed.items():
    for d in deps:
        if d not in allowed:
            problems.append(f"ARCHITECTURE.md: stage '{s}' may include '{d}', which is not a stage")
state = {}


def visit(s, path):
    if state.get(s) == 1:
        problems.append("ARCHITECTURE.md: cycle " + " -> ".join(path + [s]))
        return
    if state.get(s) == 2:
        return
    state[s] = 1
    for d in sorted(allowed.get(s, ())):
        if d in allowed:
            visit(d, path + [s])
    state[s] = 2


for s in sorted(allowed):
    visit(s, [])

include_re = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
folders = []
for base in ("include/medq", "src"):
    top = os.path.join(root, base)
    for stage in sorted(os.listdir(top)):
        if os.path.isdir(os.path.join(top, stage)):
            folders.append((stage, os.path.join(top, stage)))
for stage, folder in folders:
    if stage not in allowed:
        problems.append(f"{os.path.relpath(folder, root)}: stage '{stage}' is not in ARCHITECTURE.md")
        continue
    for dirpath, _, files in os.walk(folder):
        for f in sorted(files):
            if not f.endswith((".hpp", ".cpp", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                im = include_re.match(line)
                if not im:
                    continue
                inc = im.group(1)
                target = None
                if inc.startswith("medq/"):
                    target = inc.split("/")[1]
                elif inc.startswith("../"):
                    parts = os.path.normpath(os.path.join(os.path.dirname(rel), inc)).split(os.sep)
                    target = parts[1] if len(parts) > 2 else None
                if target is None or target == stage:
                    continue
                if target not in allowed[stage]:
                    problems.append(f"{rel}:{n}: stage '{stage}' includes '{inc}' (stage "
                                    f"'{target}'), which ARCHITECTURE.md does not allow")
for p in problems:
    print(p)
if problems:
    sys.exit(1)
print(f"layers: {len(allowed)} stages, every include runs downward")
