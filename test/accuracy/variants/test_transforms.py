#!/usr/bin/env python3
#===- test_transforms.py - Unit tests of the variants generator ------------===//
#
# Part of fanout-tidy's accuracy benchmark (test/accuracy/variants/).
#
#   python3 -m unittest test/accuracy/variants/test_transforms.py
#   python3 test/accuracy/variants/test_transforms.py -v
#
# Each transformation gets tests that read the rendered C++ (the renamed
# program contains none of the old names; the depth-2 helper holds the loop
# two calls down; an empty optional leaves its loop by break, not return;
# ...) and that compile it (clang++ -fsyntax-only). The truth (a bug variant
# hangs, a fix variant exits 0) is generate.py's job; two run tests here
# keep the renderer honest without a plugin. CLANGXX picks the compiler.
#
#===------------------------------------------------------------------------===#

import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
import model  # noqa: E402
import seeds  # noqa: E402
import transforms as T  # noqa: E402

CLANGXX = os.environ.get("CLANGXX", "clang++-19")
HAVE_CLANG = shutil.which(CLANGXX) is not None


def code_only(text):
    """The program without comments and string literals."""
    text = re.sub(r'"(\\.|[^"\\])*"', '""', text)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r"/\*.*?\*/", "", text, flags=re.S)


def words(text):
    return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", code_only(text)))


def body_of(text, name):
    """The body (between its braces) of the function `name` defined in
    text: a line naming it with a parameter list and ending in '{'."""
    m = re.search(r"^[ \t]*[^\n;{}()]*\b%s\([^;{}]*\)[^;{}\n]*\{[ \t]*$"
                  % re.escape(name), text, re.M)
    if not m:
        raise AssertionError("no definition of %s" % name)
    i, depth = m.end(), 1
    while depth:
        c = text[i]
        depth += c == "{"
        depth -= c == "}"
        i += 1
    return text[m.end():i - 1]


def compiles(test, text, name="variant"):
    if not HAVE_CLANG:
        test.skipTest("%s not found" % CLANGXX)
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / (name + ".cpp")
        src.write_text(text)
        r = subprocess.run([CLANGXX, "-std=c++20", "-fsyntax-only", "-pthread",
                            str(src)], capture_output=True, text=True)
        test.assertEqual(r.returncode, 0, "%s does not compile:\n%s\n%s" % (
            name, r.stderr[:3000], text))


def twins(name):
    return seeds.by_name(name).twins()


def variant(name, tname, twin="bug", **params):
    bug, fix = twins(name)
    if twin == "bug":
        return T.apply(bug, [(tname, params)])
    return T.apply(fix, [(tname, params)], check_identity=False)


def queue_call_re(d, canonical):
    return r"(\.|->)%s\(" % re.escape(d.queue.m(canonical))


class Seeds(unittest.TestCase):
    def test_at_least_ten_distinct_seeds(self):
        self.assertGreaterEqual(len(seeds.SEEDS), 10)
        names = [s.name for s in seeds.SEEDS]
        self.assertEqual(len(names), len(set(names)))

    def test_seeds_differ_in_names(self):
        classes, parents, qvars = set(), set(), []
        for s in seeds.SEEDS:
            d = s.build("bug")
            self.assertNotIn(d.queue.cls, classes, s.name)
            self.assertNotIn(d.parent.name, parents, s.name)
            classes.add(d.queue.cls)
            parents.add(d.parent.name)
            qvars.append(d.parent.qvar)
        self.assertEqual(len(qvars), len(set(qvars)))

    def test_seeds_differ_in_structure(self):
        shapes = set()
        for s in seeds.SEEDS:
            d = s.build("bug")
            shape = (d.queue.kind, d.queue.pop_style, d.queue.closable,
                     d.holder, d.error_form, d.family) + tuple(
                (r.spawner, r.entry, r.depth, r.count is None)
                for r in d.roles.values())
            self.assertNotIn(shape, shapes, s.name)
            shapes.add(shape)
        self.assertGreaterEqual(len({s.build("bug").queue.kind
                                     for s in seeds.SEEDS}), 3)

    def test_real_bug_shapes_are_all_there(self):
        families = {s.family for s in seeds.SEEDS}
        self.assertEqual(families, {"stranded-producer", "stranded-consumer",
                                    "join-before-drain"})
        for name in ("deletecollection", "pzstd-writer", "scylla-reader-fails",
                     "scylla-end-marker", "convert-batch"):
            seeds.by_name(name)
        pz = seeds.by_name("pzstd-writer").build("bug")
        self.assertEqual(pz.roles["consumer"].spawner, "caller")
        self.assertEqual(pz.roles["consumer"].depth, 1)
        self.assertEqual(pz.error_form, "holder")

    def test_bug_marks_its_blocking_call_and_fix_does_not(self):
        for s in seeds.SEEDS:
            bug, fix = s.twins()
            self.assertIn(model.MARK, model.render(bug), s.name)
            self.assertNotIn(model.MARK, model.render(fix), s.name)
            self.assertIn("accuracy-family: %s" % s.family, model.render(fix))

    def test_every_seed_twin_compiles(self):
        for s in seeds.SEEDS:
            for d in s.twins():
                with self.subTest(seed=s.name, kind=d.kind):
                    compiles(self, model.render(d), s.name + "." + d.kind)


class Rename(unittest.TestCase):
    def test_no_old_name_remains_and_new_ones_appear(self):
        for s in seeds.SEEDS:
            for names in T.RENAME_SETS:
                bug, _ = s.twins()
                before = model.render(bug)
                old = bug.queue.names()
                v = T.rename_queue(bug, names)
                after = model.render(v)
                with self.subTest(seed=s.name, names=names):
                    self.assertFalse(set(old) & words(after),
                                     set(old) & words(after))
                    self.assertTrue(set(v.queue.names()) <= words(after))
                    self.assertFalse(set(v.queue.names()) & words(before))

    def test_renamed_program_compiles(self):
        for name in ("deletecollection", "libcoro-drain", "doris-result-buffer"):
            compiles(self, model.render(variant(name, "rename",
                                                names="conveyor")), name)

    def test_consistent(self):
        v = variant("scylla-end-marker", "rename", names="mailbox")
        text = model.render(v)
        self.assertIn("class Mailbox", text)
        self.assertIn("Mailbox<Record> ring(4);", text)
        self.assertRegex(text, r"ring\.deposit\(")
        self.assertRegex(text, r"ring\.collect\(\)")


class Helper(unittest.TestCase):
    def test_depth_two_has_the_loop_two_calls_down(self):
        for side, canonical in (("producer", "push"), ("consumer", "pop")):
            for passing in T.PASSING_WORDS:
                v = variant("deletecollection", "helper", side=side, depth=2,
                            passing=passing)
                r = v.roles[side]
                text = model.render(v)
                with self.subTest(side=side, passing=passing):
                    h1, h2 = r.helpers
                    self.assertRegex(body_of(text, h2),
                                     queue_call_re(v, canonical))
                    self.assertNotRegex(body_of(text, h1),
                                        queue_call_re(v, canonical))
                    self.assertRegex(body_of(text, h1), r"\b%s\(" % h2)
                    parent = body_of(text, v.parent.name)
                    self.assertRegex(parent, r"\b%s\(" % h1)
                    self.assertNotRegex(parent, r"\b%s\(" % h2)
                    self.assertNotRegex(parent, queue_call_re(v, canonical))
                    compiles(self, text)

    def test_depth_one_passing(self):
        v = variant("deletecollection", "helper", side="consumer", depth=1,
                    passing="ptr")
        text = model.render(v)
        self.assertIn("void deleteQueued(Channel<std::size_t> *toProcess,",
                      text)
        self.assertIn("toProcess->receive(index)", text)
        self.assertIn("deleteQueued(&toProcess, ", text)
        v = variant("deletecollection", "helper", side="consumer", depth=1,
                    passing="struct")
        text = model.render(v)
        self.assertIn("struct DeleteArgs {\n  Channel<std::size_t> &toProcess;",
                      text)
        self.assertIn("args.toProcess.receive(index)", text)
        self.assertIn("deleteQueued(DeleteArgs{toProcess, ", text)
        v = variant("deletecollection", "helper", side="producer", depth=1,
                    passing="ref")
        self.assertIn("void sendIndices(Channel<std::size_t> &toProcess, ",
                      model.render(v))

    def test_calling_thread_role_and_inline(self):
        # pzstd's writer runs on the calling thread, one helper down.
        v = variant("pzstd-writer", "helper", side="consumer", depth=2,
                    passing="ptr")
        text = model.render(v)
        self.assertRegex(body_of(text, "writeFrames"), r"outs->pop\(frame\)")
        self.assertRegex(body_of(text, "writeFile"), r"writeFrames\(outs, ")
        v = variant("pzstd-writer", "helper", side="consumer", depth=0)
        text = model.render(v)
        self.assertNotIn("writeFile", text)
        self.assertRegex(body_of(text, "handleOneInput"), r"outs\.pop\(frame\)")
        compiles(self, text)

    def test_error_code_is_returned_up_the_helpers(self):
        v = variant("doris-result-buffer", "helper", side="consumer", depth=2,
                    passing="ref")
        text = model.render(v)
        self.assertIn("std::error_code transmit_batches(", text)
        self.assertIn("return transmit_batches(", body_of(text, "fetch_batches"))
        self.assertIn("return ec;", body_of(text, "transmit_batches"))
        compiles(self, text)

    def test_identity_is_not_a_variant(self):
        bug, _ = twins("pzstd-writer")
        with self.assertRaises(T.NotApplicable):
            T.apply(bug, [("helper", dict(side="producer", depth=1,
                                          passing="ref"))])


class Entry(unittest.TestCase):
    def test_free_function(self):
        v = variant("deletecollection", "entry", side="consumer", entry="free")
        text = model.render(v)
        body = body_of(text, "deleteItems")
        self.assertIn("toProcess.receive(index)", body)
        self.assertIn("pool.emplace_back(deleteItems, std::ref(toProcess), "
                      "std::cref(store)", text)
        self.assertNotIn("[&]", body_of(text, "deleteCollection").split(
            "distributor")[2])
        compiles(self, text)

    def test_member_function(self):
        v = variant("deletecollection", "entry", side="producer",
                    entry="member")
        text = model.render(v)
        self.assertIn("struct Distributor {", text)
        self.assertIn("std::thread distributor(&Distributor::run, "
                      "Distributor{toProcess, items});", text)
        self.assertRegex(body_of(text, "run"), r"toProcess\.send\(i\)")
        compiles(self, text)

    def test_member_function_of_the_queue_holder(self):
        bug, _ = twins("deletecollection")
        v = T.apply(bug, [("holder", dict(holder="member")),
                          ("entry", dict(side="producer", entry="member"))])
        text = model.render(v)
        self.assertIn("std::thread distributor(&DeleteCollectionJob::distribute"
                      ", this, std::cref(items));", text)
        self.assertRegex(body_of(text, "distribute"), r"toProcess_\.send\(i\)")
        compiles(self, text)

    def test_functor(self):
        v = variant("deletecollection", "entry", side="consumer",
                    entry="functor")
        text = model.render(v)
        self.assertIn("void operator()() {", text)
        self.assertIn("pool.emplace_back(DeleteWorker{toProcess, store, items, "
                      "errs});", text)
        compiles(self, text)

    def test_not_for_the_calling_thread(self):
        bug, _ = twins("pzstd-writer")
        with self.assertRaises(T.NotApplicable):
            T.lambda_to_function(bug, "consumer", "free")


class Spawner(unittest.TestCase):
    def test_each_spawner(self):
        want = {"jthread": r"std::vector<std::jthread> pool;",
                "async": r"pool\.push_back\(std::async\(std::launch::async, ",
                "pool": r"TaskPool pool\(workers\);\n\s+for .*\n\s+pool\.submit"}
        for sp, pattern in want.items():
            v = variant("deletecollection", "spawner", side="consumer",
                        spawner=sp)
            text = model.render(v)
            with self.subTest(spawner=sp):
                self.assertRegex(text, pattern)
                compiles(self, text)
        text = model.render(variant("deletecollection", "spawner",
                                    side="consumer", spawner="async"))
        self.assertIn("f.get();", text)

    def test_jthreads_wait_in_their_destructors(self):
        bug, _ = twins("deletecollection")
        v = T.apply(bug, [("spawner", dict(side="consumer", spawner="jthread")),
                          ("spawner", dict(side="producer", spawner="jthread"))])
        body = body_of(model.render(v), "deleteCollection")
        self.assertNotIn(".join()", body)
        self.assertRegex(body, r"\n  \{\n    std::jthread distributor")

    def test_join_before_drain_marks_the_scope_end(self):
        text = model.render(twins("thumbnail-scope")[0])
        self.assertIn("  } // accuracy: blocks\n  thumbnails.closeWriting();",
                      text)
        v = variant("thumbnail-scope", "spawner", side="producer",
                    spawner="thread")
        self.assertIn("t.join(); // accuracy: blocks", model.render(v))

    def test_a_seed_can_refuse(self):
        bug, _ = twins("clickhouse-cancel-throws")
        with self.assertRaises(T.NotApplicable):
            T.apply(bug, [("spawner", dict(side="producer", spawner="thread"))])


class Holder(unittest.TestCase):
    def test_member(self):
        v = variant("deletecollection", "holder", holder="member")
        text = model.render(v)
        self.assertIn("explicit DeleteCollectionJob(int workers) : "
                      "toProcess_(2 * workers) {}", text)
        self.assertIn("Channel<std::size_t> toProcess_;", text)
        self.assertIn("DeleteCollectionJob job(4);", text)
        self.assertIn("job.deleteCollection(store, items, 4);", text)
        self.assertNotRegex(text, r"\btoProcess\.")
        compiles(self, text)

    def test_shared_ptr(self):
        v = variant("deletecollection", "holder", holder="shared_ptr")
        text = model.render(v)
        self.assertIn("auto toProcess = std::make_shared<Channel<std::size_t>>"
                      "(2 * workers);", text)
        self.assertIn("[toProcess, &items]", text)
        self.assertIn("toProcess->send(i)", text)
        compiles(self, text)

    def test_local_from_member(self):
        v = variant("concord-reply-stream", "holder", holder="local")
        text = model.render(v)
        self.assertIn("ReplyQueue<Reply> inbox(4);", text)
        self.assertNotIn("class ReplyStream", text)
        compiles(self, text)


class Error(unittest.TestCase):
    def test_exception(self):
        v = variant("deletecollection", "error", form="exception")
        text = model.render(v)
        self.assertIn('throw std::runtime_error("delete failed: etcd '
                      'unavailable");', text)
        self.assertIn("} catch (const std::exception &e) {\n"
                      "        errs.add(e.what());", text)
        self.assertIn("int removed = store.remove(items[index]);", text)
        compiles(self, text)

    def test_error_code(self):
        v = variant("deletecollection", "error", form="error-code")
        text = model.render(v)
        self.assertIn("std::error_code remove(const std::string &key, int &out)"
                      " const {", text)
        self.assertIn("if (std::error_code ec = store.remove(items[index], "
                      "removed)) {", text)
        compiles(self, text)

    def test_optional_has_no_return_in_its_error_path(self):
        for name in ("deletecollection", "pzstd-writer", "doris-result-buffer",
                     "qlever-destructor-order"):
            v = variant(name, "error", form="optional")
            text = model.render(v)
            with self.subTest(seed=name):
                m = re.search(r"std::optional<[^>]+> (\w+) = \w+\.\w+\(.*\);\n"
                              r"(\s*)if \(!\1\) \{\n(.*?)\n\2\}", text, re.S)
                self.assertTrue(m, text)
                self.assertIn("break;", m.group(3))
                self.assertNotIn("return", m.group(3))
                self.assertIn("return std::nullopt;", text)
                compiles(self, text)

    def test_return_from_the_calling_thread_is_a_break(self):
        v = variant("qlever-destructor-order", "error", form="return")
        text = model.render(v)
        inline = body_of(text, "buildIndex")
        self.assertIn("break;", inline)
        self.assertNotIn("return", inline)

    def test_fix_reactions_survive(self):
        # The fix twin's error path still closes (libcoro) or still drains
        # (pzstd) in every form.
        for form in ("return", "error-code", "optional"):
            v = variant("libcoro-drain", "error", twin="fix", form=form)
            m = re.search(r"\{\n\s*clips\.shutdown\(\);\n\s*note\.keep",
                          model.render(v))
            self.assertTrue(m, form)
            v = variant("pzstd-writer", "error", twin="fix", form=form)
            self.assertIn("if (errorHolder.hasError())\n      continue;",
                          model.render(v))

    def test_not_without_an_error(self):
        bug, _ = twins("convert-batch")
        with self.assertRaises(T.NotApplicable):
            T.express_error_as(bug, "exception")


class QueueImpl(unittest.TestCase):
    def test_kinds(self):
        want = {"semaphore": "std::counting_semaphore<> room_, data_;",
                "cv-any": "std::condition_variable_any room_, data_;"}
        for kind, decl in want.items():
            text = model.render(variant("deletecollection", "queue-impl",
                                        kind=kind))
            self.assertIn(decl, text)
            compiles(self, text)
        text = model.render(variant("doris-result-buffer", "queue-impl",
                                    kind="cv"))
        self.assertIn("std::condition_variable _free_slots, _ready_batches;",
                      text)

    def test_no_semaphore_drain(self):
        bug, _ = twins("libcoro-drain")
        with self.assertRaises(T.NotApplicable):
            T.implement_queue_with(bug, "semaphore")


class Plan(unittest.TestCase):
    def test_sample_is_deterministic_and_covers_every_transformation(self):
        a = [v.ident for v in generate.sample_plan(seeds.SEEDS, 4)]
        b = [v.ident for v in generate.sample_plan(seeds.SEEDS, 4)]
        self.assertEqual(a, b)
        plan = generate.sample_plan(seeds.SEEDS, 4)
        per = {}
        for v in plan:
            for t, _ in v.steps:
                per.setdefault(t, set()).add(v.seed.name)
        for t in T.TRANSFORMATIONS:
            self.assertGreaterEqual(len(per.get(t.name, ())), 3, t.name)
        self.assertTrue(any(len(v.steps) == 2 for v in plan))
        self.assertEqual(sum(v.is_seed for v in plan), len(seeds.SEEDS))

    def test_compositions_change_both_dimensions(self):
        bug, _ = twins("deletecollection")
        v = T.apply(bug, [("rename", dict(names="mailbox")),
                          ("error", dict(form="exception"))])
        text = model.render(v)
        self.assertIn("class Mailbox", text)
        self.assertIn("throw std::runtime_error", text)
        self.assertIn("accuracy-variant: seed=deletecollection rename=mailbox "
                      "error=exception", text)
        compiles(self, text)

    def test_full_plan_variants_all_render(self):
        for v in generate.full_plan(seeds.SEEDS):
            for d in v.twins.values():
                model.render(d)


@unittest.skipUnless(HAVE_CLANG, "no compiler")
class Truth(unittest.TestCase):
    """Two variants actually run: the bug hangs, the fix prints the seed's
    fix's output."""

    def run_program(self, d, d_dir):
        src = Path(d_dir) / ("%s.%s.cpp" % (d.name, d.kind))
        src.write_text(model.render(d))
        exe = src.with_suffix("")
        subprocess.run([CLANGXX, "-std=c++20", "-O0", "-pthread", "-w",
                        str(src), "-o", str(exe)], check=True)
        try:
            r = subprocess.run([str(exe)], capture_output=True, text=True,
                               timeout=3)
            return r.returncode, r.stdout
        except subprocess.TimeoutExpired:
            return "hangs", None

    def test_runs(self):
        for name, steps in (
                ("deletecollection", [("helper", dict(side="consumer", depth=2,
                                                      passing="struct")),
                                      ("error", dict(form="optional"))]),
                ("scylla-end-marker", [("error", dict(form="error-code"))])):
            bug, fix = twins(name)
            with tempfile.TemporaryDirectory() as d:
                _, seed_out = self.run_program(fix, d)
                self.assertEqual(self.run_program(T.apply(bug, steps), d)[0],
                                 "hangs")
                code, out = self.run_program(T.apply(fix, steps), d)
                self.assertEqual((code, out), (0, seed_out))


if __name__ == "__main__":
    unittest.main()
