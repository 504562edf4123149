#!/usr/bin/env python3
"""The repository holds everything its tests and docs need.

A fresh clone has nothing beside it, so:
  1. every relative link of a tracked Markdown file leads to a file of the
     repository (not to ../ outside it, not to a file that does not exist);
  2. every absolute path that a ctest test command names lies in the source
     tree, the build tree or the system (/usr, /bin, /etc, /tmp).

Usage: self_contained_test.py --source-dir=DIR --build-dir=DIR
"""

import argparse
import json
import os
import re
import subprocess
import sys

LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SYSTEM = ("/usr/", "/bin/", "/etc/", "/tmp/", "/dev/", "/proc/")


def tracked(source_dir, pattern):
    out = subprocess.run(["git", "-C", source_dir, "ls-files", "-z", pattern],
                         capture_output=True, text=True)
    if out.returncode != 0:  # not a git checkout (an exported tarball)
        found = []
        for dirpath, _, files in os.walk(source_dir):
            if "/build" in dirpath or "/.git" in dirpath:
                continue
            found += [os.path.relpath(os.path.join(dirpath, f), source_dir)
                      for f in files if f.endswith(pattern.lstrip("*"))]
        return found
    return [p for p in out.stdout.split("\0") if p]


def markdown_problems(source_dir):
    problems = []
    root = os.path.realpath(source_dir)
    for rel in tracked(source_dir, "*.md"):
        path = os.path.join(source_dir, rel)
        text = open(path, encoding="utf-8").read()
        # Links inside code blocks are code, not links.
        text = re.sub(r"```.*?```", "", text, flags=re.S)
        text = re.sub(r"`[^`\n]*`", "", text)
        for target in LINK.findall(text):
            if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                continue
            file_part = target.split("#")[0]
            if not file_part:
                continue
            resolved = os.path.realpath(
                os.path.join(os.path.dirname(path), file_part))
            if not (resolved == root or resolved.startswith(root + os.sep)):
                problems.append(f"{rel}: link '{target}' leads outside the "
                                "repository")
            elif not os.path.exists(resolved):
                problems.append(f"{rel}: link '{target}' leads to no file")
    return problems


def ctest_problems(source_dir, build_dir):
    out = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build_dir,
                         capture_output=True, text=True, check=True)
    tests = json.loads(out.stdout)["tests"]
    roots = [os.path.realpath(source_dir) + os.sep,
             os.path.realpath(build_dir) + os.sep]
    problems = []
    for test in tests:
        for arg in test.get("command", []):
            for path in re.findall(r"(?:^|=)(/[^\s:;=]+)", arg):
                real = os.path.realpath(path)
                if real.startswith(SYSTEM) or any(
                        real.startswith(r) or real + os.sep == r
                        for r in roots):
                    continue
                problems.append(f"test '{test['name']}': '{arg}' names "
                                f"{real}, outside the source and build trees")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    problems = markdown_problems(args.source_dir)
    problems += ctest_problems(args.source_dir, args.build_dir)
    for p in problems:
        print("FAIL:", p)
    if not problems:
        print("ok: links and test commands stay inside the repository")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
