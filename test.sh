#!/usr/bin/env bash
# The whole suite: for each LLVM major in FANOUT_LLVM_VERSIONS (default
# "19 22"), configure build-<V>, build it, and run ctest (lit suites,
# truncation, unit tests). Then, for each LLVM major in
# FANOUT_SANITIZE_VERSIONS (default: none), the same with ASan and UBSan in
# build-asan-<V>: the lit suite and the unit tests only (ctest -R 'lit|Test';
# truncation, fanout-clangd and fanout-audit are left out to keep it short).
# Installs missing Debian packages first.
# The last line is "<N> passed, <N> failed", summed over all builds; a
# configure or build failure counts as one failed test.
#   FANOUT_LLVM_VERSIONS="19" ./test.sh       one version only
#   FANOUT_SANITIZE_VERSIONS="19" ./test.sh   also the sanitizer build for 19
#   FANOUT_CMAKE_ARGS="-DFANOUT_SANITIZE=ON"  extra configure arguments
#   FANOUT_JOBS=2                             build parallelism
#   FANOUT_BUILD_PREFIX=/tmp/b                build in /tmp/b-19, /tmp/b-asan-19
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

.ci/install-deps.sh

read -r -a versions <<<"${FANOUT_LLVM_VERSIONS:-19 22}"
read -r -a sanitize_versions <<<"${FANOUT_SANITIZE_VERSIONS:-}"
read -r -a cmake_args <<<"${FANOUT_CMAKE_ARGS:-}"
jobs=${FANOUT_JOBS:-2}
prefix=${FANOUT_BUILD_PREFIX:-build}
passed=0
failed=0

# suite <label> <build dir> <LLVM major> <ctest args> -- <cmake args>
suite() {
  local label=$1 build=$2 v=$3
  shift 3
  local ctest_args=()
  while [[ $1 != -- ]]; do ctest_args+=("$1"); shift; done
  shift
  echo "=== $label: configure, build and test in $build"
  if ! cmake -S . -B "$build" -G Ninja -DFANOUT_LLVM_VERSION="$v" "$@"; then
    echo "=== $label: configure FAILED"
    failed=$((failed + 1))
    return
  fi
  if ! cmake --build "$build" --parallel "$jobs"; then
    echo "=== $label: build FAILED"
    failed=$((failed + 1))
    return
  fi
  local log=$build/ctest.log
  ctest --test-dir "$build" --output-on-failure "${ctest_args[@]}" 2>&1 |
    tee "$log" || true
  # ctest's summary: "86% tests passed, 1 tests failed out of 7".
  local summary
  summary=$(grep -E '^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+' \
    "$log" | tail -n 1 || true)
  if [[ -z $summary ]]; then
    echo "=== $label: ctest ran no tests"
    failed=$((failed + 1))
    return
  fi
  local v_failed v_total
  read -r v_failed v_total < <(sed -E \
    's/.* ([0-9]+) tests? failed out of ([0-9]+).*/\1 \2/' <<<"$summary")
  echo "=== $label: $((v_total - v_failed)) passed, $v_failed failed"
  passed=$((passed + v_total - v_failed))
  failed=$((failed + v_failed))
}

for v in "${versions[@]}"; do
  suite "LLVM $v" "$prefix-$v" "$v" -- "${cmake_args[@]}"
done

# The plugin instrumented, loaded into the stock clang-tidy with the runtimes
# preloaded (test/lit.cfg.py); see docs/robustness.md.
for v in "${sanitize_versions[@]}"; do
  suite "LLVM $v ASan+UBSan" "$prefix-asan-$v" "$v" -R 'lit|Test' -- \
    -DFANOUT_SANITIZE=ON -DFANOUT_BUILD_CLANGD=OFF -DFANOUT_BUILD_AUDIT=OFF \
    "${cmake_args[@]}"
done

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
