#!/usr/bin/env python3
"""What the fanout checks add to clang-tidy on real translation units.

For each file of a compile database, runs the same clang-tidy twice under
callgrind, both times loading the plugin: the baseline with one cheap stock
check (so the AST is built and matched the same way) and the same plus
fanout-*. Prints a markdown row per file: the instructions of each run, the
difference, and the inclusive instructions of FanoutCheck::check (the
analysis itself), plus the fanout warnings the second run printed.

  test/bench/tu_cost.py --plugin /tmp/bench-snapshot/fanout-tidy.so \\
      -p /tmp/zstd-bug/b -j 2 /tmp/zstd-bug/contrib/pzstd/Pzstd.cpp ...
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

BASE_CHECKS = "-*,readability-braces-around-statements"
FANOUT_CHECKS = BASE_CHECKS + ",fanout-*"
ENTRY = "clang::tidy::fanout::FanoutCheck::check("


def callgrind(args, checks, tu, out):
    """Total instructions of one run, and its output (the warnings)."""
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
           args.clang_tidy, "--load=" + args.plugin, "--checks=" + checks,
           "-p", args.p, tu]
    run = subprocess.run(cmd, capture_output=True, text=True)
    total = re.search(r"Collected : (\d+)", run.stderr)
    if not total:
        sys.exit("callgrind failed on %s:\n%s" % (tu, run.stderr[-2000:]))
    return int(total.group(1)), run.stdout + run.stderr


def inclusive(profile, function):
    """Inclusive instructions of \\p function in a callgrind profile."""
    run = subprocess.run(["callgrind_annotate", "--inclusive=yes", profile],
                         capture_output=True, text=True)
    total = 0
    for line in run.stdout.splitlines():
        if function in line:
            count = re.match(r"\s*([\d,]+)", line)
            if count:
                total = max(total, int(count.group(1).replace(",", "")))
    return total


def measure(args, tu):
    with tempfile.TemporaryDirectory() as work:
        base, _ = callgrind(args, BASE_CHECKS, tu, os.path.join(work, "b"))
        ours, text = callgrind(args, FANOUT_CHECKS, tu,
                               os.path.join(work, "f"))
        inside = inclusive(os.path.join(work, "f"), ENTRY)
    warnings = len(re.findall(r"warning: .*\[fanout-", text))
    return tu, base, ours, inside, warnings


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--plugin", required=True, help="fanout-tidy.so")
    parser.add_argument("--clang-tidy",
                        default="/usr/lib/llvm-19/bin/clang-tidy")
    parser.add_argument("-p", required=True, help="compile database directory")
    parser.add_argument("-j", dest="jobs", type=int, default=1)
    parser.add_argument("--root", default="",
                        help="prefix to strip from the file names shown")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        rows = list(pool.map(lambda tu: measure(args, tu), args.files))
    print("| translation unit | instructions, baseline | added by fanout-* "
          "| in FanoutCheck::check | fanout warnings |")
    print("|---|---:|---:|---:|---:|")
    for tu, base, ours, inside, warnings in rows:
        name = tu[len(args.root):] if tu.startswith(args.root) else tu
        print("| `%s` | %.3f G | %.2f M (%+.2f%%) | %.2f M | %d |"
              % (name, base / 1e9, (ours - base) / 1e6,
                 (ours - base) * 100.0 / base, inside / 1e6, warnings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
