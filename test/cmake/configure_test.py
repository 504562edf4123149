#!/usr/bin/env python3
"""Configures the project the way users' tools do, in throw-away build
directories, and requires success without a single CMake warning:
  - plain (what ./test.sh and the README do): no warning, e.g. about a path
    outside the repository;
  - with CMAKE_C_COMPILER given (CMake presets, IDE kits): LLVM's FindFFI
    compiles a C program then, which needs the C language enabled.

Usage: configure_test.py --source-dir=DIR --work-dir=DIR --llvm=N [--cc=CC]
"""

import argparse
import os
import shutil
import subprocess
import sys


def configure(args, name, extra):
    build = os.path.join(args.work_dir, name)
    shutil.rmtree(build, ignore_errors=True)
    cmd = ["cmake", "-S", args.source_dir, "-B", build, "-G", "Ninja",
           "-DFANOUT_LLVM_VERSION=%s" % args.llvm, *extra]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    output = proc.stdout + proc.stderr
    problems = []
    if proc.returncode != 0:
        problems.append("configure failed (exit %d)" % proc.returncode)
    if "CMake Warning" in output:
        problems.append("configure warns")
    if problems:
        print("FAIL: %s: %s\n  %s\n%s" % (name, ", ".join(problems),
                                          " ".join(cmd), output))
        return False
    shutil.rmtree(build, ignore_errors=True)
    print("ok: %s: configures without warnings" % name)
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    parser.add_argument("--llvm", required=True)
    parser.add_argument("--cc", default=shutil.which("cc") or "gcc")
    args = parser.parse_args()
    os.makedirs(args.work_dir, exist_ok=True)
    ok = configure(args, "plain", [])
    ok &= configure(args, "c-compiler", ["-DCMAKE_C_COMPILER=" + args.cc])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
