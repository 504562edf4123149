#!/usr/bin/env python3
#===- run_fix_test.py - A hang that clang-tidy --fix cures ----------------===//
#
# Part of fanout-tidy. Proves a fix on a real program, not only on text:
#   1. compile the program as is;
#   2. run it: it must still be running at the timeout (the hang);
#   3. clang-tidy --fix with the plugin: it must warn and change the file;
#   4. compile and run the fixed copy: it must exit 0 within the timeout;
#   5. clang-tidy on the fixed copy: no warning left (the fix is complete);
#   6. if the input has CHECK-FIXES lines, FileCheck the fixed copy.
#
#===------------------------------------------------------------------------===#
r"""
Usage:
  run_fix_test.py [--load=PLUGIN] [--clang-tidy=BIN] [--clangxx=BIN]
      [--filecheck=BIN] [--checks=GLOBS] [--fix-notes] [--run-timeout=S]
      <input.cpp> <temp-file-prefix>
      [-- <extra clang-tidy args> [-- <compiler and linker args>]]

In a lit test:
  // RUN: %run_fix_test %s %t -- -- -lboost_thread

The program is built with -std=c++20 -pthread (unless the arguments name a
-std) and the arguments after the second '--'; linker arguments (-l, -L,
-Wl,) are not passed to clang-tidy. The directory of the input is copied
next to the temporary file, so `#include "local.h"` works and a fix that
lands in such a header never touches the source tree.
"""

import argparse
import difflib
import os
import re
import shutil
import signal
import subprocess
import sys

# Share the runner's helpers, without leaving a __pycache__ in the sources.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_clang_tidy import (CHECK_COMMENT, TestFailure, fail, run,  # noqa
                              split_at_dashes)

SOURCE_SUFFIXES = (".h", ".hh", ".hpp", ".hxx", ".inc", ".ipp", ".c", ".cc",
                   ".cpp", ".cxx")
LINKER_ARG = re.compile(r"-l|-L|-Wl,|-fuse-ld=")
# Options that make clang-tidy rewrite files: the final, read-only run must
# not get them from the test's arguments.
FIX_ARG = re.compile(r"--?fix(-errors|-notes)?$")


def stage(number, text):
    print("\n[run-fix-test] %d/6 %s" % (number, text), flush=True)


def ok(text):
    print("[run-fix-test]     ok: %s" % text, flush=True)


def run_program(exe, timeout):
    """Runs exe; returns its exit code, or None if it is still running at
    the timeout (then it is killed with its whole process group)."""
    print("Running: %s (timeout %ss)" % (exe, timeout), flush=True)
    proc = subprocess.Popen([exe], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=timeout)
        code = proc.returncode
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        code = None
    text = output.decode("utf-8", errors="replace").rstrip()
    if text:
        lines = text.splitlines()
        print("program output%s:" % (" (last 20 lines)" if len(lines) > 20
                                     else ""))
        print("\n".join("  | " + line for line in lines[-20:]))
    return code


def copy_sources(src_dir, dst_dir):
    """Copies the sources and headers under src_dir (lit's Output trees
    excluded) to dst_dir."""
    if os.path.exists(dst_dir):
        shutil.rmtree(dst_dir)

    def ignore(directory, names):
        return [n for n in names
                if n == "Output" or n.startswith(".")
                or (os.path.isfile(os.path.join(directory, n))
                    and not n.endswith(SOURCE_SUFFIXES))]

    shutil.copytree(src_dir, dst_dir, ignore=ignore)


def fanout_warnings(output):
    return [line for line in output.splitlines()
            if re.match(r"\S.*?:\d+:\d+: warning: .*\[fanout-[\w-]+\]$", line)]


def errors(output):
    return [line for line in output.splitlines()
            if re.match(r"\S.*?:\d+:\d+: error: ", line)]


class RunFixTest:
    def __init__(self, args):
        self.args = args
        prefix = os.path.abspath(args.temp_file)
        self.work_dir = prefix + ".d"
        self.input_name = os.path.basename(args.input_file)
        self.fixed_file = os.path.join(self.work_dir, self.input_name)
        self.original_exe = prefix + ".original"
        self.fixed_exe = prefix + ".fixed"
        compiler_args = list(args.compiler_args)
        if not any(a.startswith("-std=") for a in compiler_args):
            compiler_args.insert(0, "-std=c++20")
        self.compile_args = ["-pthread"] + compiler_args
        self.tidy_compile_args = [a for a in self.compile_args
                                  if not LINKER_ARG.match(a)]

    def compile(self, source, exe):
        # Linker arguments go after the source, where the linker needs them.
        run([self.args.clangxx, "-O1", "-g", source, "-o", exe]
            + self.compile_args, self.args.timeout)

    def clang_tidy(self, fix):
        args = self.args
        tidy_args = [a for a in args.tidy_args if not FIX_ARG.match(a)]
        if not any(re.match(r"--?config(-file)?=", a) for a in tidy_args):
            tidy_args.append("-config={}")
        if not any(re.match(r"--?header-filter", a) for a in tidy_args):
            tidy_args.append("--header-filter=")
        cmd = [args.clang_tidy] + ["--load=" + p for p in args.load]
        cmd += [self.fixed_file, "--checks=" + args.checks]
        if fix:
            cmd += ["--fix"] + (["--fix-notes"] if args.fix_notes else [])
        cmd += tidy_args + ["--"] + self.tidy_compile_args
        code, output = run(cmd, args.timeout, expect_success=False)
        print(output.rstrip())
        if code != 0 or errors(output):
            fail("clang-tidy exited with %d or reported errors" % code)
        return output

    def run(self):
        args = self.args
        timeout = args.run_timeout
        with open(args.input_file, encoding="utf-8") as f:
            input_text = f.read()
        original = CHECK_COMMENT.sub("//", input_text)
        copy_sources(os.path.dirname(os.path.abspath(args.input_file)),
                     self.work_dir)
        with open(self.fixed_file, "w", encoding="utf-8") as f:
            f.write(original)

        stage(1, "compile %s as is" % self.input_name)
        self.compile(self.fixed_file, self.original_exe)
        ok("compiled")

        stage(2, "run it: it must hang (still running after %ss)" % timeout)
        code = run_program(self.original_exe, timeout)
        if code is not None:
            fail("the original program exited with %d within %ss; a run test "
                 "needs a program that hangs as is" % (code, timeout))
        ok("still running after %ss, killed: it hangs" % timeout)

        stage(3, "clang-tidy --fix%s" % (" --fix-notes" if args.fix_notes
                                         else ""))
        output = self.clang_tidy(fix=True)
        if not fanout_warnings(output):
            fail("clang-tidy reported no fanout warning on the hanging program")
        with open(self.fixed_file, encoding="utf-8") as f:
            fixed = f.read()
        if fixed == original:
            fail("clang-tidy warned but changed nothing")
        print("".join(difflib.unified_diff(
            original.splitlines(keepends=True), fixed.splitlines(keepends=True),
            self.input_name + " (as is)", self.input_name + " (fixed)")))
        ok("%d warning(s), file changed" % len(fanout_warnings(output)))

        stage(4, "compile and run the fixed copy: it must exit 0 within %ss"
              % timeout)
        self.compile(self.fixed_file, self.fixed_exe)
        code = run_program(self.fixed_exe, timeout)
        if code is None:
            fail("the fixed program still hangs (killed after %ss)" % timeout)
        if code != 0:
            fail("the fixed program exited with %d" % code)
        ok("exited with 0")

        stage(5, "clang-tidy on the fixed copy: no warning may remain")
        remaining = fanout_warnings(self.clang_tidy(fix=False))
        if remaining:
            fail("the fixed copy still gets warnings:\n  "
                 + "\n  ".join(remaining))
        ok("no warnings")

        stage(6, "FileCheck the fixed copy against CHECK-FIXES")
        if re.search(r"CHECK-FIXES:", input_text):
            run([args.filecheck, "-input-file=" + self.fixed_file,
                 args.input_file, "-check-prefix=CHECK-FIXES",
                 "-strict-whitespace"], args.timeout)
            ok("CHECK-FIXES match")
        else:
            ok("skipped (no CHECK-FIXES lines)")
        print("\n[run-fix-test] PASSED: %s hangs as is and terminates once "
              "fixed" % self.input_name)


def parse_args(argv):
    runner_args, tidy_args, compiler_args = split_at_dashes(argv)
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", action="append", default=[],
                        help="clang-tidy plugin to load (repeatable)")
    parser.add_argument("--clang-tidy", default="clang-tidy")
    parser.add_argument("--clangxx", default="clang++")
    parser.add_argument("--filecheck", default="FileCheck")
    parser.add_argument("--checks", default="-*,fanout-*")
    parser.add_argument("--fix-notes", action="store_true",
                        help="also apply fixes attached to notes")
    parser.add_argument("--run-timeout", type=float, default=5,
                        help="seconds the original must outlive, and the "
                        "fixed program must finish in (default: %(default)s)")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds for each compile and clang-tidy run")
    parser.add_argument("input_file")
    parser.add_argument("temp_file")
    args = parser.parse_args(runner_args)
    args.tidy_args = tidy_args
    args.compiler_args = compiler_args
    return args


def main(argv):
    try:
        RunFixTest(parse_args(argv)).run()
    except TestFailure as e:
        sys.stdout.flush()
        print("\n[run-fix-test] FAILED: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
