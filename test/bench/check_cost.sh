#!/usr/bin/env bash
# What the fanout checks add to clang-tidy on a heavy translation unit (the
# standard thread headers, Boost.Thread and oneTBB: ~230k preprocessed lines,
# with three fan-outs). Counts instructions with callgrind, which is
# repeatable on a loaded machine, and prints --enable-check-profile's view.
#   test/bench/check_cost.sh [build-dir] [llvm-major]
# The baseline runs one cheap stock check so that the AST is built and
# matched exactly as with ours.
set -euo pipefail
build=${1:-build-19}
v=${2:-19}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
plugin=$build/checks/fanout-tidy.so
tidy=/usr/lib/llvm-$v/bin/clang-tidy
tu=$here/heavy_tu.cpp
base='-*,readability-braces-around-statements'
ours="$base,fanout-*"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

count() {
  valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
    "$tidy" --load="$plugin" -checks="$1" "$tu" -- -std=c++20 -I"$here/../../examples" \
    >/dev/null 2>"$out/log" || true
  sed -nE 's/.*Collected : ([0-9]+).*/\1/p' "$out/log"
}
b=$(count "$base")
f=$(count "$ours")
echo "instructions, parse + $base: $b"
echo "instructions, parse + $base + fanout-*: $f"
awk -v b="$b" -v f="$f" 'BEGIN { printf "fanout-* adds %.2f%%\n", (f - b) * 100 / b }'
echo
"$tidy" --load="$plugin" -checks='-*,fanout-*' --enable-check-profile "$tu" \
  -- -std=c++20 -I"$here/../../examples" 2>&1 | grep -E "fanout-|Total" | grep -v warning
