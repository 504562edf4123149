#!/usr/bin/env python3
#===- score.py - The accuracy benchmark: truth by running, checks scored --===//
#
# Part of fanout-tidy. Every program in test/accuracy/programs/ is a small,
# self-contained C++20 program modelled on a real bug of the stranded-thread
# class (NAME.bug.cpp), its fixed twin (NAME.fix.cpp), or a correct program
# of the same shapes (NAME.ok.cpp). See test/accuracy/README.md.
#
# For each program this script
#   1. establishes the truth by running it: a bug program must still be
#      running at the timeout, a correct one must exit 0 (a program that does
#      not is reported as broken and fails the run);
#   2. runs the fanout checks through the stock clang-tidy with the plugin;
#   3. for a bug program the right check found: applies `clang-tidy --fix`,
#      then the fixed copy must compile, exit 0, get no fanout warning, and
#      print what the fix twin prints.
# It prints the figures per family and in total (the last line), and fails
# when a figure is below its floor in floors.json.
#
#===------------------------------------------------------------------------===#
r"""
Usage:
  score.py --load=PLUGIN [--clang-tidy=BIN] [--clangxx=BIN] [-j N]
           [--work-dir=DIR] [--floors=floors.json] [--json=OUT]
           [--truth-only] [--no-fix] [--timeout=S] [programs or globs ...]

  score.py --truth-only programs/pzstd*.cpp    only compile and run
  score.py --load=build-19/checks/fanout-tidy.so     the whole benchmark
"""

import argparse
import concurrent.futures
import fnmatch
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
INCLUDE = HERE / "include"
FAMILIES = ("stranded-producer", "stranded-consumer", "join-before-drain")
CHECK_OF_FAMILY = {f: "fanout-" + f for f in FAMILIES}
HEADER = re.compile(r"^//\s*accuracy-([a-z-]+):\s*(.*?)\s*$")
MARKER = "// accuracy: blocks"
DIAG = re.compile(r"^(?P<file>[^:\n]+):(?P<line>\d+):(?P<col>\d+): "
                  r"(?P<sev>warning|error): (?P<msg>.*?)(?: \[(?P<check>[^\]]+)\])?$")
# Link flags are for the compiler, not for clang-tidy.
LINKER_ARG = re.compile(r"^(-l|-L|-Wl,|-pthread$)")


@dataclass
class Program:
    path: Path
    name: str          # NAME
    kind: str          # bug, fix, ok
    family: str
    origin: str = ""
    shape: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)
    blocking_lines: list = field(default_factory=list)

    @property
    def is_bug(self):
        return self.kind == "bug"


@dataclass
class Result:
    program: Program
    truth: str = ""          # hangs, exits, broken: ...
    warnings: list = field(default_factory=list)  # (line, check, message)
    tidy_error: str = ""
    fix: str = ""            # fixed, or why not
    fix_detail: str = ""

    @property
    def found(self):
        want = CHECK_OF_FAMILY[self.program.family]
        return any(check == want for _, check, _ in self.warnings)

    @property
    def located(self):
        want = CHECK_OF_FAMILY[self.program.family]
        return any(check == want and line in self.program.blocking_lines
                   for line, check, _ in self.warnings)

    @property
    def fanout_warnings(self):
        return [w for w in self.warnings if w[1].startswith("fanout-")]


def parse_program(path):
    name = path.name
    m = re.match(r"^(?P<name>.+)\.(?P<kind>bug|fix|ok)\.cpp$", name)
    if not m:
        raise SystemExit("%s: not NAME.bug.cpp, NAME.fix.cpp or NAME.ok.cpp"
                         % path)
    meta = {}
    lines = path.read_text().splitlines()
    for text in lines[:40]:
        h = HEADER.match(text)
        if h:
            meta.setdefault(h.group(1), []).append(h.group(2))
    family = " ".join(meta.get("family", [])).strip()
    if family not in FAMILIES:
        raise SystemExit("%s: 'accuracy-family:' must be one of %s"
                         % (path, ", ".join(FAMILIES)))
    shape = {}
    for entry in " ".join(meta.get("shape", [])).split():
        key, _, value = entry.partition("=")
        shape[key] = value
    program = Program(path=path, name=m.group("name"), kind=m.group("kind"),
                      family=family, origin=" ".join(meta.get("origin", [])),
                      shape=shape,
                      flags=" ".join(meta.get("flags", [])).split())
    program.blocking_lines = [i + 1 for i, t in enumerate(lines)
                              if MARKER in t]
    if program.is_bug and not program.blocking_lines:
        raise SystemExit("%s: a bug program marks its blocking call with '%s'"
                         % (path, MARKER))
    return program


def discover(patterns):
    paths = sorted(PROGRAMS.glob("*.cpp"))
    if patterns:
        chosen = []
        for p in paths:
            if any(fnmatch.fnmatch(p.name, pat) or
                   fnmatch.fnmatch(str(p), pat) or
                   Path(pat).resolve() == p.resolve() for pat in patterns):
                chosen.append(p)
        paths = chosen
    return [parse_program(p) for p in paths]


def run(args, timeout, **kwargs):
    """(exit code or 'timeout', output). A timed-out process group is
    killed: a hung program's threads must not outlive the benchmark."""
    proc = subprocess.Popen(args, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True,
                            **kwargs)
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out.decode("utf-8", errors="replace")
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return "timeout", out.decode("utf-8", errors="replace")


class Scorer:
    def __init__(self, opts):
        self.opts = opts
        self.work = Path(opts.work_dir)
        self.work.mkdir(parents=True, exist_ok=True)

    def compile_flags(self, program):
        return ["-std=c++20", "-I" + str(INCLUDE)] + [
            f for f in program.flags if not LINKER_ARG.match(f)]

    def compile(self, source, binary, program):
        args = [self.opts.clangxx, "-std=c++20", "-O1", "-g0", "-pthread",
                "-I" + str(INCLUDE), "-w", str(source), "-o", str(binary)]
        args += program.flags
        code, out = run(args, timeout=300)
        return code == 0, out

    def execute(self, binary):
        """'hangs', or ('exits', code, stdout)."""
        code, out = run([str(binary)], timeout=self.opts.timeout)
        if code == "timeout":
            return "hangs", None, out
        return "exits", code, out

    def tidy(self, source, program, fix=False):
        args = [self.opts.clang_tidy, "--load=" + self.opts.load,
                "-checks=-*,fanout-*", "-config={}", "--header-filter=",
                "--quiet"]
        if fix:
            args.append("--fix")
        args += [str(source), "--"] + self.compile_flags(program)
        code, out = run(args, timeout=300)
        warnings = []
        for line in out.splitlines():
            m = DIAG.match(line)
            if not m or m.group("sev") != "warning":
                continue
            if Path(m.group("file")).resolve() != Path(source).resolve():
                continue
            warnings.append((int(m.group("line")), m.group("check") or "",
                             m.group("msg")))
        error = ""
        if code == "timeout":
            error = "clang-tidy timed out"
        elif isinstance(code, int) and code >= 128 or (
                isinstance(code, int) and code < 0):
            error = "clang-tidy crashed (exit %s)" % code
        elif any(": error: " in l for l in out.splitlines()):
            error = "clang-tidy reported errors:\n" + out
        return warnings, error

    def score(self, program, twin_output):
        result = Result(program)
        tmp = self.work / program.path.stem
        tmp.mkdir(parents=True, exist_ok=True)
        binary = tmp / "a.out"
        ok, out = self.compile(program.path, binary, program)
        if not ok:
            result.truth = "broken: does not compile\n" + out
            return result
        state, code, out = self.execute(binary)
        if program.is_bug:
            result.truth = "hangs" if state == "hangs" else (
                "broken: a bug program must hang, but it exited with %s" % code)
        else:
            result.truth = "exits" if state == "exits" and code == 0 else (
                "broken: a correct program must exit 0, but it %s" %
                ("hangs" if state == "hangs" else "exited with %s" % code))
        if self.opts.truth_only or result.truth.startswith("broken"):
            return result
        result.warnings, result.tidy_error = self.tidy(program.path, program)
        if self.opts.no_fix or not program.is_bug or not result.found:
            return result
        # The fix: a copy, `clang-tidy --fix`, then the same truth as the twin.
        fixed = tmp / program.path.name
        shutil.copy(program.path, fixed)
        self.tidy(fixed, program, fix=True)
        if fixed.read_text() == program.path.read_text():
            result.fix = "no fix-it"
            return result
        ok, out = self.compile(fixed, tmp / "fixed.out", program)
        if not ok:
            result.fix, result.fix_detail = "fixed program does not compile", out
            return result
        state, code, out = self.execute(tmp / "fixed.out")
        if state == "hangs":
            result.fix = "fixed program still hangs"
            return result
        if code != 0:
            result.fix, result.fix_detail = "fixed program exits %s" % code, out
            return result
        again, _ = self.tidy(fixed, program)
        again = [w for w in again if w[1].startswith("fanout-")]
        if again:
            result.fix = "fixed program still warned"
            result.fix_detail = "\n".join("%d: %s [%s]" % (l, m, c)
                                          for l, c, m in again)
            return result
        if twin_output is not None and out != twin_output:
            result.fix = "fixed program prints another result than its twin"
            result.fix_detail = "fixed:\n%s\ntwin:\n%s" % (out, twin_output)
            return result
        result.fix = "fixed"
        return result


def twin_outputs(scorer, programs, jobs):
    """What each fix twin prints (the fixed bug program must print it too)."""
    twins = {p.name: p for p in programs if p.kind == "fix"}
    outputs = {}

    def one(p):
        tmp = scorer.work / (p.path.stem + ".twin")
        tmp.mkdir(parents=True, exist_ok=True)
        ok, _ = scorer.compile(p.path, tmp / "a.out", p)
        if not ok:
            return p.name, None
        state, code, out = scorer.execute(tmp / "a.out")
        return p.name, out if state == "exits" and code == 0 else None

    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        for name, out in pool.map(one, twins.values()):
            outputs[name] = out
    return outputs


def ratio(n, d):
    return "%d/%d (%s)" % (n, d, ("%.0f%%" % (100.0 * n / d)) if d else "-")


def figures(results):
    bugs = [r for r in results if r.program.is_bug]
    correct = [r for r in results if not r.program.is_bug]
    found = [r for r in bugs if r.found]
    false_pos = [r for r in correct if r.fanout_warnings]
    return {
        "bugs": len(bugs),
        "found": len(found),
        "located": sum(1 for r in found if r.located),
        "fixed": sum(1 for r in found if r.fix == "fixed"),
        "correct": len(correct),
        "clean": len(correct) - len(false_pos),
        "false_positives": len(false_pos),
        "sibling_warnings": sum(
            1 for r in bugs
            if any(c != CHECK_OF_FAMILY[r.program.family]
                   for _, c, _ in r.fanout_warnings)),
    }


def fraction(f, key):
    denominators = {"recall": ("found", "bugs"),
                    "precision": ("found", None),
                    "clean": ("clean", "correct"),
                    "located": ("located", "found"),
                    "fix_rate": ("fixed", "found")}
    num, den = denominators[key]
    if key == "precision":
        d = f["found"] + f["false_positives"]
        return f["found"] / d if d else 1.0
    return f[num] / f[den] if f[den] else 1.0


def report(results, out):
    rows = []
    for family in FAMILIES:
        rs = [r for r in results if r.program.family == family]
        if rs:
            rows.append((family, figures(rs)))
    total = figures(results)
    w = max([len(r[0]) for r in rows] + [5])

    def line(label, f):
        prec_den = f["found"] + f["false_positives"]
        return ("%-*s  recall %-14s precision %-14s clean %-14s located %-14s"
                " fixed %-14s sibling-warnings %d" %
                (w, label, ratio(f["found"], f["bugs"]),
                 ratio(f["found"], prec_den), ratio(f["clean"], f["correct"]),
                 ratio(f["located"], f["found"]), ratio(f["fixed"], f["found"]),
                 f["sibling_warnings"]))

    for family, f in rows:
        print(line(family, f), file=out)
    print(line("TOTAL", total), file=out)
    return total


def details(results, out):
    for r in results:
        p = r.program
        want = CHECK_OF_FAMILY[p.family]
        if p.is_bug:
            status = "found" if r.found else "MISSED"
            if r.found and not r.located:
                status += " (not at the blocking call)"
            if r.found:
                status += ", fix: " + (r.fix or "not tried")
        else:
            status = "clean" if not r.fanout_warnings else "FALSE POSITIVE"
        extra = [w for w in r.fanout_warnings if w[1] != want] if p.is_bug \
            else r.fanout_warnings
        print("  %-48s %s" % (p.path.name, status), file=out)
        for l, c, m in extra:
            print("      %s:%d: %s [%s]" % (p.path.name, l, m[:110], c),
                  file=out)
        if r.tidy_error:
            print("      " + r.tidy_error.splitlines()[0], file=out)
        if r.fix_detail and r.fix != "fixed":
            for l in r.fix_detail.splitlines()[:6]:
                print("      | " + l, file=out)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", help="the fanout-tidy plugin")
    parser.add_argument("--clang-tidy", default="clang-tidy-19")
    parser.add_argument("--clangxx", default="clang++-19")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--work-dir", default=None)
    parser.add_argument("--floors", default=str(HERE / "floors.json"))
    parser.add_argument("--no-floors", action="store_true",
                        help="report only; do not fail on the floors")
    parser.add_argument("--json", help="write every result here")
    parser.add_argument("--truth-only", action="store_true",
                        help="only compile and run the programs")
    parser.add_argument("--no-fix", action="store_true")
    parser.add_argument("--timeout", type=float, default=4.0,
                        help="seconds a program may run (a bug must outlast it)")
    parser.add_argument("--quiet", action="store_true",
                        help="no per-program lines")
    parser.add_argument("programs", nargs="*")
    opts = parser.parse_args()
    if not opts.truth_only and not opts.load:
        parser.error("--load=PLUGIN is needed unless --truth-only")
    if opts.work_dir is None:
        opts.work_dir = tempfile.mkdtemp(prefix="fanout-accuracy-")
    programs = discover(opts.programs)
    if not programs:
        parser.error("no programs")
    scorer = Scorer(opts)
    twins = {} if opts.truth_only else twin_outputs(scorer, programs,
                                                     opts.jobs)
    with concurrent.futures.ThreadPoolExecutor(opts.jobs) as pool:
        results = list(pool.map(
            lambda p: scorer.score(p, twins.get(p.name)), programs))

    broken = [r for r in results if r.truth.startswith("broken")]
    for r in broken:
        print("BROKEN %s: %s" % (r.program.path.name, r.truth[:2000]))
    crashed = [r for r in results if r.tidy_error]
    if opts.truth_only:
        print("%d programs: %d behave as labelled, %d broken" %
              (len(results), len(results) - len(broken), len(broken)))
        return 1 if broken else 0
    if not opts.quiet:
        details(results, sys.stdout)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump([{
                "program": r.program.path.name, "kind": r.program.kind,
                "family": r.program.family, "shape": r.program.shape,
                "truth": r.truth, "warnings": r.warnings,
                "found": r.found if r.program.is_bug else None,
                "located": r.located if r.program.is_bug else None,
                "fix": r.fix, "tidy_error": r.tidy_error,
            } for r in results], f, indent=1)
    # The floors first, so that the totals are the last line.
    total = figures(results)
    failed = bool(broken) or bool(crashed)
    for r in crashed:
        print("CRASHED %s: %s" % (r.program.path.name,
                                  r.tidy_error.splitlines()[0]))
    if not opts.no_floors and os.path.exists(opts.floors):
        floors = json.load(open(opts.floors))
        for key, floor in floors.items():
            if key.startswith("_"):
                continue
            value = fraction(total, key)
            if value + 1e-9 < floor:
                print("FLOOR %s: %.3f is below the floor %.3f (%s)" %
                      (key, value, floor, opts.floors))
                failed = True
    report(results, sys.stdout)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
