#!/usr/bin/env python3
"""Integration tests of fanout-audit on a generated multi-file project.

The project (written to a temporary directory) has:
  include/queue.h      a bounded queue (mutex + condition variables)
  include/pipeline.h   an inline function with the mission's stranded
                       producer, included by a, b, c and broken
  src/a.cpp            uses pipeline.h, and has a bug of its own
  src/b.cpp, c.cpp     use pipeline.h
  src/clean.cpp        the fixed shape: consumers close the queue
  src/nolint.cpp       the bug, silenced with NOLINT
  src/vendor.cpp       the bug on a queue known only through CheckOptions
  src/broken.cpp       does not parse
  src/legacy/old.cpp   the bug, under a .clang-tidy that turns the check off
and build/compile_commands.json. A separate database (build-slow/) holds a TU
whose constant evaluation runs for minutes, for the per-TU time limit.

Usage: audit_test.py --audit=<fanout-audit> [--schema=<sarif schema>]
                     [--clang-apply-replacements=<tool>] [--cxx=<compiler>]
                     [--keep] [unittest arguments]
Needs only the standard library and jsonschema (Debian python3-jsonschema).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "support"))
from fixtures import bounded_queue_header  # noqa: E402

ARGS = None
CHECK = "fanout-stranded-producer"



def buggy_function(name, remove="pipeline_remove", push_suffix=""):
    """The mission's shape: consumers return on error, nobody closes q."""
    return textwrap.dedent("""\
        inline void {name}(const std::vector<int> &items, int workers) {{
          BoundedQueue<int> q(2 * workers);
          std::thread producer([&] {{
            for (int i = 0; i < (int)items.size(); ++i)
              q.push(i);{push_suffix}
            q.close();
          }});
          std::vector<std::thread> pool;
          for (int w = 0; w < workers; ++w)
            pool.emplace_back([&] {{
              int i;
              while (q.pop(i))
                if (!{remove}(items[i]))
                  return;
            }});
          for (auto &t : pool)
            t.join();
          producer.join();
        }}
        """).format(name=name, remove=remove, push_suffix=push_suffix)


QUEUE_H = (bounded_queue_header("thread", "vector") +
           "\ninline bool pipeline_remove(int item) { return item >= 0; }\n")

PIPELINE_H = ('#pragma once\n#include "queue.h"\n\n'
              "// The mission's bug in a header: every TU including it "
              "sees it.\n" + buggy_function("run_pipeline"))

CLEAN_CPP = """\
#include "queue.h"

// The fix: a consumer that gives up closes the queue, waking the producer.
void clean(const std::vector<int> &items, int workers) {
  BoundedQueue<int> q(2 * workers);
  std::thread producer([&] {
    for (int i = 0; i < (int)items.size(); ++i)
      if (!q.push(i))
        break;
    q.close();
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      int i;
      while (q.pop(i))
        if (!pipeline_remove(items[i])) {
          q.close();
          return;
        }
    });
  for (auto &t : pool)
    t.join();
  producer.join();
}
"""

VENDOR_CPP = """\
#include <thread>

bool process(int item);

namespace vendor {
// Implemented out of line: known to the check only through CheckOptions.
class Pipe {
public:
  explicit Pipe(int capacity);
  bool write(int value);
  bool read(int &value);
  void hangup();
};
} // namespace vendor

void configured(int n) {
  vendor::Pipe pipe(16);
  std::thread consumer([&] {
    int v;
    while (pipe.read(v))
      if (!process(v))
        return;
  });
  for (int i = 0; i < n; ++i)
    pipe.write(i);
  pipe.hangup();
  consumer.join();
}
"""

CLANG_TIDY = """\
Checks: '-*,fanout-*'
CheckOptions:
  fanout-stranded-producer.QueueTypes: 'vendor::Pipe'
  fanout-stranded-producer.BlockingPushMethods: 'vendor::Pipe::write'
  fanout-stranded-producer.BlockingPopMethods: 'vendor::Pipe::read'
  fanout-stranded-producer.CloseMethods: 'vendor::Pipe::hangup'
"""

SLOW_CPP = """\
// Constant evaluation that runs for minutes: the per-TU time limit's target.
constexpr long spin() {
  long s = 0;
  for (long i = 0; i < 4000000000L; ++i)
    s += i & 1;
  return s;
}
static_assert(spin() > 0);
"""


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def read(path):
    with open(path) as f:
        return f.read()


def make_project(root):
    """Writes the project and its compilation databases under root."""
    write(os.path.join(root, ".clang-tidy"), CLANG_TIDY)
    write(os.path.join(root, "include", "queue.h"), QUEUE_H)
    write(os.path.join(root, "include", "pipeline.h"), PIPELINE_H)
    src = os.path.join(root, "src")
    write(os.path.join(src, "a.cpp"),
          '#include "pipeline.h"\n\n' + buggy_function("a_local") +
          "\nvoid a_entry() { run_pipeline({1, 2, 3}, 2); }\n")
    for name in ("b", "c"):
        write(os.path.join(src, name + ".cpp"),
              '#include "pipeline.h"\n\nvoid %s_entry() '
              '{ run_pipeline({4, 5}, 3); }\n' % name)
    write(os.path.join(src, "clean.cpp"), CLEAN_CPP)
    write(os.path.join(src, "nolint.cpp"),
          '#include "queue.h"\n\n' +
          buggy_function("silenced",
                         push_suffix=" // NOLINT(fanout-stranded-producer)"))
    write(os.path.join(src, "vendor.cpp"), VENDOR_CPP)
    write(os.path.join(src, "broken.cpp"),
          '#include "pipeline.h"\n\nvoid broken( {\n  int x = ;\n}\n')
    write(os.path.join(src, "legacy", ".clang-tidy"),
          "Checks: '-fanout-stranded-producer'\nInheritParentConfig: true\n")
    write(os.path.join(src, "legacy", "old.cpp"),
          '#include "queue.h"\n\n' + buggy_function("old_code"))
    write_database(root, "build", [
        "src/a.cpp", "src/b.cpp", "src/c.cpp", "src/clean.cpp",
        "src/nolint.cpp", "src/vendor.cpp", "src/broken.cpp",
        "src/legacy/old.cpp"
    ])
    write(os.path.join(root, "slow", "slow.cpp"), SLOW_CPP)
    write_database(root, "build-slow", ["slow/slow.cpp"],
                   extra=["-fconstexpr-steps=2147483647"])


def write_database(root, build, files, extra=()):
    entries = [{
        "directory": root,
        "file": f,
        "arguments": ["c++", "-std=c++20", "-Iinclude", *extra, "-c", f,
                      "-o", f + ".o"],
    } for f in files]
    write(os.path.join(root, build, "compile_commands.json"),
          json.dumps(entries, indent=2))


class AuditTest(unittest.TestCase):
    """Each test works on its own copy of the generated project."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="fanout-audit-test-")
        cls.pristine = os.path.join(cls.tmp, "pristine")
        make_project(cls.pristine)
        cls.counter = 0
        # The full run every test compares with.
        cls.full_root = cls.copy_project("full")
        cls.full = cls.run_json(cls.full_root)

    @classmethod
    def tearDownClass(cls):
        if ARGS.keep:
            print("kept test projects in", cls.tmp, file=sys.stderr)
        else:
            shutil.rmtree(cls.tmp, ignore_errors=True)

    @classmethod
    def copy_project(cls, name):
        cls.counter += 1
        dst = os.path.join(cls.tmp, "%02d-%s" % (cls.counter, name))
        shutil.copytree(cls.pristine, dst)
        # The databases name the project's directory.
        for build in ("build", "build-slow"):
            db = os.path.join(dst, build, "compile_commands.json")
            write(db, read(db).replace(cls.pristine, dst))
        return dst

    @classmethod
    def audit(cls, root, *args, build="build", check=None):
        cmd = [ARGS.audit, "-p", os.path.join(root, build), "-j2", *args]
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True,
                              timeout=600)
        if check is not None and proc.returncode != check:
            raise AssertionError(
                "%s: exit %d, expected %d\nstdout:\n%s\nstderr:\n%s" %
                (" ".join(cmd), proc.returncode, check, proc.stdout,
                 proc.stderr))
        return proc

    @classmethod
    def run_json(cls, root, *args, check=1):
        out = os.path.join(root, "report-%d.json" % cls.counter)
        cls.counter += 1
        cls.audit(root, "--format=json", "-o", out, *args, check=check)
        return json.loads(read(out))

    def findings_by_file(self, report):
        by_file = {}
        for f in report["findings"]:
            by_file.setdefault(f["file"], []).append(f)
        return by_file

    # --- What the full run finds -------------------------------------------

    def test_dedup_header_finding_reported_once(self):
        by_file = self.findings_by_file(self.full)
        header = by_file.get("include/pipeline.h", [])
        self.assertEqual(len(header), 1, header)
        # Seen from every TU including the header, the one that fails to
        # parse too (its findings are kept, as clang-tidy does).
        self.assertEqual(header[0]["translationUnits"],
                         ["src/a.cpp", "src/b.cpp", "src/broken.cpp",
                          "src/c.cpp"])
        self.assertEqual(header[0]["check"], CHECK)
        # Every note of the clang-tidy diagnostic is kept.
        self.assertGreaterEqual(len(header[0]["notes"]), 3)
        self.assertTrue(header[0]["fixes"], header[0])

    def test_expected_findings_and_sorting(self):
        files = [(f["file"], f["line"]) for f in self.full["findings"]]
        self.assertEqual([f for f, _ in files],
                         ["include/pipeline.h", "src/a.cpp", "src/vendor.cpp"])
        self.assertEqual(files, sorted(files))
        self.assertEqual(self.full["summary"]["findings"], 3)
        self.assertEqual(self.full["summary"]["findingsPerCheck"], {CHECK: 3})

    def test_clang_tidy_config_nolint_and_check_options(self):
        by_file = self.findings_by_file(self.full)
        self.assertNotIn("src/nolint.cpp", by_file)      # NOLINT
        self.assertNotIn("src/legacy/old.cpp", by_file)  # .clang-tidy Checks
        self.assertNotIn("src/clean.cpp", by_file)       # no false positive
        self.assertIn("src/vendor.cpp", by_file)         # CheckOptions

    def test_checks_override(self):
        root = self.copy_project("checks")
        proc = self.audit(root, "--checks=-fanout-*", check=2)
        self.assertIn("no checks enabled", proc.stderr)
        # --checks is appended to the .clang-tidy Checks: re-enable legacy.
        write(os.path.join(root, "src", "legacy", ".clang-tidy"),
              "Checks: '-*'\n")
        report = self.run_json(root, "src/legacy", "--checks=fanout-*")
        self.assertEqual([f["file"] for f in report["findings"]],
                         ["src/legacy/old.cpp"])

    def test_broken_tu_reported_and_counted(self):
        summary = self.full["summary"]
        self.assertEqual(summary["translationUnits"], 8)
        self.assertEqual(summary["failed"], 1)
        self.assertEqual(summary["analysed"], 7)
        units = {u["file"]: u for u in self.full["translationUnits"]}
        broken = units["src/broken.cpp"]
        self.assertEqual(broken["status"], "failed")
        self.assertTrue(broken["errors"])
        self.assertEqual(broken["errors"][0]["file"], "src/broken.cpp")
        self.assertGreater(broken["errors"][0]["line"], 0)
        for name, unit in units.items():
            if name != "src/broken.cpp":
                self.assertEqual(unit["status"], "ok", name)

    def test_broken_tu_in_text_summary(self):
        root = self.copy_project("summary")
        proc = self.audit(root, "--progress=lines", check=1)
        self.assertIn("src/broken.cpp: failed to parse", proc.stderr)
        self.assertIn("8 (7 analysed, 1 failed to parse", proc.stderr)
        self.assertRegex(proc.stderr, r"\[\d/8\] src/a\.cpp: 2 findings")

    # --- Formats ------------------------------------------------------------

    def test_text_format(self):
        root = self.copy_project("text")
        proc = self.audit(root, check=1)
        warnings = re.findall(r"^(\S+):(\d+):(\d+): warning: .* \[%s\]$" %
                              CHECK, proc.stdout, re.M)
        self.assertEqual([os.path.relpath(w[0], root) for w in warnings],
                         ["include/pipeline.h", "src/a.cpp", "src/vendor.cpp"])
        self.assertIn(": note: ", proc.stdout)
        self.assertIn("q.push(i);", proc.stdout)  # the snippet
        self.assertIn("findings: 3", proc.stderr)  # the summary

    def test_sarif_format_is_valid(self):
        root = self.copy_project("sarif")
        out = os.path.join(root, "out.sarif")
        self.audit(root, "--format=sarif", "-o", out, check=1)
        sarif = json.loads(read(out))
        self.validate_sarif(sarif)
        run = sarif["runs"][0]
        rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
        self.assertIn(CHECK, rules)
        rule = rules[CHECK]
        self.assertTrue(rule["help"]["text"])
        self.assertTrue(rule["fullDescription"]["text"])
        doc = os.path.join(ARGS.source_dir, "docs", "checks", CHECK + ".md")
        if os.path.exists(doc):
            first_words = " ".join(
                line for line in read(doc).split("\n\n")[1].split("\n"))
            self.assertEqual(rule["fullDescription"]["text"],
                             first_words.strip())
        results = run["results"]
        self.assertEqual(len(results), 3)
        header = [r for r in results
                  if r["locations"][0]["physicalLocation"]["artifactLocation"]
                  ["uri"] == "include/pipeline.h"]
        self.assertEqual(len(header), 1)
        self.assertTrue(header[0]["relatedLocations"])
        self.assertTrue(header[0]["fixes"])
        self.assertEqual(header[0]["ruleId"], CHECK)
        self.assertEqual(
            run["tool"]["driver"]["rules"][header[0]["ruleIndex"]]["id"],
            CHECK)
        notes = run["invocations"][0]["toolExecutionNotifications"]
        self.assertEqual(len(notes), 1)
        self.assertIn("src/broken.cpp", notes[0]["message"]["text"])
        self.assertEqual(run["originalUriBaseIds"]["SRCROOT"]["uri"],
                         "file://" + root + "/")

    def test_codequality_format(self):
        root = self.copy_project("codequality")
        out = os.path.join(root, "gl-code-quality.json")
        self.audit(root, "--format=codequality", "-o", out, check=1)
        issues = json.loads(read(out))
        self.assertEqual(len(issues), 3)
        for issue in issues:
            for key in ("description", "check_name", "fingerprint",
                        "severity"):
                self.assertTrue(issue[key], (key, issue))
            self.assertGreater(issue["location"]["lines"]["begin"], 0)
        self.assertEqual(len({i["fingerprint"] for i in issues}), 3)
        self.assertEqual(sorted(i["location"]["path"] for i in issues),
                         ["include/pipeline.h", "src/a.cpp",
                          "src/vendor.cpp"])

    def validate_sarif(self, sarif):
        self.assertEqual(sarif["version"], "2.1.0")
        if not ARGS.schema:
            return
        import jsonschema
        schema = json.loads(read(ARGS.schema))
        jsonschema.validate(sarif, schema)

    def test_json_atomic_output_keeps_old_file_on_error(self):
        root = self.copy_project("atomic")
        out = os.path.join(root, "report.json")
        write(out, "previous\n")
        # A usage error writes nothing.
        self.audit(root, "--format=json", "-o", out, "--shard=0/2", check=2)
        self.assertEqual(read(out), "previous\n")
        self.audit(root, "--format=json", "-o", out, check=1)
        self.assertEqual(json.loads(read(out))["summary"]["findings"], 3)
        leftovers = [f for f in os.listdir(root) if "report.json" in f]
        self.assertEqual(leftovers, ["report.json"])

    # --- Exit codes ---------------------------------------------------------

    def test_exit_codes(self):
        root = self.copy_project("exit")
        self.audit(root, "src/clean.cpp", check=0)
        self.audit(root, "src/a.cpp", check=1)
        self.audit(root, check=1)
        # Usage and tool errors.
        self.audit(root, "--format=xml", check=2)
        self.audit(root, "--no-such-option", check=2)
        self.audit(root, "--shard=3/2", check=2)
        self.audit(root, "src/does-not-exist.cpp", check=2)
        self.audit(root, build="no-such-build", check=2)
        self.audit(root, "--baseline=" + os.path.join(root, "nope.json"),
                   check=2)
        # A run where nothing parses is an error, not a clean bill.
        self.audit(root, "src/broken.cpp", check=2)
        # --keep-going=false: stop at the broken TU and say so.
        proc = self.audit(root, "--keep-going=false", check=2)
        self.assertIn("--keep-going=false", proc.stderr)

    def test_timeout(self):
        root = self.copy_project("timeout")
        out = os.path.join(root, "slow.json")
        proc = self.audit(root, "--timeout=2", "--format=json", "-o", out,
                          build="build-slow", check=2)
        report = json.loads(read(out))
        unit = report["translationUnits"][0]
        self.assertEqual(unit["status"], "timeout")
        self.assertEqual(report["summary"]["timedOut"], 1)
        self.assertLess(unit["seconds"], 30)
        self.assertIn("timed out", proc.stderr)

    def test_crash_isolated(self):
        root = self.copy_project("crash")
        out = os.path.join(root, "crash.json")
        env = dict(os.environ, FANOUT_AUDIT_TEST_CRASH="src/b.cpp")
        proc = subprocess.run(
            [ARGS.audit, "-p", os.path.join(root, "build"), "-j2",
             "--format=json", "-o", out], cwd=root, env=env,
            capture_output=True, text=True, timeout=600)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        report = json.loads(read(out))
        units = {u["file"]: u for u in report["translationUnits"]}
        self.assertEqual(units["src/b.cpp"]["status"], "crashed")
        self.assertIn("signal", units["src/b.cpp"]["errors"][0]["message"])
        self.assertTrue(units["src/b.cpp"]["log"])  # the stack dump
        self.assertEqual(report["summary"]["crashed"], 1)
        self.assertEqual(report["summary"]["analysed"], 6)
        self.assertEqual(report["summary"]["findings"], 3)

    def test_in_process_mode_same_findings(self):
        root = self.full_root
        report = self.run_json(root, "--in-process")
        self.assertEqual(self.comparable(report)[0],
                         self.comparable(self.full)[0])

    # --- Baselines ----------------------------------------------------------

    def test_baseline_round_trip(self):
        root = self.copy_project("baseline")
        baseline = os.path.join(root, "baseline.json")
        self.audit(root, "--write-baseline", baseline, check=0)
        recorded = json.loads(read(baseline))["findings"]
        self.assertEqual(len(recorded), 3)

        # Unrelated edits: lines inserted above everything, and the warning's
        # own line reindented.
        for rel in ("include/queue.h", "include/pipeline.h", "src/a.cpp",
                    "src/b.cpp", "src/c.cpp", "src/vendor.cpp"):
            path = os.path.join(root, rel)
            text = "\n\n\n// a comment\n\n" + read(path)
            text = re.sub(r"^( +)q\.push\(i\);", r"\1    q.push(i);", text,
                          flags=re.M)
            write(path, text)
        report = self.run_json(root, "--baseline", baseline, check=0)
        self.assertEqual(report["findings"], [])
        self.assertEqual(report["summary"]["baselineSuppressed"], 3)
        # The findings moved, the fingerprints did not.
        moved = self.run_json(root)
        self.assertEqual(
            sorted(f["fingerprint"] for f in moved["findings"]),
            sorted(f["fingerprint"] for f in recorded))
        self.assertNotEqual([f["line"] for f in moved["findings"]],
                            [f["line"] for f in recorded])

        # A new bug: exit 1, and only it is reported.
        c = os.path.join(root, "src", "c.cpp")
        write(c, read(c) + "\n" + buggy_function("c_new_bug"))
        report = self.run_json(root, "--baseline", baseline, check=1)
        self.assertEqual(len(report["findings"]), 1)
        self.assertEqual(report["findings"][0]["file"], "src/c.cpp")
        out = os.path.join(root, "new.sarif")
        self.audit(root, "--baseline", baseline, "--format=sarif", "-o", out,
                   check=1)
        self.assertEqual(len(json.loads(read(out))["runs"][0]["results"]), 1)

    # --- Sharding -----------------------------------------------------------

    def comparable(self, report):
        findings = [(f["check"], f["file"], f["line"], f["column"],
                     f["message"], f["fingerprint"],
                     tuple(f["translationUnits"]), json.dumps(f["notes"]),
                     json.dumps(f["fixes"])) for f in report["findings"]]
        units = [(u["file"], u["status"], u["findings"])
                 for u in report["translationUnits"]]
        summary = dict(report["summary"])
        return findings, units, summary, report["checks"]

    def test_shards_merge_to_full_run(self):
        root = self.full_root
        shard_reports = []
        for k in (1, 2):
            out = os.path.join(root, "shard-%d.json" % k)
            proc = self.audit(root, "--shard=%d/2" % k, "--format=json",
                              "-o", out)
            self.assertIn(proc.returncode, (0, 1))
            shard_reports.append(out)
        shards = [json.loads(read(p)) for p in shard_reports]
        self.assertEqual(
            sum(len(s["translationUnits"]) for s in shards), 8)
        self.assertEqual(shards[0]["shard"], {"index": 1, "count": 2})
        merged = os.path.join(root, "merged.json")
        self.run_cmd([ARGS.audit, "merge", *shard_reports, "--format=json",
                      "-o", merged], check=1)
        self.assertEqual(self.comparable(json.loads(read(merged))),
                         self.comparable(self.full))
        # The merge mode writes every format.
        sarif = os.path.join(root, "merged.sarif")
        self.run_cmd([ARGS.audit, "--merge", *shard_reports, "--format=sarif",
                      "-o", sarif], check=1)
        self.validate_sarif(json.loads(read(sarif)))
        self.assertEqual(len(json.loads(read(sarif))["runs"][0]["results"]),
                         3)
        self.run_cmd([ARGS.audit, "merge", "--quiet", os.path.join(
            root, "nope.json")], check=2)

    def run_cmd(self, cmd, check):
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=600)
        self.assertEqual(proc.returncode, check,
                         "%s\n%s\n%s" % (cmd, proc.stdout, proc.stderr))
        return proc

    # --- Fixes --------------------------------------------------------------

    def test_export_fixes_apply(self):
        root = self.copy_project("fixes")
        fixes_dir = os.path.join(root, "fixes")
        os.makedirs(fixes_dir)
        fixes = os.path.join(fixes_dir, "fixes.yaml")
        self.audit(root, "--export-fixes", fixes, check=1)
        text = read(fixes)
        self.assertIn("Diagnostics:", text)
        self.assertIn("DiagnosticName:  " + CHECK, text)
        self.assertIn("ReplacementText:", text)
        # One diagnostic per finding: the header's fix is exported once, not
        # once per TU that includes the header.
        self.assertEqual(text.count("DiagnosticName:"), 3)
        self.assertEqual(text.count("MainSourceFile:"), 1)
        try:
            import yaml  # Optional: a full parse when PyYAML is there.
            doc = yaml.safe_load(text)
            self.assertEqual(len(doc["Diagnostics"]), 3)
        except ImportError:
            pass
        tool = ARGS.clang_apply_replacements
        if not tool:
            self.skipTest("clang-apply-replacements not found: YAML only")
        self.run_cmd([tool, fixes_dir], check=0)
        header = read(os.path.join(root, "include", "pipeline.h"))
        self.assertEqual(header.count("if (!q.push(i))"), 1, header)
        self.assertEqual(header.count("q.close();"), 2, header)
        # Fixed code still compiles, and the fixed findings are gone.
        if ARGS.cxx:
            for rel in ("src/a.cpp", "src/b.cpp"):
                self.run_cmd([ARGS.cxx, "-std=c++20", "-fsyntax-only",
                              "-I" + os.path.join(root, "include"),
                              os.path.join(root, rel)], check=0)
        report = self.run_json(root, check=None)
        files = [f["file"] for f in report["findings"]]
        self.assertNotIn("include/pipeline.h", files)
        self.assertNotIn("src/a.cpp", files)

    # --- Progress -----------------------------------------------------------

    def test_progress_modes(self):
        root = self.copy_project("progress")
        bar = subprocess.run(
            [ARGS.audit, "-p", os.path.join(root, "build"), "-j2",
             "--progress=bar"], cwd=root, capture_output=True, timeout=600)
        self.assertEqual(bar.returncode, 1)
        self.assertIn(b"\r[", bar.stderr)
        self.assertIn(b"8/8 TUs | 3 findings | 1 failed", bar.stderr)
        lines = self.audit(root, check=1)  # stderr is a pipe: lines
        self.assertNotIn("\r", lines.stderr)
        self.assertEqual(len(re.findall(r"^\[\d/8\] ", lines.stderr, re.M)),
                         8)
        quiet = self.audit(root, "--quiet", check=1)
        self.assertEqual(quiet.stderr, "")

    def test_filters_and_list_units(self):
        root = self.copy_project("filters")
        proc = self.audit(root, "--list-units", "src/legacy", "src/a.cpp",
                          check=0)
        self.assertEqual(proc.stdout.split(),
                         ["src/a.cpp", "src/legacy/old.cpp"])
        shard = self.audit(root, "--list-units", "--shard=2/3", check=0)
        everything = self.audit(root, "--list-units", check=0).stdout.split()
        self.assertEqual(shard.stdout.split(), everything[1::3])


def find_tool(*names):
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    return None


def main():
    global ARGS
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--audit", required=True)
    parser.add_argument("--schema", default=os.path.join(
        here, "sarif-schema-2.1.0.json"))
    parser.add_argument("--source-dir",
                        default=os.path.dirname(os.path.dirname(here)))
    parser.add_argument("--clang-apply-replacements", default=None)
    parser.add_argument("--cxx", default=None)
    parser.add_argument("--keep", action="store_true",
                        help="keep the generated projects")
    ARGS, rest = parser.parse_known_args()
    ARGS.audit = os.path.abspath(ARGS.audit)
    if not os.path.exists(ARGS.schema):
        parser.error("no SARIF schema at %s" % ARGS.schema)
    if ARGS.clang_apply_replacements is None:
        ARGS.clang_apply_replacements = find_tool(
            "clang-apply-replacements-19", "clang-apply-replacements")
    if ARGS.cxx is None:
        ARGS.cxx = find_tool("c++", "clang++", "g++")
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
