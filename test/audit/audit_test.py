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
# Exit codes (docs/audit.md).
CLEAN, FINDINGS, ERROR, INCOMPLETE = 0, 1, 2, 3
# The project has a TU that does not parse: a run over all of it is
# "analysed with failures".
FULL = INCOMPLETE



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


def drop_broken(root):
    """Removes the TU that does not parse from build/compile_commands.json."""
    db = os.path.join(root, "build", "compile_commands.json")
    entries = [e for e in json.loads(read(db))
               if not e["file"].endswith("broken.cpp")]
    write(db, json.dumps(entries, indent=2))


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
    def run_json(cls, root, *args, check=FULL):
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
        report = self.run_json(root, "src/legacy", "--checks=fanout-*",
                               check=FINDINGS)
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
        proc = self.audit(root, "--progress=lines", check=FULL)
        self.assertIn("src/broken.cpp: failed to parse", proc.stderr)
        self.assertIn("8 (7 analysed, 1 failed to parse", proc.stderr)
        self.assertRegex(proc.stderr, r"\[\d/8\] src/a\.cpp: 2 findings")

    # --- Formats ------------------------------------------------------------

    def test_text_format(self):
        root = self.copy_project("text")
        proc = self.audit(root, check=FULL)
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
        self.audit(root, "--format=sarif", "-o", out, check=FULL)
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
        self.check_sarif_results(run)
        self.check_sarif_links(sarif, lambda uri: self.assertIn_repo(uri))
        notes = run["invocations"][0]["toolExecutionNotifications"]
        self.assertEqual(len(notes), 1)
        self.assertIn("src/broken.cpp", notes[0]["message"]["text"])
        self.assertEqual(run["originalUriBaseIds"]["SRCROOT"]["uri"],
                         "file://" + root + "/")

    def check_sarif_results(self, run):
        rule = {r["id"]: r for r in run["tool"]["driver"]["rules"]}[CHECK]
        # A title, not a paragraph; a name; the check page; precision and
        # severity for code scanning.
        self.assertEqual(rule["shortDescription"]["text"],
                         "Producer can block forever in a bounded queue's "
                         "push")
        self.assertEqual(rule["name"], "FanoutStrandedProducer")
        self.assertTrue(rule["helpUri"].endswith(
            "/docs/checks/%s.md" % CHECK), rule["helpUri"])
        self.assertEqual(rule["properties"]["precision"], "high")
        self.assertEqual(rule["properties"]["problem.severity"], "warning")
        for result in run["results"]:
            related = result["relatedLocations"]
            text = result["message"]["text"]
            # Every related location is linked from the message, in order,
            # with the note's text: "[consumer returns here ...](3)".
            links = re.findall(r"(?<!\\)\[((?:[^\]\\]|\\.)*)\]\((\d+)\)", text)
            self.assertEqual([int(i) for _, i in links],
                             [r["id"] for r in related], text)
            for (label, _), r in zip(links, related):
                self.assertEqual(label.replace("\\[", "[").replace(
                    "\\]", "]"), r["message"]["text"])
            self.assertTrue(any("consumer returns here" in label
                                for label, _ in links) or
                            result["ruleId"] != CHECK or "vendor" in
                            result["locations"][0]["physicalLocation"]
                            ["artifactLocation"]["uri"], text)
            # The story as a code flow: the blocking call, then the notes.
            flow = result["codeFlows"][0]["threadFlows"][0]["locations"]
            self.assertEqual(len(flow), len(related) + 1)
            self.assertEqual(flow[0]["location"]["physicalLocation"],
                             result["locations"][0]["physicalLocation"])
            self.assertEqual(
                [f["location"]["message"]["text"] for f in flow[1:]],
                [r["message"]["text"] for r in related])
            # Fixes are titled by what they do.
            for fix in result.get("fixes", []):
                title = fix["description"]["text"]
                self.assertFalse(title.startswith("alternatively"), title)
                self.assertNotIn("Fix suggested by", title)

    def assertIn_repo(self, uri):
        """A link must lead to a file of fanout-tidy's repository."""
        self.assertTrue(uri.startswith("file://"), uri)
        path = uri[len("file://"):].split("#")[0]
        source = os.path.realpath(ARGS.source_dir)
        self.assertTrue(os.path.realpath(path).startswith(source + os.sep),
                        "%s leads outside the repository" % uri)
        self.assertTrue(os.path.exists(path), "%s leads to no file" % uri)

    def check_sarif_links(self, sarif, check_uri):
        """Every link of the SARIF: message links name related locations;
        helpUri and the links of help.markdown pass check_uri."""
        run = sarif["runs"][0]
        seen = 0
        for rule in run["tool"]["driver"]["rules"]:
            if "helpUri" in rule:
                check_uri(rule["helpUri"])
                seen += 1
            markdown = rule.get("help", {}).get("markdown", "")
            markdown = re.sub(r"```.*?```", "", markdown, flags=re.S)
            markdown = re.sub(r"`[^`\n]*`", "", markdown)
            for target in re.findall(r"\]\(([^)\s]+)\)", markdown):
                check_uri(target)
                seen += 1
        self.assertGreater(seen, 0)
        for result in run["results"]:
            ids = {r["id"] for r in result.get("relatedLocations", [])}
            for target in re.findall(r"\]\(([^)]*)\)",
                                     result["message"]["text"]):
                self.assertIn(int(target), ids)

    def test_sarif_links_with_a_docs_url(self):
        # --docs-url: links to the repository's docs on its Git host.
        root = self.copy_project("sarif-docs-url")
        base = "https://git.example.com/acme/fanout-tidy/blob/main/docs/checks"
        out = os.path.join(root, "out.sarif")
        self.audit(root, "--format=sarif", "-o", out, "--docs-url=" + base,
                   check=FULL)
        sarif = json.loads(read(out))
        self.validate_sarif(sarif)
        repo = "https://git.example.com/acme/fanout-tidy/blob/main/"
        self.check_sarif_links(
            sarif, lambda uri: self.assertTrue(uri.startswith(repo), uri))
        rules = {r["id"]: r for r in sarif["runs"][0]["tool"]["driver"]
                 ["rules"]}
        self.assertEqual(rules[CHECK]["helpUri"], base + "/" + CHECK + ".md")
        self.assertIn("(%sfanout-stranded-producer.md#options)" %
                      (base + "/"), rules["fanout-stranded-consumer"]["help"]
                      ["markdown"])

    def test_text_colour_on_a_terminal_and_fix_diffs(self):
        import pty
        root = self.copy_project("colour")
        drop_broken(root)
        master, slave = pty.openpty()
        proc = subprocess.Popen(
            [ARGS.audit, "-p", os.path.join(root, "build"), "-j2",
             "src/a.cpp"], cwd=root, stdout=slave, stderr=subprocess.PIPE)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        proc.wait(timeout=600)
        os.close(master)
        tty_out = b"".join(chunks).decode()
        self.assertEqual(proc.returncode, FINDINGS)
        # clang's colours: bold location, magenta "warning:", green caret.
        self.assertIn("\x1b[0;1;35mwarning:", tty_out)
        self.assertIn("\x1b[0;1;32m^", tty_out)
        piped = self.audit(root, "src/a.cpp", check=FINDINGS).stdout
        self.assertNotIn("\x1b[", piped)
        forced = self.audit(root, "src/a.cpp", "--color", check=FINDINGS)
        self.assertIn("\x1b[", forced.stdout)

        # --show-fixes: each fix as a diff that applies to the tree.
        shown = self.audit(root, "src/a.cpp", "--show-fixes",
                           check=FINDINGS).stdout
        # Titled by the "fix: ..." note and by the alternatives' notes.
        a_finding = [f for f in self.full["findings"]
                     if f["file"] == "src/a.cpp"][0]
        for note in a_finding["notes"]:
            if note["message"].startswith("fix: "):
                self.assertIn("\n" + note["message"] + "\n", shown)
            elif note.get("fixes"):
                title = re.sub(r"^alternatively, ", "", note["message"])
                self.assertIn("\nalternative fix: " + title + "\n", shown)
        self.assertNotIn("alternative fix: alternatively", shown)
        diffs = re.findall(r"^(?:alternative )?fix: .*\n((?:(?:---|\+\+\+|@@|"
                           r"[ +-]).*\n)+)", shown, re.M)
        self.assertGreaterEqual(len(diffs), 4, shown)
        for diff in diffs:
            self.assertIn("+", diff)
            check = subprocess.run(["patch", "-p1", "--dry-run", "-s", "-F0"],
                                   cwd=root, input=diff, text=True,
                                   capture_output=True)
            self.assertEqual(check.returncode, 0,
                             "%s\n%s" % (diff, check.stdout + check.stderr))
        self.assertRegex(shown, r"(?m)^\+ +q\.close\(\);$")

    def test_codequality_format(self):
        root = self.copy_project("codequality")
        out = os.path.join(root, "gl-code-quality.json")
        self.audit(root, "--format=codequality", "-o", out, check=FULL)
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
        self.audit(root, "--format=json", "-o", out, check=FULL)
        self.assertEqual(json.loads(read(out))["summary"]["findings"], 3)
        leftovers = [f for f in os.listdir(root) if "report.json" in f]
        self.assertEqual(leftovers, ["report.json"])

    # --- Exit codes ---------------------------------------------------------

    def test_exit_codes(self):
        root = self.copy_project("exit")
        self.audit(root, "src/clean.cpp", check=0)
        self.audit(root, "src/a.cpp", check=1)
        self.audit(root, check=FULL)
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
        # --keep-going=false: stop at the broken TU and say so -- not "no
        # translation unit could be analysed".
        proc = self.audit(root, "--keep-going=false", "-j1", check=2)
        self.assertIn("stopped after a translation unit failed "
                      "(--keep-going=false): src/broken.cpp: failed to parse",
                      proc.stderr)
        self.assertNotIn("no translation unit could be analysed", proc.stderr)

    def test_partly_broken_database_does_not_pass(self):
        # A broken TU next to a clean one, --quiet: exit 3, and the
        # compiler's error is on stderr and in the text report.
        root = self.copy_project("partly-broken")
        proc = self.audit(root, "--quiet", "src/clean.cpp", "src/broken.cpp",
                          check=INCOMPLETE)
        self.assertIn("src/broken.cpp: failed to parse", proc.stderr)
        self.assertIn("1 of 2 translation units could not be analysed",
                      proc.stderr)
        self.assertRegex(proc.stdout, r"src/broken\.cpp:3:\d+: error: ")
        # The JSON and SARIF reports carry it too.
        report = self.run_json(root, "src/clean.cpp", "src/broken.cpp",
                               check=INCOMPLETE)
        broken = [u for u in report["translationUnits"]
                  if u["file"] == "src/broken.cpp"][0]
        self.assertTrue(broken["errors"][0]["message"])

    def test_gcc_only_flags_dropped(self):
        root = self.copy_project("gcc-flags")
        db = os.path.join(root, "build", "compile_commands.json")
        entries = json.loads(read(db))
        for e in entries:
            # GCC's: clang knows neither.
            e["arguments"][1:1] = ["-fconserve-stack",
                                   "-fno-allow-store-data-races"]
        write(db, json.dumps(entries))
        report = self.run_json(root, "src/a.cpp", "src/vendor.cpp",
                               check=FINDINGS)
        self.assertEqual(report["summary"]["analysed"], 2, report)
        for u in report["translationUnits"]:
            self.assertEqual(u["droppedArguments"],
                             ["-fconserve-stack",
                              "-fno-allow-store-data-races"])
        proc = self.audit(root, "src/a.cpp", check=FINDINGS)
        self.assertIn("arguments clang does not know, dropped: "
                      "-fconserve-stack (1 TU)", proc.stderr)

    def test_default_checks_are_fanout_only(self):
        # A .clang-tidy enabling another check: the audit runs it only when
        # --checks asks for it, as --help says; it still honours the
        # .clang-tidy turning a fanout check off (src/legacy).
        root = self.copy_project("default-checks")
        write(os.path.join(root, "src", "dead.cpp"),
              "int dead() { int a = 1; a = 2; return 0; }\n")
        write(os.path.join(root, ".clang-tidy"), CLANG_TIDY.replace(
            "Checks: '-*,fanout-*'",
            "Checks: '-*,fanout-*,clang-analyzer-deadcode.DeadStores'"))
        write_database(root, "build", ["src/dead.cpp", "src/legacy/old.cpp",
                                       "src/a.cpp"])
        report = self.run_json(root, check=FINDINGS)
        self.assertEqual(report["checks"],
                         ["fanout-join-before-drain",
                          "fanout-stranded-consumer",
                          "fanout-stranded-producer"])
        self.assertEqual({f["file"] for f in report["findings"]},
                         {"include/pipeline.h", "src/a.cpp"})
        report = self.run_json(root, "--checks=clang-analyzer-deadcode.*",
                               check=FINDINGS)
        self.assertIn("src/dead.cpp",
                      {f["file"] for f in report["findings"]})
        self.assertNotIn("src/legacy/old.cpp",
                         {f["file"] for f in report["findings"]})
        help_text = subprocess.run([ARGS.audit, "--help"],
                                   capture_output=True, text=True).stdout
        self.assertIn("Without it only the fanout-* checks run", help_text)

    def test_unwritable_outputs_fail_before_the_audit(self):
        root = self.copy_project("unwritable")
        missing = os.path.join(root, "no-such-dir", "out")
        for option in ("-o", "--write-baseline", "--export-fixes"):
            proc = self.audit(root, option, missing + ".json", check=ERROR)
            self.assertIn("%s '%s.json': no directory" % (option, missing),
                          proc.stderr)
            # Said at once: no TU was analysed.
            self.assertNotIn("[1/8]", proc.stderr)
            self.assertNotIn("summary", proc.stderr)
        proc = self.audit(root, "-o", os.path.join(root, "src"), check=ERROR)
        self.assertIn("is a directory", proc.stderr)
        self.assertNotIn("[1/8]", proc.stderr)

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
        self.assertEqual(proc.returncode, INCOMPLETE, proc.stderr)
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
        drop_broken(root)
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
        report = self.run_json(root, "--baseline", baseline, check=CLEAN)
        self.assertEqual(report["findings"], [])
        self.assertEqual(report["summary"]["baselineSuppressed"], 3)
        # The findings moved, the fingerprints did not.
        moved = self.run_json(root, check=FINDINGS)
        self.assertEqual(
            sorted(f["fingerprint"] for f in moved["findings"]),
            sorted(f["fingerprint"] for f in recorded))
        self.assertNotEqual([f["line"] for f in moved["findings"]],
                            [f["line"] for f in recorded])

        # A new bug: exit 1, and only it is reported.
        c = os.path.join(root, "src", "c.cpp")
        write(c, read(c) + "\n" + buggy_function("c_new_bug"))
        report = self.run_json(root, "--baseline", baseline, check=FINDINGS)
        self.assertEqual(len(report["findings"]), 1)
        self.assertEqual(report["findings"][0]["file"], "src/c.cpp")
        out = os.path.join(root, "new.sarif")
        self.audit(root, "--baseline", baseline, "--format=sarif", "-o", out,
                   check=1)
        self.assertEqual(len(json.loads(read(out))["runs"][0]["results"]), 1)

    def test_baseline_rewrite_keeps_entries_and_reports_resolved(self):
        root = self.copy_project("baseline-rewrite")
        drop_broken(root)
        baseline = os.path.join(root, "baseline.json")
        self.audit(root, "--write-baseline", baseline, check=CLEAN)
        doc = json.loads(read(baseline))
        self.assertEqual(len(doc["findings"]), 3)
        # A reviewer annotates an entry.
        for entry in doc["findings"]:
            if entry["file"] == "src/a.cpp":
                entry["comment"] = "known; fixed in #123"
        write(baseline, json.dumps(doc, indent=2))

        # A filtered run rewrites the baseline: what it did not analyse
        # stays, and so does the reviewer's comment.
        proc = self.audit(root, "src/a.cpp", "--write-baseline", baseline,
                          check=CLEAN)
        self.assertIn("kept from files this run did not analyse",
                      proc.stderr)
        after = json.loads(read(baseline))["findings"]
        self.assertEqual(sorted(e["file"] for e in after),
                         ["include/pipeline.h", "src/a.cpp",
                          "src/vendor.cpp"])
        a_entry = [e for e in after if e["file"] == "src/a.cpp"][0]
        self.assertEqual(a_entry["comment"], "known; fixed in #123")

        # a.cpp's own bug is fixed: the baseline entry is reported resolved.
        a = os.path.join(root, "src", "a.cpp")
        write(a, read(a).replace("if (!pipeline_remove(items[i]))\n"
                                 "          return;",
                                 "if (!pipeline_remove(items[i])) {\n"
                                 "          q.close();\n"
                                 "          return;\n        }"))
        report = self.run_json(root, "--baseline", baseline, check=CLEAN)
        self.assertEqual(report["summary"]["baselineResolved"], 1)
        self.assertEqual([e["file"] for e in
                          report["resolvedBaselineEntries"]], ["src/a.cpp"])
        proc = self.audit(root, "--baseline", baseline, check=CLEAN)
        self.assertIn("resolved baseline entries", proc.stderr)
        self.assertRegex(proc.stderr, r"src/a\.cpp:\d+: producer can block")
        # A filtered run does not call what it did not analyse resolved.
        report = self.run_json(root, "src/b.cpp", "--baseline", baseline,
                               check=CLEAN)
        self.assertEqual(report["resolvedBaselineEntries"], [])
        # Rewriting from the whole database drops the resolved entry.
        proc = self.audit(root, "--write-baseline", baseline, check=CLEAN)
        self.assertIn("removed resolved baseline entry src/a.cpp",
                      proc.stderr)
        self.assertEqual(len(json.loads(read(baseline))["findings"]), 2)

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
            self.assertIn(proc.returncode, (CLEAN, FINDINGS, INCOMPLETE))
            shard_reports.append(out)
        shards = [json.loads(read(p)) for p in shard_reports]
        self.assertEqual(
            sum(len(s["translationUnits"]) for s in shards), 8)
        self.assertEqual(shards[0]["shard"], {"index": 1, "count": 2})
        merged = os.path.join(root, "merged.json")
        self.run_cmd([ARGS.audit, "merge", *shard_reports, "--format=json",
                      "-o", merged], check=FULL)
        self.assertEqual(self.comparable(json.loads(read(merged))),
                         self.comparable(self.full))
        # The merge mode writes every format.
        sarif = os.path.join(root, "merged.sarif")
        self.run_cmd([ARGS.audit, "--merge", *shard_reports, "--format=sarif",
                      "-o", sarif], check=FULL)
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
        self.audit(root, "--export-fixes", fixes, check=FULL)
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
        self.assertEqual(bar.returncode, FULL)
        frames = [f for f in bar.stderr.decode().split("\r")
                  if " TUs | " in f]
        self.assertTrue(frames, bar.stderr)
        self.assertIn("8/8 TUs |    3 findings | 1 failed", frames[-1])
        # The line keeps its width (80 columns when stderr is no terminal,
        # less one), times are clocks, and it names a TU being analysed.
        widths = {len(f.split("\n")[0].split("\x1b")[0]) for f in frames}
        self.assertEqual(widths, {79}, frames)
        for f in frames:
            self.assertRegex(f, r"\| +\d+:\d\d elapsed \| ETA +(\d+:\d\d|-:--) \|")
        self.assertTrue(any(re.search(r"\| src/\S+\.cpp", f) for f in frames),
                        frames)
        lines = self.audit(root, check=FULL)  # stderr is a pipe: lines
        self.assertNotIn("\r", lines.stderr)
        self.assertEqual(len(re.findall(r"^\[\d/8\] ", lines.stderr, re.M)),
                         8)
        # Quiet: no progress and no summary, but the failure is said.
        quiet = self.audit(root, "--quiet", check=FULL)
        self.assertNotIn("[1/8]", quiet.stderr)
        self.assertNotIn("summary", quiet.stderr)
        self.assertIn("src/broken.cpp: failed to parse", quiet.stderr)
        drop_broken(root)
        quiet = self.audit(root, "--quiet", check=FINDINGS)
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
