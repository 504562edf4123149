#!/usr/bin/env python3
#===- check_clang_tidy.py - Run a check and verify its output -------------===#
#
# Part of fanout-tidy. Same contract as upstream's clang-tidy test helper:
# run one check with -fix on a copy of the test, then FileCheck the
# diagnostics and the fixed file against the CHECK-* lines of the test.
#
#===------------------------------------------------------------------------===#
r"""
Usage:
  check_clang_tidy.py [-check-suffix=S | -check-suffixes=S1,S2] [-std=STD]
      [--load=PLUGIN ...] [--clang-tidy=BIN] [--filecheck=BIN]
      [-expect-clang-tidy-error] [--timeout=SECONDS]
      <input.cpp> <check-name> <temp-file-prefix>
      [-- <extra clang-tidy args> [-- <compiler args>]]

In a lit test:
  // RUN: %check_clang_tidy %s fanout-stranded-producer %t -- \
  // RUN:   -config="{CheckOptions: {fanout-stranded-producer.X: 'y'}}" \
  // RUN:   -- -isystem %S/Inputs

What is checked, with prefixes CHECK-{MESSAGES,NOTES,FIXES}[-SUFFIX]:
  CHECK-MESSAGES  the warnings and errors; any other warning or error fails.
                  Notes are not checked.
  CHECK-NOTES     warnings, errors and notes; any other one fails.
  CHECK-FIXES     the file after -fix (with the CHECK comments blanked).
  none of these   a negative test: clang-tidy must report no warning or error.

The copy handed to clang-tidy has every `// CHECK-*:` comment replaced by
`//`: line numbers stay the same, and source lines echoed under diagnostics
cannot match the patterns they contain.

Unless the test passes its own, the runner adds -config={} (so no .clang-tidy
of the build tree leaks in) and --header-filter= (only the main file is
reported, as clang-tidy 19 does by default and 22 does not).
"""

import argparse
import difflib
import os
import re
import shutil
import subprocess
import sys

DEFAULT_TIMEOUT = 120
CHECK_KINDS = ("FIXES", "MESSAGES", "NOTES")
CHECK_COMMENT = re.compile(r"// *CHECK-[A-Z0-9_-]*:[^\r\n]*")
# For -std=X-or-later: X and every later standard in this list.
STANDARDS = ["c++11", "c++14", "c++17", "c++20", "c++23"]


# Reports of a FANOUT_SANITIZE=ON plugin: a failure even where clang-tidy is
# expected to fail (-expect-clang-tidy-error).
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "SUMMARY: UndefinedBehaviorSanitizer", " runtime error: ")


class TestFailure(Exception):
    pass


def fail(message):
    raise TestFailure(message)


def run(args, timeout, expect_success=True, **kwargs):
    """Runs a command with a timeout; returns (exit code, merged output)."""
    print("Running: " + " ".join(quote(a) for a in args), flush=True)
    try:
        proc = subprocess.run(args, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, timeout=timeout,
                              **kwargs)
    except subprocess.TimeoutExpired:
        fail("timed out after %ss: %s" % (timeout, args[0]))
    except OSError as e:
        fail("cannot run %s: %s" % (args[0], e))
    output = proc.stdout.decode("utf-8", errors="replace")
    if any(marker in output for marker in SANITIZER_MARKERS):
        print(output)
        fail("%s: sanitizer report (FANOUT_SANITIZE build)"
             % os.path.basename(args[0]))
    if expect_success and proc.returncode != 0:
        print(output)
        fail("%s exited with %d" % (os.path.basename(args[0]),
                                    proc.returncode))
    return proc.returncode, output


def quote(arg):
    return arg if re.fullmatch(r"[\w@%+=:,./-]+", arg) else repr(arg)


def split_at_dashes(argv):
    """Splits argv at the first two '--' into three lists."""
    parts, current = [], []
    for arg in argv:
        if arg == "--" and len(parts) < 2:
            parts.append(current)
            current = []
        else:
            current.append(arg)
    parts.append(current)
    while len(parts) < 3:
        parts.append([])
    return parts


def expand_standards(spec):
    result = []
    for std in spec.split(","):
        if std.endswith("-or-later"):
            base = std[: -len("-or-later")]
            if base not in STANDARDS:
                fail("unknown standard in -std=%s" % std)
            result += STANDARDS[STANDARDS.index(base):]
        else:
            result.append(std)
    return result


def parse_args(argv):
    runner_args, tidy_args, compiler_args = split_at_dashes(argv)
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-check-suffix", "-check-suffixes", "--check-suffix",
                        "--check-suffixes", dest="suffixes", default=[""],
                        type=lambda s: s.split(","),
                        help="comma-separated FileCheck prefix suffixes")
    parser.add_argument("-std", "--std", default="c++20",
                        help="standards to test, comma-separated; "
                        "'c++17-or-later' expands (default: c++20)")
    parser.add_argument("-load", "--load", action="append", default=[],
                        help="clang-tidy plugin to load (repeatable)")
    parser.add_argument("-clang-tidy", "--clang-tidy", default="clang-tidy")
    parser.add_argument("-filecheck", "--filecheck", default="FileCheck")
    parser.add_argument("-expect-clang-tidy-error",
                        "--expect-clang-tidy-error", action="store_true",
                        help="clang-tidy must fail (a compile error is "
                        "expected and checked with CHECK-MESSAGES)")
    parser.add_argument("-timeout", "--timeout", type=int,
                        default=DEFAULT_TIMEOUT,
                        help="seconds for each subprocess "
                        "(default: %(default)s)")
    parser.add_argument("input_file")
    parser.add_argument("check_name")
    parser.add_argument("temp_file")
    args = parser.parse_args(runner_args)
    for suffix in args.suffixes:
        if suffix and not re.fullmatch(r"[A-Za-z0-9_-]+", suffix):
            parser.error("invalid check suffix '%s'" % suffix)
    args.tidy_args = tidy_args
    args.compiler_args = compiler_args
    return args


class Runner:
    def __init__(self, args):
        self.args = args
        with open(args.input_file, encoding="utf-8") as f:
            self.input_text = f.read()
        ext = os.path.splitext(args.input_file)[1] or ".cpp"
        self.temp_file = args.temp_file + ext
        # The prefixes the test actually uses, per kind.
        self.prefixes = {kind: [] for kind in CHECK_KINDS}
        # A suffix without lines makes a negative test, which also catches a
        # misspelt suffix: the warnings it was meant to check fail it.
        for suffix in args.suffixes:
            for kind in CHECK_KINDS:
                prefix = "CHECK-" + kind + ("-" + suffix if suffix else "")
                directive = r"(-NOT|-NEXT|-SAME|-DAG|-LABEL|-EMPTY)?:"
                if re.search(re.escape(prefix) + directive, self.input_text):
                    self.prefixes[kind].append(prefix)
        if self.prefixes["MESSAGES"] and self.prefixes["NOTES"]:
            fail("use either CHECK-MESSAGES or CHECK-NOTES, not both")

    def is_negative(self):
        return not any(self.prefixes.values())

    def clang_tidy_command(self, std):
        args = self.args
        cmd = [args.clang_tidy]
        cmd += ["--load=" + p for p in args.load]
        cmd += [self.temp_file, "-fix", "--checks=-*," + args.check_name]
        tidy_args = list(args.tidy_args)
        if not any(re.match(r"--?config(-file)?=", a) for a in tidy_args):
            tidy_args.append("-config={}")
        if not any(re.match(r"--?header-filter", a) for a in tidy_args):
            tidy_args.append("--header-filter=")
        cmd += tidy_args + ["--"]
        compiler_args = list(args.compiler_args)
        if not any(a.startswith("-std=") for a in compiler_args):
            compiler_args.insert(0, "-std=" + std)
        return cmd + compiler_args

    def run_once(self, std):
        timeout = self.args.timeout
        cleaned = CHECK_COMMENT.sub("//", self.input_text)
        os.makedirs(os.path.dirname(os.path.abspath(self.temp_file)),
                    exist_ok=True)
        with open(self.temp_file, "w", encoding="utf-8") as f:
            f.write(cleaned)
        shutil.copyfile(self.temp_file, self.temp_file + ".orig")

        code, output = run(self.clang_tidy_command(std), timeout,
                           expect_success=False)
        print("-" * 24 + " clang-tidy output " + "-" * 23)
        print(output.rstrip())
        if self.args.expect_clang_tidy_error:
            if code == 0:
                fail("clang-tidy was expected to fail but exited with 0")
        elif code != 0:
            fail("clang-tidy exited with %d" % code)

        with open(self.temp_file, encoding="utf-8") as f:
            fixed = f.read()
        diff = list(difflib.unified_diff(
            cleaned.splitlines(keepends=True), fixed.splitlines(keepends=True),
            self.temp_file + ".orig", self.temp_file))
        print("-" * 30 + " Fixes " + "-" * 29)
        print("".join(diff).rstrip())
        print("-" * 66)

        if self.is_negative():
            self.check_no_diagnostics(output)
            return
        # The diagnostics first: they tell more than a fix that is missing.
        self.check_messages(output)
        self.check_notes(output)
        self.check_fixes()

    def filecheck(self, input_file, prefixes, extra):
        code, output = run(
            [self.args.filecheck, "-input-file=" + input_file,
             self.args.input_file, "-check-prefixes=" + ",".join(prefixes)]
            + extra, self.args.timeout, expect_success=False)
        if code != 0:
            print(output.rstrip())
            fail("%s: FileCheck exited with %d" % (",".join(prefixes), code))

    def check_fixes(self):
        if self.prefixes["FIXES"]:
            self.filecheck(self.temp_file, self.prefixes["FIXES"],
                           ["-strict-whitespace"])

    def check_messages(self, output):
        if not self.prefixes["MESSAGES"]:
            return
        messages_file = self.temp_file + ".msg"
        with open(messages_file, "w", encoding="utf-8") as f:
            f.write(output)
        # Notes may be there; only an unexpected warning or error fails.
        self.filecheck(messages_file, self.prefixes["MESSAGES"],
                       ["--allow-empty",
                        "-implicit-check-not={{warning|error}}:"])

    def check_notes(self, output):
        if not self.prefixes["NOTES"]:
            return
        notes_file = self.temp_file + ".notes"
        # -fix adds a note of its own to every fixed diagnostic.
        kept = [line for line in output.splitlines()
                if "note: FIX-IT applied suggested code changes" not in line]
        with open(notes_file, "w", encoding="utf-8") as f:
            f.write("\n".join(kept) + "\n")
        self.filecheck(notes_file, self.prefixes["NOTES"],
                       ["--allow-empty",
                        "-implicit-check-not={{note|warning|error}}:"])

    def check_no_diagnostics(self, output):
        # Echoed source lines start with a line number or '|'; diagnostics
        # start with a location.
        kinds = ("warning" if self.args.expect_clang_tidy_error
                 else "warning|error")
        found = [line for line in output.splitlines()
                 if re.match(r"\S.*?:\d+:\d+: (%s): " % kinds, line)]
        if found:
            fail("negative test (no CHECK-MESSAGES, CHECK-NOTES or "
                 "CHECK-FIXES), but clang-tidy reported:\n  "
                 + "\n  ".join(found))

    def run(self):
        standards = expand_standards(self.args.std)
        # A -std among the compiler arguments wins: run once, with it.
        given = [a for a in self.args.compiler_args if a.startswith("-std=")]
        if given:
            standards = [given[-1][len("-std="):]]
        for std in standards:
            print("=== %s with -std=%s" % (self.args.input_file, std))
            self.run_once(std)


def main(argv):
    try:
        args = parse_args(argv)
        Runner(args).run()
    except TestFailure as e:
        sys.stdout.flush()  # Keep the order when both go to one pipe.
        print("check_clang_tidy.py: FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
