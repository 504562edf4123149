#!/usr/bin/env python3
#===- truncate_inputs.py - No crash or hang on half-typed code ------------===//
#
# Part of fanout-tidy. An editor runs the checks on every keystroke, so they
# see code cut off anywhere. This driver cuts each test input off at several
# points (or deletes random tokens), runs clang-tidy with the plugin on each
# piece, and fails on a crash or a hang. Compile errors are expected and fine.
#
#===------------------------------------------------------------------------===#
r"""
Inputs: the files given, or test/checks/*.cpp, test/run/*.cpp and
examples/*.cpp under --root. Flags come from the first RUN line of a file
that runs the plugin (-config=..., and the compiler arguments after the
second '--'), plus -std=c++20 and -I <the file's directory>.

Modes:
  default        ~8 cuts per file, evenly spaced, half of them mid-line
  --exhaustive   a cut after every line
  --mutate N     also N mutants per file, each missing 1-3 random tokens
                 (seeded: the same mutants every run)

Exit code 1 if any run crashed or timed out; a reproducer of each failure is
kept under the work directory.
"""

import argparse
import concurrent.futures
import glob
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

CRASH_MARKERS = ("PLEASE submit a bug report", "Stack dump:",
                 # a FANOUT_SANITIZE=ON plugin's reports
                 "ERROR: AddressSanitizer", "SUMMARY: UndefinedBehaviorSanitizer",
                 " runtime error: ")
LINKER_ARG = re.compile(r"-l|-L|-Wl,|-fuse-ld=")
TOKEN = re.compile(r"[A-Za-z_]\w*|\d\w*|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'"
                   r"|::|->|&&|\|\||<<|>>|[^\s\w]")


def default_inputs(root):
    files = []
    for pattern in ("test/checks/*.cpp", "test/run/*.cpp", "examples/*.cpp"):
        files += sorted(glob.glob(os.path.join(root, pattern)))
    return files


def run_lines(text):
    """The RUN lines of a test, continuations joined."""
    lines, current = [], ""
    for line in text.splitlines():
        m = re.search(r"RUN:(.*)$", line)
        if not m:
            continue
        part = m.group(1).strip()
        if part.endswith("\\"):
            current += part[:-1] + " "
            continue
        lines.append(current + part)
        current = ""
    return lines


def flags_for(path, text, root):
    """(clang-tidy args, compiler args) for one input, from its RUN line."""
    directory = os.path.dirname(os.path.abspath(path))
    tidy_args, compiler_args = [], []
    for line in run_lines(text):
        if not re.search(r"%check_clang_tidy\b|%run_fix_test\b", line):
            continue
        for key, value in (("%S", directory), ("%p", directory),
                           ("%s", path), ("%{examples}",
                                          os.path.join(root, "examples"))):
            line = line.replace(key, value)
        try:
            tokens = shlex.split(line)
        except ValueError:
            continue
        dashes = [i for i, t in enumerate(tokens) if t == "--"]
        if dashes:
            end = dashes[1] if len(dashes) > 1 else len(tokens)
            tidy_args = [t for t in tokens[dashes[0] + 1:end]
                         if re.match(r"--?config=", t)]
        if len(dashes) > 1:
            compiler_args = [t for t in tokens[dashes[1] + 1:]
                             if not LINKER_ARG.match(t) and t != "|"]
        break
    if not any(a.startswith("-std=") for a in compiler_args):
        compiler_args.insert(0, "-std=c++20")
    return tidy_args, compiler_args + ["-I", directory]


def cut_points(text, exhaustive, count):
    """Offsets at which to cut text off, with a short tag for each."""
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    lines = len(starts)
    if exhaustive:
        return [(starts[i], "L%d" % i) for i in range(1, lines)]
    cuts = []
    for i in range(1, count + 1):
        line = max(1, min(lines - 1, round(lines * i / (count + 1))))
        offset = starts[line]
        tag = "L%d" % line
        if i % 2 and line + 1 < lines:
            # Mid-line: a half-typed statement, not only a missing tail.
            offset += (starts[line + 1] - starts[line]) // 2
            tag += "m"
        cuts.append((offset, tag))
    return sorted(set(cuts))


def mutants(text, path, count, seed):
    rng = random.Random("%s:%s" % (seed, os.path.basename(path)))
    tokens = list(TOKEN.finditer(text))
    result = []
    for n in range(count if tokens else 0):
        doomed = sorted(rng.sample(tokens, min(len(tokens), rng.randint(1, 3))),
                        key=lambda m: m.start())
        pieces, last = [], 0
        for m in doomed:
            pieces.append(text[last:m.start()])
            last = m.end()
        pieces.append(text[last:])
        result.append(("".join(pieces), "mut%d" % n))
    return result


class Job:
    def __init__(self, source, variant, tag, tidy_args, compiler_args):
        self.source = source
        self.variant = variant
        self.tag = tag
        self.tidy_args = tidy_args
        self.compiler_args = compiler_args


def run_job(job, args, work_dir):
    stem, ext = os.path.splitext(os.path.basename(job.source))
    name = "%s.%s%s" % (stem, job.tag, ext)
    path = os.path.join(work_dir, name)
    with open(path, "w", encoding="utf-8") as f:
        f.write(job.variant)
    cmd = [args.clang_tidy] + ["--load=" + p for p in args.load]
    # -config={} unless the test has its own: no .clang-tidy leaks in.
    cmd += [path, "--checks=" + args.checks] + (job.tidy_args or ["-config={}"])
    cmd += ["--"] + job.compiler_args
    problem = None
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=args.timeout)
        output = proc.stdout.decode("utf-8", errors="replace")
        if proc.returncode < 0:
            problem = "crashed (signal %d)" % -proc.returncode
        elif any(marker in output for marker in CRASH_MARKERS):
            problem = "crashed (exit %d)" % proc.returncode
    except subprocess.TimeoutExpired:
        output = ""
        problem = "timed out after %ss" % args.timeout
    if problem is None:
        os.remove(path)
        return None
    # Keep the reproducer and the tail of the crash report.
    tail = "\n".join(output.splitlines()[-25:])
    return "%s: %s\n  reproduce: %s\n%s" % (
        name, problem, " ".join(shlex.quote(c) for c in cmd),
        "\n".join("  | " + line for line in tail.splitlines()))


def main(argv):
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", help="inputs (default: see above)")
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), help="the source tree")
    parser.add_argument("--load", action="append", default=[],
                        help="clang-tidy plugin to load (repeatable)")
    parser.add_argument("--clang-tidy", default="clang-tidy")
    parser.add_argument("--checks", default="-*,fanout-*")
    parser.add_argument("--cuts", type=int, default=8,
                        help="cuts per file when sampling (default: 8)")
    parser.add_argument("--exhaustive", action="store_true",
                        help="cut after every line")
    parser.add_argument("--mutate", type=int, default=0, metavar="N",
                        help="also N mutants per file with tokens deleted")
    parser.add_argument("--seed", default="0")
    parser.add_argument("--timeout", type=int, default=60,
                        help="seconds per clang-tidy run (default: 60)")
    parser.add_argument("-j", "--jobs", type=int,
                        default=min(2, os.cpu_count() or 1))
    parser.add_argument("--work-dir", help="where pieces and reproducers go "
                        "(default: a new temporary directory)")
    args = parser.parse_args(argv)

    files = args.files or default_inputs(args.root)
    if not files:
        print("truncate_inputs.py: no inputs found under %s" % args.root)
        return 1
    work_dir = args.work_dir or tempfile.mkdtemp(prefix="fanout-truncate-")
    if os.path.isdir(work_dir):
        shutil.rmtree(work_dir)
    os.makedirs(work_dir)

    jobs = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        tidy_args, compiler_args = flags_for(path, text, args.root)
        variants = [(text[:offset], tag) for offset, tag in
                    cut_points(text, args.exhaustive, args.cuts)]
        variants += mutants(text, path, args.mutate, args.seed)
        jobs += [Job(path, v, tag, tidy_args, compiler_args)
                 for v, tag in variants]

    print("truncate_inputs.py: %d runs over %d inputs, %d at a time, in %s"
          % (len(jobs), len(files), args.jobs, work_dir), flush=True)
    failures = []
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = [pool.submit(run_job, job, args, work_dir) for job in jobs]
        for future in concurrent.futures.as_completed(futures):
            failure = future.result()
            if failure:
                failures.append(failure)
                print("FAIL: " + failure, flush=True)

    crashes = sum(1 for f in failures if ": crashed" in f)
    print("truncation: %d runs, %d passed, %d crashed, %d timed out"
          % (len(jobs), len(jobs) - len(failures), crashes,
             len(failures) - crashes))
    if not failures and not args.work_dir:
        shutil.rmtree(work_dir)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
