#!/usr/bin/env python3
"""fanout-audit --format=html, opened in a real browser.

Audits the generated project of audit_test.py, writes the HTML report, and
has Debian's chromium (headless, with every host name unresolvable: the page
must need no network) render it. On the rendered DOM (after the page's
script ran), checks:
  - the summary: findings per check (linked to the check's page in the
    repository) and per file;
  - each finding as a bug report: the blocking call then every note, in the
    order of the JSON report; the threads diagram; the code around each
    step with the steps under their lines; the fix as a diff;
  - the filters: the URL's fragment (#check=..., #file=..., #q=...) hides the
    other findings;
  - the TU that does not parse, with the compiler's error;
and takes a screenshot (a PNG of the page, left in --work-dir).

Usage: html_report_test.py --audit=<fanout-audit> --chromium=<chromium>
                           --source-dir=<repo> --work-dir=<dir>
"""

import argparse
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audit_test  # noqa: E402  (the generated project)

ARGS = None
CHECK = "fanout-stranded-producer"


class Node:
    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.text = [], []

    def all(self, tag=None, cls=None):
        for c in self.children:
            if ((tag is None or c.tag == tag) and
                    (cls is None or cls in c.attrs.get("class", "").split())):
                yield c
            yield from c.all(tag, cls)

    def first(self, tag=None, cls=None):
        return next(self.all(tag, cls), None)

    def content(self):
        return "".join(self.text) + "".join(c.content()
                                            for c in self.children)


class Tree(html.parser.HTMLParser):
    VOID = {"meta", "br", "input", "img", "link", "circle", "line", "hr"}

    def __init__(self, text):
        super().__init__()
        self.root = Node("#root", {}, None)
        self.cur = self.root
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        node = Node(tag, attrs, self.cur)
        self.cur.children.append(node)
        if tag not in self.VOID:
            self.cur = node

    def handle_startendtag(self, tag, attrs):
        self.cur.children.append(Node(tag, attrs, self.cur))

    def handle_endtag(self, tag):
        node = self.cur
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.cur = node.parent

    def handle_data(self, data):
        self.cur.text.append(data)


def chromium(*args, timeout=180):
    cmd = [ARGS.chromium, "--headless", "--no-sandbox", "--disable-gpu",
           "--disable-dev-shm-usage", "--no-first-run",
           "--disable-background-networking", "--disable-extensions",
           "--host-resolver-rules=MAP * ~NOTFOUND",
           "--user-data-dir=" + os.path.join(ARGS.work_dir, "profile"),
           *args]
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout)


def rendered(page, fragment=""):
    proc = chromium("--dump-dom", "file://" + page + fragment)
    if proc.returncode != 0 or "<html" not in proc.stdout:
        raise AssertionError("chromium --dump-dom failed (%d):\n%s" %
                             (proc.returncode, proc.stderr[-3000:]))
    return Tree(proc.stdout).root


class HtmlReportTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.root = os.path.join(ARGS.work_dir, "project")
        shutil.rmtree(cls.root, ignore_errors=True)
        audit_test.make_project(cls.root)
        cls.page = os.path.join(ARGS.work_dir, "report.html")
        cls.json = os.path.join(ARGS.work_dir, "report.json")
        for fmt, out in (("html", cls.page), ("json", cls.json)):
            proc = subprocess.run(
                # --root: the work dir may be inside a git work tree (a
                # build directory in the source tree).
                [ARGS.audit, "-p", os.path.join(cls.root, "build"), "-j2",
                 "--root", cls.root, "--quiet", "--format=" + fmt, "-o", out],
                cwd=cls.root, capture_output=True, text=True, timeout=600)
            # The broken TU: analysed with failures.
            assert proc.returncode == 3, proc.stderr
        cls.report = json.load(open(cls.json))
        cls.dom = rendered(cls.page)

    def test_self_contained(self):
        text = open(self.page).read()
        # Nothing to fetch: no external scripts, styles, images or fonts.
        self.assertNotRegex(text, r"<(script|img|link|iframe)[^>]+"
                                  r"(src|href)=\"(https?:)?//")
        self.assertNotRegex(text, r"url\(|@import")
        links = re.findall(r"href=\"([^\"]+)\"", text)
        for link in links:
            self.assertFalse(link.startswith(("http:", "https:", "//")),
                             link)

    def test_script_ran(self):
        body = self.dom.first("body")
        self.assertEqual(body.attrs.get("data-ready"), "true")
        count = [n for n in self.dom.all("span")
                 if n.attrs.get("id") == "shown-count"][0]
        self.assertEqual(count.content(), "3 of 3 findings shown")

    def test_summary_by_check_and_file(self):
        by_check = [t for t in self.dom.all("table")
                    if t.attrs.get("id") == "by-check"][0]
        rows = {r.attrs["data-check"]: r for r in by_check.all("tr")
                if "data-check" in r.attrs}
        self.assertEqual(set(rows), {CHECK})
        self.assertEqual(rows[CHECK].first("td", "count").content(), "3")
        doc = rows[CHECK].first("a", "doc").attrs["href"]
        page = os.path.join(os.path.realpath(ARGS.source_dir), "docs",
                            "checks", CHECK + ".md")
        self.assertEqual(doc, "file://" + page)
        by_file = [t for t in self.dom.all("table")
                   if t.attrs.get("id") == "by-file"][0]
        files = [r.attrs["data-file"] for r in by_file.all("tr")
                 if "data-file" in r.attrs]
        self.assertEqual(files, ["include/pipeline.h", "src/a.cpp",
                                 "src/vendor.cpp"])

    def test_each_finding_is_a_bug_report(self):
        articles = list(self.dom.all("article", "finding"))
        self.assertEqual(len(articles), 3)
        for article, finding in zip(articles, self.report["findings"]):
            self.assertEqual(article.attrs["data-file"], finding["file"])
            self.assertEqual(article.attrs["data-check"], finding["check"])
            # The story: the blocking call, then every note, in order.
            steps = [li.first("span").content()
                     for li in article.first("ol", "steps").all("li")]
            self.assertEqual(steps, ["blocking call: " + finding["message"]] +
                             [n["message"] for n in finding["notes"]])
            # The threads as lanes with numbered steps.
            svg = article.first("svg", "threads")
            self.assertIsNotNone(svg, finding["file"])
            lanes = [t.content() for t in svg.all("text", "lane")]
            self.assertIn("producer", lanes)
            self.assertIn("consumers", lanes)
            self.assertGreaterEqual(len(list(svg.all("circle"))), 4)
            # The code: the warning's line marked, its message under it.
            lines = {int(tr.attrs["data-line"]): tr
                     for tr in article.all("tr", "line")}
            self.assertIn("marked", lines[finding["line"]].attrs["class"])
            source = open(os.path.join(self.root, finding["file"])).read()
            want = source.split("\n")[finding["line"] - 1].strip()
            self.assertIn(want, lines[finding["line"]].content())
            bubbles = [b.content() for b in article.all("tr", "bubble")]
            for note in finding["notes"]:
                if note["file"] == finding["file"]:
                    self.assertTrue(any(note["message"] in b
                                        for b in bubbles), note)
            # The fix as a diff, when the finding has one.
            if finding["fixes"]:
                diff = article.first("pre", "diff")
                added = [s.content() for s in diff.all("span", "add")]
                self.assertTrue(any("q.close();" in a for a in added) or
                                any("push" in a for a in added), added)
                title = article.first("div", "main").first("h4").content()
                fix_note = [n["message"] for n in finding["notes"]
                            if n["message"].startswith("fix: ")][0]
                self.assertEqual(title, "Fix: " + fix_note[len("fix: "):])

    def test_filters_from_the_fragment(self):
        for fragment, shown in (("#file=src/vendor.cpp", ["src/vendor.cpp"]),
                                ("#check=" + CHECK, ["include/pipeline.h",
                                                     "src/a.cpp",
                                                     "src/vendor.cpp"]),
                                ("#q=vendor::Pipe", ["src/vendor.cpp"]),
                                ("#check=none", [])):
            dom = rendered(self.page, fragment)
            visible = [a.attrs["data-file"]
                       for a in dom.all("article", "finding")
                       if "hidden" not in a.attrs]
            self.assertEqual(visible, shown, fragment)

    def test_failed_unit_with_compiler_error(self):
        failures = [s for s in self.dom.all("section")
                    if s.attrs.get("id") == "failures"][0]
        text = failures.content()
        self.assertIn("src/broken.cpp", text)
        self.assertRegex(text, r"src/broken\.cpp:3:\d+")

    def test_screenshot(self):
        png = os.path.join(ARGS.work_dir, "report.png")
        if os.path.exists(png):
            os.remove(png)
        proc = chromium("--hide-scrollbars", "--window-size=1280,1600",
                        "--screenshot=" + png, "file://" + self.page)
        self.assertTrue(os.path.exists(png), proc.stderr[-3000:])
        with open(png, "rb") as f:
            head = f.read(24)
        self.assertEqual(head[:8], b"\x89PNG\r\n\x1a\n")
        width, height = struct.unpack(">II", head[16:24])
        self.assertEqual((width, height), (1280, 1600))
        self.assertGreater(os.path.getsize(png), 20000)  # not a blank page
        print("screenshot:", png, file=sys.stderr)


def main():
    global ARGS
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--audit", required=True)
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--source-dir", required=True)
    parser.add_argument("--work-dir", required=True)
    ARGS, rest = parser.parse_known_args()
    ARGS.audit = os.path.abspath(ARGS.audit)
    ARGS.work_dir = os.path.abspath(ARGS.work_dir)
    os.makedirs(ARGS.work_dir, exist_ok=True)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
