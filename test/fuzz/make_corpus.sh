#!/usr/bin/env bash
# The fuzzer's seed corpus: the check tests and the examples, copied (never
# duplicated in the repository) into a directory libFuzzer may add to.
#   test/fuzz/make_corpus.sh /tmp/fuzz-corpus
set -euo pipefail
src=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: make_corpus.sh <corpus-dir>}
mkdir -p "$out"
for f in "$src"/test/checks/*.cpp "$src"/examples/*.cpp; do
  cp "$f" "$out/seed-$(basename "$f")"
done
echo "make_corpus: $(ls "$out" | wc -l) files in $out"
