#!/usr/bin/env bash
# The whole suite: for each LLVM major in FANOUT_LLVM_VERSIONS (default
# "19 22"), configure build-<V>, build it, and run ctest (lit suites,
# truncation, unit tests). Installs missing Debian packages first.
# The last line is "<N> passed, <N> failed", summed over all versions; a
# configure or build failure counts as one failed test.
#   FANOUT_LLVM_VERSIONS="19" ./test.sh       one version only
#   FANOUT_CMAKE_ARGS="-DFANOUT_SANITIZE=ON"  extra configure arguments
#   FANOUT_JOBS=2                             build parallelism
#   FANOUT_BUILD_PREFIX=/tmp/b                build in /tmp/b-19, /tmp/b-22
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

.ci/install-deps.sh

read -r -a versions <<<"${FANOUT_LLVM_VERSIONS:-19 22}"
read -r -a cmake_args <<<"${FANOUT_CMAKE_ARGS:-}"
jobs=${FANOUT_JOBS:-2}
passed=0
failed=0

for v in "${versions[@]}"; do
  build=${FANOUT_BUILD_PREFIX:-build}-$v
  echo "=== LLVM $v: configure, build and test in $build"
  if ! cmake -S . -B "$build" -G Ninja -DFANOUT_LLVM_VERSION="$v" \
      "${cmake_args[@]}"; then
    echo "=== LLVM $v: configure FAILED"
    failed=$((failed + 1))
    continue
  fi
  if ! cmake --build "$build" --parallel "$jobs"; then
    echo "=== LLVM $v: build FAILED"
    failed=$((failed + 1))
    continue
  fi
  log=$build/ctest.log
  ctest --test-dir "$build" --output-on-failure 2>&1 | tee "$log" || true
  # ctest's summary: "86% tests passed, 1 tests failed out of 7".
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' \
    "$log" | tail -n 1 || true)
  if [[ -z $summary ]]; then
    echo "=== LLVM $v: ctest ran no tests"
    failed=$((failed + 1))
    continue
  fi
  read -r v_failed v_total < <(sed -E \
    's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/' <<<"$summary")
  echo "=== LLVM $v: $((v_total - v_failed)) passed, $v_failed failed"
  passed=$((passed + v_total - v_failed))
  failed=$((failed + v_failed))
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
