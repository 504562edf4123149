#!/usr/bin/env python3
"""Every fanout check reports through fanout-clangd.

Runs `fanout-clangd --check=<file> --check-warnings` (clangd's own batch
mode: preamble, AST, clang-tidy, exactly as for an open editor buffer) on
each example, with the queue class in its header as users write it, and
requires the diagnostic of the check that example is about.
"""
import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXPECTED = {
    "mission.cpp": "fanout-stranded-producer",
    "deletecollection.cpp": "fanout-stranded-producer",
    "stranded_consumer.cpp": "fanout-stranded-consumer",
    "join_before_drain.cpp": "fanout-join-before-drain",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clangd", required=True)
    parser.add_argument("--examples", required=True)
    args = parser.parse_args()
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for source in Path(args.examples).iterdir():
            if source.suffix in (".cpp", ".h"):
                shutil.copy(source, root)
        (root / ".clang-tidy").write_text('Checks: "-*,fanout-*"\n')
        (root / "compile_commands.json").write_text(json.dumps([
            {"directory": str(root), "file": str(root / name),
             "arguments": ["clang++", "-std=c++20", "-c", name]}
            for name in EXPECTED]))
        for name, check in EXPECTED.items():
            try:
                result = subprocess.run(
                    [args.clangd, f"--check={root / name}", "--check-warnings",
                     "--check-locations=0"],
                    cwd=root, capture_output=True, text=True, timeout=120)
            except subprocess.TimeoutExpired:
                print(f"FAIL: {name}: fanout-clangd --check timed out")
                failures += 1
                continue
            if f"[{check}]" in result.stderr + result.stdout:
                print(f"ok: {name}: {check} reported by fanout-clangd")
            else:
                print(f"FAIL: {name}: no [{check}] in fanout-clangd --check "
                      f"output:\n{result.stderr[-3000:]}")
                failures += 1
    print(f"{len(EXPECTED) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
