#!/usr/bin/env python3
"""Writes the Hub API answers for one test repository whose files already lie in
ROOT/cdn/ORG/NAME/COMMIT (tests/remote/nginx.conf.in serves them): the revision info of each
branch and of the commit itself (huggingface_hub's model_info: {"id", "sha"}), and the commit's
recursive tree (list_repo_tree's entries: type, oid, size, path, and lfs for large files) split
into two pages, which nginx joins with a Link header.

    make_hub_fixture.py ROOT ORG/NAME COMMIT [BRANCH...]
"""
import hashlib
import json
import os
import sys


def main() -> None:
    root, repo, commit, *branches = sys.argv[1:]
    files_dir = os.path.join(root, "cdn", repo, commit)
    entries = []
    for dirpath, dirnames, filenames in os.walk(files_dir):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, files_dir)
        if rel_dir != ".":
            entries.append({"type": "directory", "oid": "0" * 40, "size": 0,
                            "path": rel_dir.replace(os.sep, "/")})
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, files_dir).replace(os.sep, "/")
            size = os.path.getsize(path)
            # A stand-in for the blob id: the real one is Git's SHA-1 of the content, which medq
            # does not read (and hashing gigabytes of sparse zeros would slow the test).
            oid = hashlib.sha1(rel.encode()).hexdigest()
            entry = {"type": "file", "oid": oid, "size": size, "path": rel}
            if size > 10 * 1024 * 1024:
                entry["lfs"] = {"oid": hashlib.sha256(rel.encode()).hexdigest(), "size": size,
                                "pointerSize": 134}
            entries.append(entry)
    api = os.path.join(root, "hub", "api", "models", repo)
    os.makedirs(os.path.join(api, "revision"), exist_ok=True)
    for rev in [commit, *branches]:
        with open(os.path.join(api, "revision", rev + ".json"), "w") as f:
            json.dump({"id": repo, "sha": commit, "private": False}, f)
    tree = os.path.join(api, "tree", commit)
    os.makedirs(tree, exist_ok=True)
    half = len(entries) // 2
    for name, part in (("page1.json", entries[:half]), ("page2.json", entries[half:])):
        with open(os.path.join(tree, name), "w") as f:
            json.dump(part, f)


if __name__ == "__main__":
    main()
