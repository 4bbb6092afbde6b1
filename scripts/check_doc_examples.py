#!/usr/bin/env python3
"""Every example in README.md and docs/*.md, run and compared with what the tool prints.

An example is a fenced code block whose first line starts with "$ ". Each "$ " line is a shell
command; the lines after it, up to the next "$ " line, are its expected output (stdout and stderr
together, as a terminal shows them). A line that is exactly "..." stands for any number of lines;
"…" (one character) inside a line stands for any text on that line (a timing, say). A command with
no expected lines below it is run, and only has to exit (its output is not compared); put
"$ echo $?" after it to pin its exit code.

The blocks of one document run in order in one scratch folder, so a later block can use what an
earlier one wrote. The scratch folder has `build`, `docs`, `tests` and `.deps` (what scripts/setup.sh fetched)
linked to the repository's,
`medq` and `medq-synth` are on PATH, and "/tmp/" in a command means the scratch folder's tmp/
(the output is compared with "/tmp/" put back). An HTML comment `<!-- example-setup: CMD -->`
just before a block runs CMD first, unseen (to write a file the example reads);
`<!-- example-skip: REASON -->` leaves the next block out, and the reason is printed.

Excerpts of a longer output are checked too. `<!-- example-excerpt: CMD -->` before a block: the
block's lines (with the same wildcards) must appear as one run of consecutive lines in what CMD
prints. `<!-- example-json: CMD -->` before a block of JSON: CMD's output must be JSON that holds
the block, key by key (objects may have more keys; the elements of an array in the block must
appear in the output's array in the same order, others may stand between; "…" in a string
stands for any text).

usage: check_doc_examples.py [BUILD_DIR] [FILE.md ...]   (default: build, README.md docs/*.md)
Exit 1 when any example's output differs, with a diff of the first difference.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

root = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
args = sys.argv[1:]
build = os.path.join(root, args.pop(0) if args and not args[0].endswith(".md") else "build")
docs = args or ["README.md"] + sorted(os.path.relpath(p, root) for p in glob.glob(
    os.path.join(root, "docs", "*.md")))

FENCE = re.compile(r"^(```|~~~)")
SETUP = re.compile(r"^<!--\s*example-setup:\s*(.*?)\s*-->\s*$")
SKIP = re.compile(r"^<!--\s*example-skip:\s*(.*?)\s*-->\s*$")
EXCERPT = re.compile(r"^<!--\s*example-(excerpt|json):\s*(.*?)\s*-->\s*$")


def blocks(path):
    """(line number, setup commands, skip reason, excerpt (kind, command) or None, block lines)
    for each fenced block."""
    lines = open(os.path.join(root, path), encoding="utf-8").read().split("\n")
    out, i, setup, skip, excerpt = [], 0, [], None, None
    while i < len(lines):
        line = lines[i]
        if m := SETUP.match(line):
            setup.append(m.group(1))
        elif m := SKIP.match(line):
            skip = m.group(1)
        elif m := EXCERPT.match(line):
            excerpt = (m.group(1), m.group(2))
        elif FENCE.match(line):
            start, j = i, i + 1
            while j < len(lines) and not lines[j].startswith(line[:3]):
                j += 1
            out.append((start + 1, setup, skip, excerpt, lines[i + 1:j]))
            setup, skip, excerpt, i = [], None, None, j
        elif line.strip():
            setup, skip, excerpt = [], None, None
        i += 1
    return out


def holds(big, small):
    """Whether JSON value `big` holds `small` (see the module docstring)."""
    if isinstance(small, dict):
        return isinstance(big, dict) and all(k in big and holds(big[k], v)
                                             for k, v in small.items())
    if isinstance(small, list):
        if not isinstance(big, list):
            return False
        k = 0  # each element of `small`, in order, matches a later element of `big`
        for s in small:
            while k < len(big) and not holds(big[k], s):
                k += 1
            if k == len(big):
                return False
            k += 1
        return True
    if isinstance(small, str) and "…" in small and isinstance(big, str):
        return re.fullmatch(".*".join(re.escape(p) for p in small.split("…")), big) is not None
    return big == small


def matches(expected, actual):
    """Whether `actual` lines match `expected` lines with "..." and "…" wildcards."""
    def line_ok(e, a):
        if "…" not in e:
            return e == a
        parts = [re.escape(p) for p in e.split("…")]
        return re.fullmatch(".*".join(parts), a) is not None

    memo = {}

    def go(i, j):
        if (i, j) in memo:
            return memo[(i, j)]
        if i == len(expected):
            r = j == len(actual)
        elif expected[i] == "...":
            r = any(go(i + 1, k) for k in range(j, len(actual) + 1))
        else:
            r = j < len(actual) and line_ok(expected[i], actual[j]) and go(i + 1, j + 1)
        memo[(i, j)] = r
        return r

    return go(0, 0)


def run(cmd, cwd, env):
    p = subprocess.run(["bash", "-c", cmd], cwd=cwd, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, timeout=600)
    return p.stdout.decode("utf-8", "replace"), p.returncode


def main():
    env = dict(os.environ)
    env["PATH"] = f"{build}/src:{build}/tools/synth:" + env["PATH"]
    env.pop("CI", None)
    env.pop("GITHUB_ACTIONS", None)
    env["COLUMNS"] = "80"
    samples = os.path.join(build, "samples")
    if not os.path.isdir(os.path.join(samples, "bf16")):
        subprocess.run([f"{build}/tools/synth/medq-synth", "samples", "--force", samples],
                       check=True, stdout=subprocess.DEVNULL)
    checked = failed = 0
    for doc in docs:
        scratch = tempfile.mkdtemp(prefix="medq-doc-")
        try:
            for name in ("build", "docs", "tests", ".deps"):
                os.symlink(os.path.join(root, name) if name != "build" else build,
                           os.path.join(scratch, name))
            os.mkdir(os.path.join(scratch, "tmp"))
            tmp = os.path.join(scratch, "tmp") + "/"
            status = "0"
            for lineno, setup, skip, excerpt, lines in blocks(doc):
                if not lines or (not lines[0].startswith("$ ") and excerpt is None):
                    continue
                where = f"{doc}:{lineno}"
                if skip is not None:
                    print(f"{where}: skipped: {skip}")
                    continue
                for s in setup:
                    out, code = run(s.replace("/tmp/", tmp), scratch, env)
                    if code != 0:
                        print(f"{where}: setup `{s}` failed ({code}):\n{out}")
                        failed += 1
                if excerpt is not None:
                    kind, cmd = excerpt
                    checked += 1
                    out, _ = run(cmd.replace("/tmp/", tmp), scratch, env)
                    out = out.replace(tmp, "/tmp/")
                    if kind == "json":
                        try:
                            ok = holds(json.loads(out), json.loads("\n".join(lines)))
                        except ValueError as e:
                            ok = False
                            out += f"\n(not JSON: {e})"
                    else:
                        want = [x.rstrip() for x in lines]
                        while want and want[-1] == "":
                            want.pop()
                        got = [a.rstrip() for a in out.split("\n")]
                        ok = any(matches(want + ["..."], got[k:]) for k in range(len(got)))
                    if not ok:
                        failed += 1
                        print(f"{where}: the {kind} excerpt is not in what `{cmd}` printed.\n"
                              f"--- excerpt\n" + "\n".join(lines) + "\n--- output\n" + out)
                    continue
                # Split into (command, expected lines).
                steps = []
                for line in lines:
                    if line.startswith("$ "):
                        steps.append((line[2:], []))
                    else:
                        steps[-1][1].append(line.rstrip())
                for cmd, expected in steps:
                    checked += 1
                    cmd_run = cmd.replace("/tmp/", tmp)
                    if cmd.strip() == "echo $?":
                        out = status + "\n"
                    else:
                        out, code = run(cmd_run, scratch, env)
                        status = str(code)
                    if not expected:
                        continue
                    actual = [a.rstrip() for a in out.replace(tmp, "/tmp/").split("\n")]
                    while actual and actual[-1] == "":
                        actual.pop()
                    while expected and expected[-1] == "":
                        expected.pop()
                    if not matches(expected, actual):
                        failed += 1
                        print(f"{where}: `$ {cmd}` printed something else.\n--- expected"
                              f"\n" + "\n".join(expected) + "\n--- actual\n" + "\n".join(actual))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"doc examples: {checked} commands checked, {failed} differ")
    return 1 if failed else 0


sys.exit(main())
