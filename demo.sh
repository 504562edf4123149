#!/usr/bin/env bash
# fanout-stranded-producer on examples/, through the stock clang-tidy-19 of
# Debian loading the plugin: the warning and its notes, the fix as a diff,
# and the program hanging before the fix and terminating after it.
# Installs missing Debian packages and builds the plugin first.
#   ./demo.sh                        every examples/*.cpp
#   ./demo.sh examples/mission.cpp   one example
#   FANOUT_LLVM_VERSION=22 ./demo.sh with clang-tidy-22
#   FANOUT_BUILD_PREFIX=/tmp/b          build in /tmp/b-19 instead of build-19
set -euo pipefail
shopt -s nullglob
cd "$(dirname "${BASH_SOURCE[0]}")"

.ci/install-deps.sh

v=${FANOUT_LLVM_VERSION:-19}
build=${FANOUT_BUILD_PREFIX:-build}-$v
plugin=$build/checks/fanout-tidy.so
echo "=== Building the plugin for LLVM $v in $build"
mkdir -p "$build"
cmake -S . -B "$build" -G Ninja -DFANOUT_LLVM_VERSION="$v" \
  >"$build/demo-configure.log" 2>&1 || { cat "$build/demo-configure.log"; exit 1; }
cmake --build "$build" --parallel "${FANOUT_JOBS:-2}" --target FanoutTidy

tidy=$(command -v "clang-tidy-$v" || echo "/usr/lib/llvm-$v/bin/clang-tidy")
clangxx=$(command -v "clang++-$v" || echo "/usr/lib/llvm-$v/bin/clang++")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

# Runs a program for at most 5 seconds and says whether it finished.
run_for_5s() {
  local status=0
  timeout -k 1 5 "$1" >"$1.out" 2>&1 || status=$?
  local last
  last=$(tail -n 1 "$1.out")
  if [[ $status -eq 124 || $status -eq 137 ]]; then
    echo "    still running after 5 s: it hangs (stopped)"
  else
    echo "    exited with $status${last:+: $last}"
  fi
}

# Runs clang-tidy with the plugin; a crash is reported and fails the demo.
tidy() {
  local status=0
  "$tidy" --load="$plugin" -checks='-*,fanout-*' "$@" -- -std=c++20 || status=$?
  if [[ $status -ge 128 ]]; then
    echo "!!! clang-tidy crashed (exit $status)"
    failed=1
  fi
  return 0
}

examples=("$@")
[[ ${#examples[@]} -gt 0 ]] || examples=(examples/*.cpp)
for example in "${examples[@]}"; do
  name=$(basename "$example")
  echo
  echo "=== $example: the report"
  echo "\$ $(basename "$tidy") --load=$plugin -checks='-*,fanout-*' $example -- -std=c++20"
  tidy "$example"

  # Fix a copy (with the example's headers), never the source tree.
  rm -rf "$tmp/src" && mkdir "$tmp/src"
  cp "$example" "$tmp/src/"
  headers=("$(dirname "$example")"/*.h)
  [[ ${#headers[@]} -eq 0 ]] || cp "${headers[@]}" "$tmp/src/"
  echo
  echo "=== $example: the fix (clang-tidy --fix on a copy)"
  tidy --fix "$tmp/src/$name" >"$tmp/fix.log" 2>&1
  grep -E '^!!!|^clang-tidy applied' "$tmp/fix.log" || true
  if diff -u --label "$example" --label "$example (fixed)" \
      "$example" "$tmp/src/$name"; then
    echo "(no change)"
    continue
  fi

  echo
  echo "=== $example: before and after the fix, built with $(basename "$clangxx") and run"
  "$clangxx" -std=c++20 -pthread -I "$(dirname "$example")" "$example" -o "$tmp/before"
  "$clangxx" -std=c++20 -pthread -I "$tmp/src" "$tmp/src/$name" -o "$tmp/after"
  echo "  as is:"
  run_for_5s "$tmp/before"
  echo "  fixed:"
  run_for_5s "$tmp/after"
done
exit "$failed"
