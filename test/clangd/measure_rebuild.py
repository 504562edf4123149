#!/usr/bin/env python3
#===- measure_rebuild.py - What the fanout checks add to a clangd rebuild ---===//
#
# Part of fanout-tidy. clangd rebuilds the main file's AST on every edit (the
# preamble -- the #includes -- is reused) and runs the enabled clang-tidy checks
# on it. This measures what the fanout-* checks add to that rebuild, with
# clangd's own instrument: `--check=FILE --check-tidy-time=GLOB`, which builds
# the AST with no checks and with each check, and reports the median CPU-time
# difference (the measurement upstream uses to decide which checks are "fast":
# clang-tools-extra/clangd/TidyFastChecks.py, <= 8% is fast).
#
#===------------------------------------------------------------------------===//
r"""
Inputs (generated into a temporary workspace, see --help):
  mission        examples/mission.cpp, queue class inlined (clangd skips
                 header function bodies, so this is what runs the analysis)
  deletecollection  examples/deletecollection.cpp, likewise
  negative       test/checks/fanout-stranded-producer-negative.cpp with
                 Inputs/queues.h inlined: many spawn sites, nothing reported
  stress         N copies of the mission fan-out in one file
  --file F       any file of yours, with --compile-commands-dir for its flags
                 (e.g. lib/src/ExitAnalysis.cpp: a large TU with no threads)

Example:
  test/clangd/measure_rebuild.py --clangd build-clangd-19/tools/fanout-clangd/fanout-clangd \
      --root . --file lib/src/ExitAnalysis.cpp --compile-commands-dir build-clangd-19
"""

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

CHECKS = "fanout-*"


def inline_includes(text, search_dirs):
    """Replaces #include "x.h" by x.h's text (once each, recursively) when x.h
    is found in search_dirs."""
    seen = set()

    def expand(text):
        def repl(m):
            name = m.group(1)
            for d in search_dirs:
                p = Path(d) / name
                if p.is_file():
                    if p in seen:
                        return ""
                    seen.add(p)
                    body = p.read_text().replace("#pragma once", "")
                    return expand(body)
            return m.group(0)
        return re.sub(r'^\s*#\s*include\s*"([^"]+)"', repl, text, flags=re.M)
    return expand(text)


def stress(mission_inline, copies):
    head, sep, main = mission_inline.partition("int main()")
    body = sep + main
    out = [head]
    for i in range(copies):
        out.append(body.replace("int main()", f"int fanout_{i}()", 1))
    out.append("int main() { return fanout_0(); }\n")
    return "\n".join(out)


def measure(clangd, path, runs, extra_args):
    """Returns [(baseline_ns, percent)] over runs."""
    results = []
    for _ in range(runs):
        proc = subprocess.run(
            [clangd, f"--check={path}", "--check-locations=0",
             f"--check-tidy-time={CHECKS}", "--log=info"] + extra_args,
            capture_output=True, text=True, timeout=600)
        baseline, percent = None, None
        for line in proc.stderr.splitlines():
            m = re.search(r"Baseline = (\d+) ns", line)
            if m:
                baseline = int(m.group(1))
            m = re.search(r"(fanout-[\w-]+) = (-?[\d.]+)%", line)
            if m:
                percent = (percent or 0) + float(m.group(2))
        if baseline is None or percent is None:
            print(proc.stderr[-3000:], file=sys.stderr)
            raise SystemExit(f"no timing for {path}")
        results.append((baseline, percent))
    return results


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clangd", required=True)
    parser.add_argument("--root", default=".", type=Path,
                        help="the fanout-tidy source tree")
    parser.add_argument("--runs", type=int, default=3,
                        help="clangd runs per file (each is a median of 5)")
    parser.add_argument("--stress-copies", type=int, default=40)
    parser.add_argument("--file", action="append", default=[], type=Path,
                        help="also measure this file (repeatable)")
    parser.add_argument("--compile-commands-dir",
                        help="compile_commands.json for --file")
    args = parser.parse_args()
    root = args.root.resolve()
    clangd = str(Path(args.clangd).resolve())

    work = Path(tempfile.mkdtemp(prefix="fanout-rebuild-"))
    try:
        ex = root / "examples"
        inputs = root / "test" / "checks" / "Inputs"
        mission = inline_includes((ex / "mission.cpp").read_text(), [ex])
        files = {
            "mission": mission,
            "deletecollection": inline_includes(
                (ex / "deletecollection.cpp").read_text(), [ex]),
            "negative": inline_includes(
                (root / "test/checks/fanout-stranded-producer-negative.cpp")
                .read_text(), [inputs]),
            f"stress-x{args.stress_copies}": stress(mission,
                                                    args.stress_copies),
        }
        commands = []
        for name, text in files.items():
            p = work / f"{name}.cpp"
            p.write_text(text)
            commands.append({"directory": str(work), "file": str(p),
                             "arguments": ["clang++", "-std=c++20", "-c",
                                           p.name]})
        (work / "compile_commands.json").write_text(json.dumps(commands))
        targets = [(n, work / f"{n}.cpp", []) for n in files]
        for f in args.file:
            extra = ([f"--compile-commands-dir={Path(args.compile_commands_dir).resolve()}"]
                     if args.compile_commands_dir else [])
            targets.append((f.name, f.resolve(), extra))

        print(f"{'file':22} {'lines':>6} {'AST build':>10} "
              f"{'fanout-* adds':>14} {'(median of runs)':>16}")
        for name, path, extra in targets:
            res = measure(clangd, path, args.runs, extra)
            base = statistics.median(b for b, _ in res) / 1e6
            pct = statistics.median(p for _, p in res)
            lines = len(path.read_text().splitlines())
            print(f"{name:22} {lines:6d} {base:8.1f}ms {pct:+8.1f}% "
                  f"{base * pct / 100:+6.2f}ms   runs: " +
                  ", ".join(f"{p:+.0f}%" for _, p in res), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
