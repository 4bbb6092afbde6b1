#!/usr/bin/env bash
# `cmake --install` into a scratch prefix: medq and medq-synth run from it, the completion files
# are where bash-completion and zsh look, and bash completes a subcommand's flags and choices;
# `cpack -G DEB` makes a package that holds the same files.
set -euo pipefail
build=$1
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
"$prefix/bin/medq" --version | grep -q '^medq '
"$prefix/bin/medq-synth" --help | grep -q 'medq-synth'
bash_completion=$prefix/share/bash-completion/completions/medq
test -f "$bash_completion"
test -f "$prefix/share/bash-completion/completions/medq-synth"
test -f "$prefix/share/zsh/vendor-completions/_medq"
# Complete `medq compare --mem` and `medq validate --format ` as bash would.
result=$(bash -c '
  source "$1"
  COMP_WORDS=(medq compare --mem); COMP_CWORD=2; _medq; echo "${COMPREPLY[*]}"
  COMP_WORDS=(medq validate --format ""); COMP_CWORD=3; _medq; echo "${COMPREPLY[*]}"
  COMP_WORDS=(medq ch); COMP_CWORD=1; _medq; echo "${COMPREPLY[*]}"' _ "$bash_completion")
expected=$'--memory-budget\ntext md json\ncheck'
if [ "$result" != "$expected" ]; then
  echo "bash completion gave:"; echo "$result"; echo "expected:"; echo "$expected"; exit 1
fi
if command -v zsh >/dev/null 2>&1; then zsh -n "$prefix/share/zsh/vendor-completions/_medq"; fi
if command -v dpkg-shlibdeps >/dev/null 2>&1; then
  pkg=$(mktemp -d)
  (cd "$build" && cpack -G DEB -B "$pkg" >/dev/null)
  deb=$(ls "$pkg"/*.deb)
  contents=$(dpkg-deb -c "$deb")
  for f in ./usr/bin/medq ./usr/bin/medq-synth ./usr/share/bash-completion/completions/medq; do
    grep -q " $f\$" <<<"$contents" || { echo "$deb lacks $f"; rm -rf "$pkg"; exit 1; }
  done
  dpkg-deb -f "$deb" Depends | grep -q libc6 || { echo "$deb: no Depends"; exit 1; }
  rm -rf "$pkg"
fi
echo "install: ok"
