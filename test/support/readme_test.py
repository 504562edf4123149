#!/usr/bin/env python3
"""The README's clang-tidy commands, run as a user would run them.

On a generated project whose sources need the compilation database (the
queue header is found only through its -I), with the README's .clang-tidy:
  1. the plain run: the finding, an error through WarningsAsErrors, so the
     run fails (the CI gate of step 2);
  2. --warnings-as-errors on the command line gates too (step 4), with the
     WarningsAsErrors line taken out of .clang-tidy;
  3. the --fix command keeps the compile database: the fix is applied, the
     file still compiles, and the plain run then passes.

Usage: readme_test.py --source-dir=DIR --clang-tidy=BIN --plugin=SO
                      --cxx=BIN --work-dir=DIR
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys


def fail(message):
    print("FAIL:", message)
    sys.exit(1)


def blocks(readme, lang):
    return re.findall(r"```%s\n(.*?)```" % lang, readme, re.S)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    for arg in ("source-dir", "clang-tidy", "plugin", "cxx", "work-dir"):
        parser.add_argument("--" + arg, required=True)
    args = parser.parse_args()
    readme = open(os.path.join(args.source_dir, "README.md")).read()
    commands = [line.strip() for block in blocks(readme, "sh")
                for line in block.split("\n")
                if line.strip().startswith("clang-tidy-19 --load=")]
    config = [b for b in blocks(readme, "yaml") if "fanout-*" in b]
    if len(commands) < 3 or not config:
        fail(f"README: expected the clang-tidy commands and the .clang-tidy "
             f"block, got {commands} and {config}")
    plain = [c for c in commands if "--fix" not in c and
             "--warnings-as-errors" not in c]
    fix = [c for c in commands if "--fix" in c]
    gate = [c for c in commands if "--warnings-as-errors" in c]
    if not (plain and fix and gate):
        fail(f"README: no plain, --fix or --warnings-as-errors command in "
             f"{commands}")

    root = os.path.abspath(args.work_dir)
    shutil.rmtree(root, ignore_errors=True)
    os.makedirs(os.path.join(root, "include"))
    os.makedirs(os.path.join(root, "src"))
    os.makedirs(os.path.join(root, "build"))
    examples = os.path.join(args.source_dir, "examples")
    shutil.copy(os.path.join(examples, "bounded_queue.h"),
                os.path.join(root, "include"))
    source = os.path.join(root, "src", "worker_pool.cpp")
    shutil.copy(os.path.join(examples, "mission.cpp"), source)
    json.dump([{"directory": root, "file": source,
                "arguments": ["c++", "-std=c++20", "-Iinclude", "-c",
                              "src/worker_pool.cpp"]}],
              open(os.path.join(root, "build", "compile_commands.json"), "w"))
    clang_tidy_file = os.path.join(root, ".clang-tidy")
    open(clang_tidy_file, "w").write(config[0])

    def run(command):
        argv = shlex.split(command)
        argv[0] = args.clang_tidy
        argv = [a.replace("/path/to/fanout-tidy.so", args.plugin)
                for a in argv]
        return subprocess.run(argv, cwd=root, capture_output=True, text=True,
                              timeout=300)

    gated = run(plain[0])
    if gated.returncode == 0 or not re.search(
            r"error: producer can block forever .*fanout-stranded-producer",
            gated.stdout):
        fail(f"the README's .clang-tidy does not gate: exit "
             f"{gated.returncode}\n{gated.stdout}\n{gated.stderr}")
    print("ok: WarningsAsErrors in .clang-tidy fails the run")

    open(clang_tidy_file, "w").write(
        "\n".join(l for l in config[0].split("\n")
                  if not l.startswith("WarningsAsErrors")) + "\n")
    if run(plain[0]).returncode != 0:
        fail("without WarningsAsErrors a finding should not fail the run")
    proc = run(gate[0])
    if proc.returncode == 0:
        fail(f"--warnings-as-errors does not gate:\n{proc.stdout}")
    print("ok: --warnings-as-errors fails the run")

    before = open(source).read()
    proc = run(fix[0])
    after = open(source).read()
    if after.count("q.close();") <= before.count("q.close();"):
        fail(f"the README's --fix command fixed nothing:\n{proc.stdout}\n"
             f"{proc.stderr}")
    compiled = subprocess.run([args.cxx, "-std=c++20", "-fsyntax-only",
                               "-Iinclude", "src/worker_pool.cpp"], cwd=root,
                              capture_output=True, text=True)
    if compiled.returncode != 0:
        fail(f"the fixed file does not compile:\n{compiled.stderr}")
    proc = run(gate[0])
    if proc.returncode != 0:
        fail(f"still reported after --fix:\n{proc.stdout}\n{proc.stderr}")
    print("ok: --fix with the compile database: fixed, compiles, gate passes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
