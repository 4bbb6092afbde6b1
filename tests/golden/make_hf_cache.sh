#!/usr/bin/env bash
# Lays out model folders as huggingface_hub caches a download (file_download.py), for golden cases
# and documentation examples. Nothing here is medq's: a test of the cache rules against a cache
# made independently of medq's reader.
#
#   make_hf_cache.sh HUB snapshot REPO_ID SRC COMMIT [REF...]
#       every file below SRC as snapshot COMMIT of REPO_ID: its bytes in
#       HUB/models--ORG--NAME/blobs/<sha256>, and snapshots/COMMIT/<file> a relative link to
#       ../../blobs/<sha256> (one more ../ per subfolder); each REF (main, refs/pr/1) a file
#       under refs/ holding COMMIT without a newline
#   make_hf_cache.sh HUB blob REPO_ID NAME BYTES
#       a file of BYTES bytes in the repository's blobs/ (an abandoned NAME.incomplete, or a
#       blob no snapshot links to)
set -euo pipefail
hub=$1
what=$2
id=$3
repo="$hub/models--${id//\//--}"
case $what in
  snapshot)
    src=$4
    commit=$5
    shift 5
    mkdir -p "$repo/blobs" "$repo/snapshots/$commit"
    (cd "$src" && find . -type f | LC_ALL=C sort) | while read -r f; do
      f=${f#./}
      h=$(sha256sum "$src/$f" | cut -d' ' -f1)
      [ -e "$repo/blobs/$h" ] || cp "$src/$f" "$repo/blobs/$h"
      up=../..
      d=$(dirname "$f")
      while [ "$d" != . ]; do
        up=$up/..
        d=$(dirname "$d")
      done
      mkdir -p "$repo/snapshots/$commit/$(dirname "$f")"
      ln -s "$up/blobs/$h" "$repo/snapshots/$commit/$f"
    done
    for ref in "$@"; do
      mkdir -p "$(dirname "$repo/refs/$ref")"
      printf %s "$commit" >"$repo/refs/$ref"
    done
    ;;
  blob)
    mkdir -p "$repo/blobs"
    head -c "$5" /dev/zero >"$repo/blobs/$4"
    ;;
  *)
    echo "make_hf_cache.sh: unknown step '$what' (snapshot or blob)" >&2
    exit 2
    ;;
esac
