#!/usr/bin/env python3
#===- lsp_test.py - fanout-clangd as a real LSP server --------------------===//
#
# Part of fanout-tidy. Starts fanout-clangd over stdio on a generated
# workspace and talks to it as an editor would (JSON-RPC with Content-Length
# framing, standard library only). Every wait has a deadline, the server is
# killed at the end whatever happens, and the whole run is bounded by --budget.
#
#===------------------------------------------------------------------------===#
r"""
Session "editor" -- workspace root: a .clang-tidy that enables fanout-* (and
misc-const-correctness, a stock check clangd's FastCheckFilter drops), no
.clangd; files from examples/:
  1. inline.cpp (mission.cpp with its queue class in the file, so the queue is
     inferred from its code) -> fanout-stranded-producer at the blocking push,
     source clang-tidy, relatedInformation at the consumer's return and both
     spawn sites; with no .clangd anywhere, this is also the FastCheckFilter
     test: the default (Strict) does not drop fanout-* checks;
  2. textDocument/codeAction on it -> quick fixes titled by what they do
     (the main one by its "fix: ..." note, and preferred; alternatives
     without "alternatively, "; clangd's NOLINT ones never preferred), the
     diagnostic's link at the check's own page in the repository (not
     clang.llvm.org); each WorkspaceEdit applied locally; one inserts
     q.close(); sending the fixed text clears the warning;
  3. didChange into half-typed states (cut mid-function, mid-token, in an open
     lambda, mid-class), each answered by publishDiagnostics for its version
     and a documentSymbol reply, then a burst of unanswered edits, then the
     original text -> the warning again, hover answers;
  4. configured/mission.cpp (queue class in a header, named in a .clangd's
     CheckOptions, as docs/editors.md says) -> the warning with its notes;
  5. mission.cpp (header queue, nothing named) -> reported: clangd skips
     header function bodies, and the queue is recognised from its
     declarations instead;
  6. slow.cpp -> no misc-const-correctness: the filter still drops checks
     clangd considers slow (the exemption covers fanout-* only).
Session "opt-out" -- a .clangd with FastCheckFilter: None and Remove: fanout-*:
  7. slow.cpp -> misc-const-correctness now shows (so 6 proved the filter);
  8. inline.cpp -> no fanout-* diagnostic (users can turn ours off in .clangd).
Also: --version names fanout-tidy and LLVM.
"""

import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

CHECK = "fanout-stranded-producer"
SLOW_STOCK_CHECK = "misc-const-correctness"


class TestFailure(Exception):
    pass


def expect(cond, message):
    if not cond:
        raise TestFailure(message)


class Deadline:
    """The whole run's budget; every wait takes the smaller of its own timeout
    and what is left."""

    def __init__(self, seconds):
        self.end = time.monotonic() + seconds

    def left(self, timeout):
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise TestFailure("test budget exhausted")
        return min(timeout, remaining)


class Server:
    def __init__(self, name, cmd, cwd, env, deadline, log_dir):
        self.name = name
        self.deadline = deadline
        self.log_path = Path(log_dir) / f"{name}.stderr.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.inbox = queue.Queue()
        self.notifications = []  # received, not yet consumed
        self.next_id = 1
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # -- transport ----------------------------------------------------------
    def _read_stdout(self):
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        self.inbox.put(None)
                        return
                    line = line.strip()
                    if not line:
                        break
                    key, _, value = line.partition(b":")
                    if key.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = out.read(length)
                if len(body) < length:
                    self.inbox.put(None)
                    return
                self.inbox.put(json.loads(body))
        except Exception as e:  # a broken frame is a test failure, not a hang
            self.inbox.put({"__reader_error__": repr(e)})

    def _read_stderr(self):
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):
            self._log.write(chunk)
            self._log.flush()

    def send(self, message):
        message["jsonrpc"] = "2.0"
        body = json.dumps(message).encode()
        frame = b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        with self._write_lock:
            try:
                self.proc.stdin.write(frame)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError):
                raise TestFailure(f"{self.name}: server closed its input "
                                  f"(exit code {self.proc.poll()})")

    def _receive(self, timeout):
        try:
            message = self.inbox.get(timeout=self.deadline.left(timeout))
        except queue.Empty:
            return None
        if message is None:
            raise TestFailure(f"{self.name}: server closed its output "
                              f"(exit code {self.proc.poll()})")
        if "__reader_error__" in message:
            raise TestFailure(f"{self.name}: bad frame: "
                              f"{message['__reader_error__']}")
        if "method" in message and "id" in message:
            # A request from the server (e.g. workDoneProgress/create):
            # answer it, and report "nothing for the caller".
            self.send({"id": message["id"], "result": None})
            return {}
        return message

    def _wait(self, accept, timeout, what):
        end = time.monotonic() + timeout
        while True:
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise TestFailure(f"{self.name}: no {what} within {timeout}s")
            message = self._receive(remaining)
            if not message:  # timed out this round, or a server request
                continue
            if "id" in message and "method" not in message:
                if accept(message):
                    return message
                continue
            self.notifications.append(message)
            if accept(message):
                return message

    # -- LSP ----------------------------------------------------------------
    def request(self, method, params, timeout=20):
        rid = self.next_id
        self.next_id += 1
        self.send({"id": rid, "method": method, "params": params})
        start = time.monotonic()
        response = self._wait(
            lambda m: m.get("id") == rid and "method" not in m, timeout,
            f"answer to {method}")
        if "error" in response:
            raise TestFailure(f"{self.name}: {method} failed: "
                              f"{response['error']}")
        return response.get("result"), time.monotonic() - start

    def notify(self, method, params):
        self.send({"method": method, "params": params})

    def diagnostics(self, uri, version=None, timeout=30):
        """The first publishDiagnostics for uri (for that version, when the
        server reports versions) not consumed yet."""

        def match(m):
            if m.get("method") != "textDocument/publishDiagnostics":
                return False
            p = m["params"]
            if p["uri"] != uri:
                return False
            return version is None or p.get("version") in (None, version)

        for i, m in enumerate(self.notifications):
            if match(m):
                del self.notifications[i]
                return m["params"]
        m = self._wait(match, timeout, f"diagnostics for {uri} v{version}")
        self.notifications.remove(m)
        return m["params"]

    def alive(self):
        return self.proc.poll() is None

    def shutdown(self):
        """Polite shutdown with deadlines; kill if anything is late."""
        code = None
        try:
            if self.alive():
                self.request("shutdown", None, timeout=10)
                self.notify("exit", None)
                code = self.proc.wait(timeout=min(10, max(
                    0.1, self.deadline.end - time.monotonic())))
        except (TestFailure, subprocess.TimeoutExpired):
            code = None
        finally:
            self.kill()
        return code

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        self._log.close()

    def stderr_tail(self, lines=40):
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])


# -- helpers ----------------------------------------------------------------
def uri_of(path):
    return Path(path).resolve().as_uri()


def offset_of(text, position):
    """LSP position (UTF-16 code units; our files are ASCII) -> offset."""
    lines = text.split("\n")
    line = position["line"]
    if line >= len(lines):
        return len(text)
    return sum(len(l) + 1 for l in lines[:line]) + min(
        position["character"], len(lines[line]))


def apply_edits(text, edits):
    spans = sorted(((offset_of(text, e["range"]["start"]),
                     offset_of(text, e["range"]["end"]), e["newText"])
                    for e in edits), key=lambda s: (s[0], s[1]), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def apply_workspace_edit(edit, uri, text):
    """Applies the edits of a WorkspaceEdit that touch uri."""
    edits = list((edit.get("changes") or {}).get(uri, []))
    for change in edit.get("documentChanges") or []:
        if change.get("textDocument", {}).get("uri") == uri:
            edits.extend(change["edits"])
    return apply_edits(text, edits), len(edits)


def line_of(text, needle, start=0):
    for i, line in enumerate(text.split("\n")):
        if i >= start and needle in line:
            return i
    raise TestFailure(f"test input has no line with {needle!r}")


def ours(diags):
    return [d for d in diags if d.get("code") == CHECK]


def named(diags, code):
    return [d for d in diags if d.get("code") == code]


def describe(diags):
    return json.dumps([{k: d.get(k) for k in ("code", "source", "message")}
                       for d in diags], indent=1)


# -- workspace ----------------------------------------------------------------
# The header-queue setup of docs/editors.md: the class named for the editor
# only, in .clangd (the root .clang-tidy still enables the checks).
CONFIGURED_CLANGD = """\
Diagnostics:
  ClangTidy:
    CheckOptions:
      fanout-stranded-producer.QueueTypes: BoundedQueue
"""

SLOW_CPP = """\
int twice(int v) {
  int doubled = v * 2;
  return doubled;
}
"""


# A queue that cannot be closed (a semaphore ring with a non-blocking put):
# the quick fix is the stop signal, which also adds #include <atomic>. The
# program is the run test's, without its comments (whose CHECK lines would
# already contain the fixed code).
STOP_SIGNAL_CPP = "".join(
    line for line in (Path(__file__).resolve().parent.parent / "run" /
                      "semaphore-ring.cpp").read_text().splitlines(True)
    if not line.lstrip().startswith("//"))


def make_workspace(root, examples):
    """root/.clang-tidy only enables the checks (plus a stock check clangd
    deems slow); root/configured/ is the header-queue setup of
    docs/editors.md (a .clangd naming the queue class)."""
    root = Path(root)
    mission = (examples / "mission.cpp").read_text()
    header = (examples / "bounded_queue.h").read_text()
    # The mission program with the queue class in the main file: clangd
    # parses the bodies of main-file functions, so the queue is inferred.
    inline = header.replace("#pragma once", "") + "\n" + mission.replace(
        '#include "bounded_queue.h"', "")
    (root / "inline.cpp").write_text(inline)
    (root / "mission.cpp").write_text(mission)
    (root / "bounded_queue.h").write_text(header)
    (root / "slow.cpp").write_text(SLOW_CPP)
    (root / "stop_signal.cpp").write_text(STOP_SIGNAL_CPP)
    (root / ".clang-tidy").write_text("Checks: '-*,fanout-*,%s'\n"
                                      % SLOW_STOCK_CHECK)
    # clangd skips function bodies in headers, so a queue class defined in
    # a header is named in CheckOptions, in .clangd (docs/editors.md).
    configured = root / "configured"
    configured.mkdir()
    (configured / "mission.cpp").write_text(mission)
    (configured / "bounded_queue.h").write_text(header)
    (configured / ".clangd").write_text(CONFIGURED_CLANGD)
    files = [root / n for n in ("inline.cpp", "mission.cpp", "slow.cpp",
                                "stop_signal.cpp")]
    files.append(configured / "mission.cpp")
    (root / "compile_commands.json").write_text(json.dumps([
        {"directory": str(f.parent), "file": str(f),
         "arguments": ["clang++", "-std=c++20", "-c", f.name]}
        for f in files], indent=1))
    return mission, inline


def start(name, clangd, root, env, deadline, log_dir):
    # No background index: it would only compete for the CPU with the
    # diagnostics we wait for.
    server = Server(name, [clangd, "--background-index=false", "--log=info",
                           "--pretty=false"], root, env, deadline, log_dir)
    result, _ = server.request("initialize", {
        "processId": os.getpid(),
        "rootUri": uri_of(root),
        "capabilities": {
            "textDocument": {
                "publishDiagnostics": {"relatedInformation": True,
                                       "versionSupport": True},
                "codeAction": {"codeActionLiteralSupport": {
                    "codeActionKind": {"valueSet": ["quickfix", "refactor",
                                                    "source"]}}},
                "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
                "hover": {"contentFormat": ["plaintext"]},
                "synchronization": {"didSave": True},
            },
            "workspace": {"workspaceEdit": {"documentChanges": True}},
        },
    }, timeout=20)
    expect("capabilities" in result, f"{name}: bad initialize result")
    server.notify("initialized", {})
    return server


def open_file(server, path, text, version=1):
    server.notify("textDocument/didOpen", {"textDocument": {
        "uri": uri_of(path), "languageId": "cpp", "version": version,
        "text": text}})


def change(server, path, text, version):
    server.notify("textDocument/didChange", {
        "textDocument": {"uri": uri_of(path), "version": version},
        "contentChanges": [{"text": text}]})


def log(message):
    print(message, flush=True)


# -- the sessions -------------------------------------------------------------
def the_warning(published, text, uri, where, server):
    """The one fanout-stranded-producer diagnostic, checked: at the blocking
    push, from clang-tidy, a warning, with the notes as relatedInformation
    at the consumer's return and both spawn sites."""
    found = ours(published["diagnostics"])
    expect(len(found) == 1, f"expected one {CHECK} diagnostic on {where}, "
           f"got:\n{describe(published['diagnostics'])}\n"
           f"server log:\n{server.stderr_tail()}")
    diag = found[0]
    push_line = line_of(text, "q.push(")
    expect(diag["range"]["start"]["line"] == push_line,
           f"{where}: warning on line {diag['range']['start']['line'] + 1}, "
           f"expected the blocking push on line {push_line + 1}")
    expect(diag.get("source") == "clang-tidy",
           f"{where}: source is {diag.get('source')!r}, expected 'clang-tidy'")
    expect(diag.get("severity") == 2, f"{where}: severity "
           f"{diag.get('severity')}, expected 2 (warning)")
    related = diag.get("relatedInformation") or []
    related_lines = {r["location"]["range"]["start"]["line"] for r in related
                     if r["location"]["uri"] == uri}
    want = {
        "consumer exit (return)": line_of(text, "return;"),
        "consumer spawn site": line_of(text, "pool.emplace_back("),
        "producer spawn site": line_of(text, "std::thread producer("),
    }
    for what, line in want.items():
        expect(line in related_lines,
               f"{where}: no relatedInformation at the {what} (line "
               f"{line + 1}); got {json.dumps(related, indent=1)}")
    log(f"ok: {where}: {CHECK} at line {push_line + 1}, related: " +
        "; ".join(f"{r['location']['range']['start']['line'] + 1}: "
                  f"{r['message'][:60]}" for r in related))
    return diag


def check_titles(fixes, diag):
    """Quick fixes are titled by what they do; only the main one is
    preferred; the diagnostic links the check's page in the repository."""
    titles = [a["title"] for a in fixes]
    preferred = [a["title"] for a in fixes if a.get("isPreferred")]
    # The main fix is titled by the warning's "fix: ..." note (clangd
    # capitalizes it), without the explanation after ", so that".
    fix_notes = [r["message"] for r in diag.get("relatedInformation") or []
                 if r["message"].lower().startswith("fix: ")]
    expect(fix_notes, f"no 'fix:' note on the warning: {diag}")
    want_main = re.split(r", so that |; ", fix_notes[0][len("fix: "):])[0]
    expect(titles[0] == want_main.rstrip(" ."),
           f"main quick fix titled {titles[0]!r}, expected {want_main!r}")
    expect(preferred == [titles[0]],
           f"preferred quick fixes: {preferred!r}, expected the main one")
    expect(len(titles) >= 3, f"expected the alternatives too: {titles!r}")
    expect(any("on each consumer exit" in t for t in titles),
           f"no quick fix closing on each consumer exit: {titles!r}")
    for title in titles:
        expect(not title.lower().startswith(("alternatively", "producer can",
                                             "fix:")) and len(title) < 60,
               f"quick fix title is a sentence, not an action: {title!r}")
    href = (diag.get("codeDescription") or {}).get("href", "")
    repo = Path(__file__).resolve().parents[2]
    page = repo / "docs" / "checks" / f"{CHECK}.md"
    expect(href == page.as_uri() or
           href.endswith(f"/share/doc/fanout-tidy/checks/{CHECK}.md"),
           f"the diagnostic links {href!r}, not the check's page {page}")
    log(f"ok: quick fix titles {titles!r}, preferred {preferred!r}, "
        f"link {href}")


def editor_session(server, root, mission, inline, timings):
    root = Path(root)
    path = root / "inline.cpp"
    uri = uri_of(path)
    text = inline

    # 1. The warning, under a .clang-tidy that only enables the checks and
    #    no .clangd anywhere: FastCheckFilter (default Strict) keeps ours.
    open_file(server, path, text, 1)
    t0 = time.monotonic()
    published = server.diagnostics(uri, 1)
    timings["first diagnostics (preamble + AST)"] = time.monotonic() - t0
    diag = the_warning(published, text, uri, "inline.cpp (no .clangd)", server)

    # 2. Quick fixes: apply each; one inserts q.close().
    actions, took = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri},
        "range": diag["range"],
        "context": {"diagnostics": [diag], "only": ["quickfix"]},
    })
    timings["codeAction answer"] = took
    fixes = [a for a in actions or [] if "edit" in a]
    expect(fixes, f"no quick fix offered for {CHECK}: {actions}")
    check_titles(fixes, diag)
    close_fixed = None
    for action in fixes:
        fixed, n = apply_workspace_edit(action["edit"], uri, text)
        expect(n > 0, f"quick fix {action['title']!r} has no edit for {uri}")
        added = fixed.count("q.close()") - text.count("q.close()")
        log(f"ok: quick fix {action['title'][:70]!r}: {n} edit(s), "
            f"+{added} q.close()")
        if added > 0 and close_fixed is None:
            close_fixed = fixed
    expect(close_fixed is not None,
           "no quick fix inserts q.close(): " +
           ", ".join(repr(a["title"]) for a in fixes))
    version = 2
    change(server, path, close_fixed, version)
    after = server.diagnostics(uri, version)
    expect(not ours(after["diagnostics"]),
           f"{CHECK} still reported after applying the close() fix:\n"
           f"{describe(after['diagnostics'])}\nfixed text:\n{close_fixed}")
    log("ok: with the q.close() fix applied the warning is gone")

    # 3. Half-typed code, then back.
    body = text.index("int main()")
    cuts = {
        "mid-function (consumer loop)": text.index("while (q.pop(i))") + 9,
        "mid-token (q.pu)": text.index("q.push(") + 4,
        "open lambda": text.index("pool.emplace_back([&] {") + 23,
        "before the joins": text.index("for (auto &t : pool)"),
        "just inside main": body + len("int main() {"),
        "mid-class (queue push)": text.index("not_full_.wait("),
    }
    for what, cut in cuts.items():
        version += 1
        t0 = time.monotonic()
        change(server, path, text[:cut], version)
        server.diagnostics(uri, version)
        took = time.monotonic() - t0
        symbols, _ = server.request("textDocument/documentSymbol",
                                    {"textDocument": {"uri": uri}})
        expect(isinstance(symbols, list), "documentSymbol did not answer a "
               f"list for the half-typed text ({what})")
        expect(server.alive(), f"server died on half-typed text ({what})")
        log(f"ok: half-typed ({what}): diagnostics in {took:.2f}s, "
            f"documentSymbol answers")
    # A burst of keystrokes without waiting, as a fast typist produces.
    for cut in range(body, body + 400, 20):
        version += 1
        change(server, path, text[:cut], version)
    version += 1
    t0 = time.monotonic()
    change(server, path, text, version)
    back = server.diagnostics(uri, version)
    timings["diagnostics after restoring the text"] = time.monotonic() - t0
    expect(len(ours(back["diagnostics"])) == 1,
           f"{CHECK} not republished after restoring the text:\n"
           f"{describe(back['diagnostics'])}")
    q_line = line_of(text, "q.push(")
    hover, _ = server.request("textDocument/hover", {
        "textDocument": {"uri": uri},
        "position": {"line": q_line,
                     "character": text.split("\n")[q_line].index("q.")}})
    expect(hover and "contents" in hover, f"hover did not answer: {hover}")
    log("ok: restored text: warning republished, hover answers")

    # 4. The header-queue setup of docs/editors.md: the class named in the
    #    CheckOptions of a .clangd.
    configured = root / "configured" / "mission.cpp"
    open_file(server, configured, mission)
    published = server.diagnostics(uri_of(configured), 1)
    the_warning(published, mission, uri_of(configured),
                "configured/mission.cpp (queue in a header, named in .clangd)",
                server)

    # 5. The queue class in a header, nothing configured: clangd's preamble
    #    has no bodies for its methods, so the queue is recognised from its
    #    declarations (lib/src/QueueInference.cpp) and still reported.
    plain = root / "mission.cpp"
    open_file(server, plain, mission)
    published = server.diagnostics(uri_of(plain), 1)
    expect(ours(published["diagnostics"]),
           "mission.cpp (queue class in a header, no CheckOptions): no "
           f"{CHECK} warning\n{describe(published['diagnostics'])}")
    log("ok: mission.cpp (queue class in a header) reported from the "
        "queue's declarations")

    # 6. A queue without close: the quick fix raises a flag on the consumer's
    #    exit, retries the push with try_put, and includes <atomic>.
    stop = root / "stop_signal.cpp"
    open_file(server, stop, STOP_SIGNAL_CPP)
    published = server.diagnostics(uri_of(stop), 1)
    found = ours(published["diagnostics"])
    expect(len(found) == 1, "stop_signal.cpp: expected one diagnostic, got:"
           f"\n{describe(published['diagnostics'])}")
    diag = found[0]
    expect(diag["range"]["start"]["line"] ==
           line_of(STOP_SIGNAL_CPP, "ring.put(i)"),
           f"stop_signal.cpp: warning not at the blocking put: {diag}")
    actions, _ = server.request("textDocument/codeAction", {
        "textDocument": {"uri": uri_of(stop)},
        "range": diag["range"],
        "context": {"diagnostics": [diag], "only": ["quickfix"]},
    })
    fixes = [a for a in actions or [] if "edit" in a]
    expect(fixes, f"no quick fix for the queue without close: {actions}")
    fixed, n = apply_workspace_edit(fixes[0]["edit"], uri_of(stop),
                                    STOP_SIGNAL_CPP)
    for needle in ("#include <atomic>", "std::atomic<bool> ringClosed{false};",
                   "ringClosed = true;", "ring.try_put(i)"):
        expect(needle in fixed, f"the stop-signal quick fix lacks {needle!r}:"
               f"\n{fixed}")
    change(server, stop, fixed, 2)
    after = server.diagnostics(uri_of(stop), 2)
    expect(not ours(after["diagnostics"]),
           "still reported after the stop-signal quick fix:\n"
           f"{describe(after['diagnostics'])}\nfixed text:\n{fixed}")
    log(f"ok: stop-signal quick fix ({n} edits, #include <atomic> added) "
        "clears the warning")

    # 7. clangd's filter still drops a stock check it deems slow.
    slow = root / "slow.cpp"
    open_file(server, slow, SLOW_CPP)
    published = server.diagnostics(uri_of(slow), 1)
    expect(not named(published["diagnostics"], SLOW_STOCK_CHECK),
           f"{SLOW_STOCK_CHECK} ran under the default FastCheckFilter; the "
           "exemption must cover fanout-* only")
    log(f"ok: {SLOW_STOCK_CHECK} is still dropped by FastCheckFilter "
        "(the exemption covers fanout-* only)")


def opt_out_session(server, root, inline):
    slow = Path(root) / "slow.cpp"
    open_file(server, slow, SLOW_CPP)
    published = server.diagnostics(uri_of(slow), 1)
    expect(named(published["diagnostics"], SLOW_STOCK_CHECK),
           f"{SLOW_STOCK_CHECK} did not fire with FastCheckFilter: None, so "
           "its absence in the default session proves nothing:\n"
           f"{describe(published['diagnostics'])}")
    log(f"ok: FastCheckFilter: None: {SLOW_STOCK_CHECK} fires")
    path = Path(root) / "inline.cpp"
    open_file(server, path, inline)
    published = server.diagnostics(uri_of(path), 1)
    expect(not ours(published["diagnostics"]),
           f".clangd Remove: fanout-* did not turn {CHECK} off")
    log("ok: .clangd Remove: fanout-* turns our checks off")


def check_version(clangd, deadline):
    out = subprocess.run([clangd, "--version"], capture_output=True,
                         text=True, timeout=deadline.left(10))
    expect(out.returncode == 0, f"--version exited {out.returncode}")
    expect(re.search(r"clangd version \d+\.\d+", out.stdout),
           f"--version lacks clangd's own line:\n{out.stdout}")
    expect(re.search(r"fanout-tidy \d+\.\d+\.\d+", out.stdout) and
           re.search(r"LLVM \d+\.\d+\.\d+", out.stdout),
           f"--version lacks the fanout-tidy or LLVM version:\n{out.stdout}")
    log("ok: --version: " + out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    parser.add_argument("--clangd", required=True, help="fanout-clangd")
    parser.add_argument("--examples", required=True, type=Path,
                        help="examples/ (mission.cpp, bounded_queue.h)")
    parser.add_argument("--work-dir", type=Path,
                        help="where to create the workspace (kept on failure)")
    parser.add_argument("--budget", type=float, default=55,
                        help="seconds for the whole test")
    args = parser.parse_args()

    args.clangd = str(Path(args.clangd).resolve())
    args.examples = args.examples.resolve()
    deadline = Deadline(args.budget)
    started = time.monotonic()
    base = args.work_dir
    if base:
        base.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="fanout-clangd-", dir=base))
    # Keep the user's clangd config (~/.config/clangd/config.yaml) out.
    env = dict(os.environ, XDG_CONFIG_HOME=str(work / "xdg-config"))
    env.pop("CLANGD_FLAGS", None)
    timings = {}
    servers = []
    ok = False
    try:
        check_version(args.clangd, deadline)

        editor = work / "editor"
        editor.mkdir()
        mission, inline = make_workspace(editor, args.examples)
        server = start("editor", args.clangd, editor, env, deadline, work)
        servers.append(server)
        editor_session(server, editor, mission, inline, timings)
        expect(server.alive(), "server died during the session")
        code = server.shutdown()
        expect(code == 0, f"editor session: exit code {code} after "
               "shutdown/exit, expected 0")

        opt_out = work / "opt-out"
        opt_out.mkdir()
        _, inline = make_workspace(opt_out, args.examples)
        (opt_out / ".clangd").write_text(
            "Diagnostics:\n  ClangTidy:\n    FastCheckFilter: None\n"
            "    Remove: fanout-*\n")
        server = start("opt-out", args.clangd, opt_out, env, deadline, work)
        servers.append(server)
        opt_out_session(server, opt_out, inline)
        code = server.shutdown()
        expect(code == 0, f"opt-out session: exit code {code}")
        ok = True
    except (TestFailure, OSError, subprocess.SubprocessError) as e:
        log(f"FAIL: {e}")
        for s in servers:
            log(f"--- {s.name} server stderr (tail) ---\n{s.stderr_tail()}")
    finally:
        for s in servers:
            s.kill()
        for what, seconds in timings.items():
            log(f"time: {what}: {seconds:.3f}s")
        log(f"total: {time.monotonic() - started:.1f}s")
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"workspace and logs kept in {work}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
