#===- seeds.py - The seed fan-outs, as bug/fix twins ------------------------===//
#
# Part of fanout-tidy's accuracy benchmark (test/accuracy/variants/).
#
# Every seed re-expresses the shape of a real bug of the stranded-thread
# class (../../../../shared/docs/real-bugs.md; the mission's DeleteCollection)
# or one of the same protocol, as a FanOut (model.py). build(kind) gives the
# bug twin ('bug': hangs on every run) or the fix twin ('fix': exits 0 and
# prints the same thing on every run). The seeds differ from one another in
# their names, their queue, their spawners, where each role sits and how the
# error leaves, so that a transformation meets many shapes.
#
# A bug must hang whatever the scheduling: every consumer fails its first
# item, the queue is small and the items many; a producer that fails does so
# at a fixed item. What a program prints depends neither on timing nor on
# how the hang was cured.
#
#===------------------------------------------------------------------------===#

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from model import (ErrorLogSpec, FanOut, Parent, PoolSpec, QueueSpec, Role,
                   Service, Var, indent)


@dataclass
class Seed:
    name: str
    family: str
    build: Callable[[str], FanOut]

    def twins(self):
        return self.build("bug"), self.build("fix")


SEEDS = []


def seed(name, family):
    def register(fn):
        SEEDS.append(Seed(name, family, fn))
        return fn
    return register


def by_name(name):
    for s in SEEDS:
        if s.name == name:
            return s
    raise KeyError(name)


# ---------------------------------------------------------------------------
# 1. kubernetes DeleteCollection: the workers return on a delete error; the
#    distributor blocks forever in send. Fix (upstream's shape): once the
#    workers have all exited, the channel is closed and the distributor,
#    whose send now fails, stops.
# ---------------------------------------------------------------------------
@seed("deletecollection", "stranded-producer")
def deletecollection(kind):
    fix = kind == "fix"

    def distribute(t):
        lines = ["for (std::size_t i = 0; i < %s.size(); ++i) {" % t.v("items")]
        if fix:
            lines += ["  if (!%s)" % t.q("push", "i"), "    " + t.leave()]
        else:
            lines += ["  " + t.call("push", "i", blocks=True)]
        lines += ["}", t.call("close")]
        return lines

    def delete_items(t):
        lines = t.consume_loop("index")
        lines += indent(t.step("%s[index]" % t.v("items"), "removed"))
        lines.append("}")
        return lines

    def report(t):
        return ["if (errs.any()) {",
                '  std::printf("error: %s\\n", errs.first().c_str());',
                "  return 1;", "}",
                'std::printf("deleted %zu items\\n", items.size());',
                "return 0;"]

    steps = [("code", lambda t: ["ErrorList errs;"]), ("queue",),
             ("spawn", "producer"), ("spawn", "consumer"),
             ("wait", "consumer")]
    if fix:
        steps.append(("code", lambda t: [
            t.call("close") + " // the workers are gone: stop the distributor"]))
    steps += [("wait", "producer"), ("code", report)]

    return FanOut(
        name="deletecollection", family="stranded-producer", kind=kind,
        origin="kubernetes PR #105606 (registry.Store.DeleteCollection), "
               "re-expressed in C++",
        story=["A distributor sends item indices into a bounded channel;",
               "workers delete the items and return on the first error,",
               "telling nobody. With the store down every worker fails at",
               "once and the distributor blocks in send." if not fix else
               "once; the channel is closed after the workers are joined, so",
               *([] if not fix else ["the distributor's send fails and it stops."])],
        queue=QueueSpec(kind="cv", cls="Channel", item="std::size_t",
                        methods=dict(push="send", pop="receive", close="close"),
                        fields=dict(mutex="mutex_", not_full="room_",
                                    not_empty="data_", items="buffer_",
                                    capacity="capacity_", closed="closed_")),
        errors=ErrorLogSpec(cls="ErrorList", var="errs", record="add",
                            failed="any", first="first"),
        services=[Service(
            cls="Store", var="store", method="remove",
            in_decl="const std::string &key", out_type="int", ok="1",
            fails="!online_", message="delete failed: etcd unavailable",
            public="explicit Store(bool online) : online_(online) {}",
            private="bool online_;")],
        roles=dict(
            producer=Role(
                side="producer", name="distributor", var="distributor",
                body=distribute, uses=["items"], fn="distribute",
                worker="Distributor", helpers=("sendIndices", "sendRange"),
                args_struct="DistributeArgs"),
            consumer=Role(
                side="consumer", name="workers", var="pool", count="workers",
                body=delete_items, uses=["store", "items", "errs"], fails=True,
                service="store", fn="deleteItems", worker="DeleteWorker",
                helpers=("deleteQueued", "deleteLoop"),
                args_struct="DeleteArgs")),
        parent=Parent(
            name="deleteCollection", ret="int",
            params=[Var("store", "Store"),
                    Var("items", "std::vector<std::string>"),
                    Var("workers", "int", "value")],
            locals=[Var("errs", "ErrorList", "ref")],
            steps=steps, qvar="toProcess", cap="2 * workers",
            cap_params=["workers"], cls="DeleteCollectionJob", obj="job"),
        main=["std::vector<std::string> items;",
              "for (int i = 0; i < 100; ++i)",
              '  items.push_back("pod-" + std::to_string(i));',
              "Store store(false); // etcd is down: every delete fails",
              "@CALL(store, items, 4);",
              "return 0;"],
        holder="local", error_form="return")


# ---------------------------------------------------------------------------
# 2. facebook/zstd contrib/pzstd (issue #720, PR #733): a one-thread pool
#    runs the compressor, which pushes a frame per chunk through a helper;
#    the calling thread writes them out through a helper whose loop stops
#    once the error holder has an error. On a write error the compressor
#    blocks in push, and the pool's destructor joins it. Fix: keep draining
#    after the error.
# ---------------------------------------------------------------------------
@seed("pzstd-writer", "stranded-producer")
def pzstd_writer(kind):
    fix = kind == "fix"

    def compress_chunks(t):
        return ["for (std::size_t offset = 0; offset < %s.size(); offset += kChunkSize) {"
                % t.v("input"),
                "  Frame frame{offset / kChunkSize, compressChunk(%s.substr(offset, kChunkSize))};"
                % t.v("input"),
                "  " + t.call("push", "std::move(frame)", blocks=True),
                "}",
                t.call("close")]

    def write_file(t):
        lines = t.consume_loop("frame")
        lines += indent(t.step("frame", "written"))
        lines.append("}")
        return lines

    def report(t):
        return ["if (errorHolder.hasError())",
                '  std::printf("pzstd: %s\\n", errorHolder.getError().c_str());',
                "else",
                '  std::printf("pzstd: ok\\n");']

    return FanOut(
        name="pzstd-writer", family="stranded-producer", kind=kind,
        origin="facebook/zstd issue #720, PR #733 (contrib/pzstd)",
        story=["handleOneInput() starts the compressor on a one-thread pool;",
               "it pushes one frame per chunk into a queue of numThreads + 1.",
               "The calling thread writes the frames out; its loop ends as",
               "soon as the error holder has an error (the disk is full).",
               "The compressor is left blocked in push and the pool's",
               "destructor joins it." if not fix else
               "Fixed: the writer keeps popping after the error, only it no",
               *([] if not fix else ["longer writes, so the compressor finishes."])],
        queue=QueueSpec(kind="cv", cls="WorkQueue", item="Frame",
                        methods=dict(push="push", pop="pop", close="finish"),
                        fields=dict(mutex="mutex_", not_full="writerCv_",
                                    not_empty="readerCv_", items="queue_",
                                    capacity="maxSize_", closed="done_")),
        pool=PoolSpec(cls="ThreadPool", submit="add", join="joinAll"),
        types="""
            constexpr std::size_t kChunkSize = 1024;

            struct Frame {
              std::size_t index = 0;
              std::string data;
            };

            std::string compressChunk(const std::string &chunk) {
              // Run-length encode a run of identical bytes, enough for a test.
              return std::to_string(chunk.size()) + "x" + chunk.substr(0, 1);
            }
        """,
        errors=ErrorLogSpec(cls="ErrorHolder", var="errorHolder",
                            record="setError", failed="hasError",
                            first="getError"),
        services=[Service(
            cls="OutputFile", var="file", method="write",
            in_decl="const Frame &frame", out_type="std::size_t",
            ok="frame.data.size()", fails="spaceLeft_ < frame.data.size()",
            message="write failed: no space left on device",
            errc="no_space_on_device",
            public="explicit OutputFile(std::size_t spaceLeft) : spaceLeft_(spaceLeft) {}",
            private="std::size_t spaceLeft_;")],
        roles=dict(
            producer=Role(
                side="producer", name="compressor", var="executor",
                spawner="pool", body=compress_chunks, uses=["input"], depth=1,
                fn="compressAll", worker="Compressor",
                helpers=("asyncCompressChunks", "compressRange"),
                args_struct="CompressJob", args_var="job"),
            consumer=Role(
                side="consumer", name="writer", var="", spawner="caller",
                body=write_file, uses=["file", "errorHolder"], fails=True,
                service="file", fix_reaction="drain", depth=1,
                helpers=("writeFile", "writeFrames"),
                args_struct="WriteJob", args_var="job")),
        parent=Parent(
            name="handleOneInput", ret="void",
            params=[Var("input", "std::string"),
                    Var("file", "OutputFile"),
                    Var("numThreads", "int", "value")],
            locals=[Var("errorHolder", "ErrorHolder", "ref")],
            steps=[("code", lambda t: ["ErrorHolder errorHolder;"]), ("queue",),
                   ("spawn", "producer"), ("run", "consumer"),
                   ("wait", "producer"), ("code", report)],
            qvar="outs", cap="numThreads + 1", cap_params=["numThreads"],
            cls="InputHandler", obj="handler"),
        main=["std::string input(64 * kChunkSize, 'z');",
              "OutputFile file(0); // the disk is full",
              "@CALL(input, file, 2);",
              "return 0;"],
        holder="local", error_form="holder",
        shape_extra={"origin-exit": "loop-condition"})


# ---------------------------------------------------------------------------
# 3. scylladb #6241 / PR #6242: a producer reads fragments and hands them to
#    the shard appliers through one queue; when a read fails it returns
#    without ending the stream, and the appliers wait forever. The session
#    object owns the queue. Fix: end the stream on the error path too.
# ---------------------------------------------------------------------------
@seed("scylla-reader-fails", "stranded-consumer")
def scylla_reader_fails(kind):
    fix = kind == "fix"

    def read_fragments(t):
        return ["for (int pos = 0; pos < %s.size(); ++pos) {" % t.v("reader")] + \
            indent(t.step("pos", "fragment", use=lambda o: [
                t.call("push", "std::move(%s)" % o)])) + \
            ["}", t.call("close")]

    def apply_fragments(t):
        lines = t.consume_loop("fragment", blocks=True)
        lines += ["  %s.fetch_add(%s);" % (t.v("applied"),
                                           t.field("fragment", "rows")),
                  "}"]
        return lines

    def report(t):
        return ['std::printf("applied %d rows", applied.load());',
                "if (status.failed())",
                '  std::printf(", stream failed: %s", status.reason().c_str());',
                'std::printf("\\n");',
                "return status.failed() ? 1 : 0;"]

    return FanOut(
        name="scylla-reader-fails", family="stranded-consumer", kind=kind,
        origin="scylladb issue #6241, PR #6242 (multishard writer)",
        story=["A stream session reads fragments and hands them to its shard",
               "appliers through a queue it owns. A read error makes the",
               "reader return before it pushes the end of the stream, and",
               "the appliers wait for fragments that never come." if not fix
               else "the appliers would wait forever; fixed: the stream is",
               *([] if not fix else ["ended on the error path too."])],
        queue=QueueSpec(kind="cv-any", cls="FragmentQueue", item="Fragment",
                        methods=dict(push="push_eventually",
                                     pop="pop_eventually",
                                     close="push_end_of_stream"),
                        fields=dict(mutex="_lock", not_full="_not_full",
                                    not_empty="_not_empty", items="_buffer",
                                    capacity="_max_size", closed="_eos"),
                        pop_style="optional"),
        types="""
            struct Fragment {
              int partition = 0;
              int rows = 0;
            };
        """,
        errors=ErrorLogSpec(cls="StreamStatus", var="status", record="fail",
                            failed="failed", first="reason"),
        services=[Service(
            cls="SstableReader", var="reader", method="read",
            in_decl="int pos", out_type="Fragment",
            ok="Fragment{pos, pos % 3 + 1}", fails="pos == badPosition_",
            message="sstable read error",
            public="""
                SstableReader(int size, int badPosition) : size_(size), badPosition_(badPosition) {}
                int size() const { return size_; }
            """,
            private="int size_;\nint badPosition_;")],
        roles=dict(
            producer=Role(
                side="producer", name="reader", var="readerThread",
                spawner="jthread", body=read_fragments, uses=["reader"],
                fails=True, service="reader", fix_reaction="finish",
                finish=lambda t: [t.call("close")],
                fn="readAll", worker="FragmentReader",
                helpers=("pumpFragments", "pumpRange"),
                args_struct="PumpState", args_var="state"),
            consumer=Role(
                side="consumer", name="appliers", var="appliers",
                count="shards", index="shard", spawner="jthread",
                entry="functor", body=apply_fragments, uses=["applied"],
                fn="applyAll", worker="ShardApplier", method="apply",
                helpers=("applyFragments", "applyEach"),
                args_struct="ApplyState", args_var="state")),
        parent=Parent(
            name="stream", ret="int",
            params=[Var("reader", "SstableReader"),
                    Var("shards", "int", "value")],
            locals=[Var("status", "StreamStatus", "ref"),
                    Var("applied", "std::atomic<int>", "ref")],
            steps=[("code", lambda t: ["StreamStatus status;",
                                       "std::atomic<int> applied{0};"]),
                   ("queue",), ("spawn", "consumer"), ("spawn", "producer"),
                   ("wait", "producer"), ("wait", "consumer"),
                   ("code", report)],
            qvar="fragments", cap="4", cls="StreamSession", obj="session"),
        main=["SstableReader reader(40, 7); // fragment 7 cannot be read",
              "@CALL(reader, 3);",
              "return 0;"],
        holder="member", error_form="optional")


# ---------------------------------------------------------------------------
# 4. scylladb PR #6320 (issues #6272, #6248): the end-of-stream markers are
#    pushed after a step that can throw; when it throws, the consumers wait
#    for markers that never come. The ring has no close: the markers are the
#    only way to stop the consumers. Fix: push the markers on every path.
# ---------------------------------------------------------------------------
@seed("scylla-end-marker", "stranded-consumer")
def scylla_end_marker(kind):
    fix = kind == "fix"

    def markers(t):
        return ["for (int c = 0; c < %s; ++c)" % t.v("consumers"),
                "  " + t.call("push", "Record{-1, true}")]

    def produce(t):
        lines = ["for (long offset = 0; offset < %s; ++offset)" % t.v("total"),
                 "  " + t.call("push", "Record{offset, false}")]
        lines += t.step(t.v("total"), "indexBytes", loop=False)
        lines += markers(t)
        return lines

    def consume(t):
        lines = t.consume_loop("record", blocks=True,
                               end=lambda v: "%s.endOfStream" % v)
        lines += ["  %s.fetch_add(record.offset);" % t.v("checksum"), "}"]
        return lines

    def report(t):
        return ['std::printf("checksum %ld", checksum.load());',
                "if (failure.happened())",
                '  std::printf(", replay failed: %s", failure.what().c_str());',
                'std::printf("\\n");']

    return FanOut(
        name="scylla-end-marker", family="stranded-consumer", kind=kind,
        origin="scylladb PR #6320 (issues #6272, #6248): end-of-stream marker skipped",
        story=["The replayer pushes every record of a segment, seals the",
               "segment's index, and only then pushes one end marker per",
               "consumer. Sealing fails, the markers are skipped, and the",
               "consumers wait in get() for ever." if not fix else
               "consumer. Sealing fails; fixed: the markers are pushed on the",
               *([] if not fix else ["error path too."])],
        queue=QueueSpec(kind="semaphore", cls="BoundedRing", item="Record",
                        methods=dict(push="put", pop="get"),
                        fields=dict(mutex="mtx_", not_full="slots_",
                                    not_empty="filled_", items="ring_",
                                    capacity="size_"),
                        pop_style="value", closable=False),
        types="""
            struct Record {
              long offset = 0;
              bool endOfStream = false;
            };
        """,
        errors=ErrorLogSpec(cls="Failure", var="failure", record="set",
                            failed="happened", first="what"),
        services=[Service(
            cls="SegmentIndex", var="index", method="seal",
            in_decl="long records", out_type="std::size_t",
            ok="static_cast<std::size_t>(records) * 16", fails="readOnly_",
            message="cannot seal index: read-only file system",
            errc="read_only_file_system",
            public="explicit SegmentIndex(bool readOnly) : readOnly_(readOnly) {}",
            private="bool readOnly_;")],
        roles=dict(
            producer=Role(
                side="producer", name="replayer", var="replayer",
                entry="free", body=produce,
                uses=["total", "consumers", "index", "failure"], fails=True,
                service="index", fix_reaction="finish", finish=markers,
                fn="replayRecords", worker="Replayer",
                helpers=("replaySegment", "putRecords"),
                args_struct="ReplayContext", args_var="ctx"),
            consumer=Role(
                side="consumer", name="consumers", var="consumerThreads",
                count="consumers", index="c", entry="free", body=consume,
                uses=["checksum"], fn="consumeRecords", worker="RecordConsumer",
                helpers=("drainRing", "sumOffsets"),
                args_struct="ConsumeContext", args_var="ctx")),
        parent=Parent(
            name="replay", ret="void",
            params=[Var("index", "SegmentIndex"), Var("total", "long", "value"),
                    Var("consumers", "int", "value")],
            locals=[Var("failure", "Failure", "ref"),
                    Var("checksum", "std::atomic<long>", "ref")],
            steps=[("code", lambda t: ["Failure failure;",
                                       "std::atomic<long> checksum{0};"]),
                   ("queue",), ("spawn", "producer"), ("spawn", "consumer"),
                   ("wait", "producer"), ("wait", "consumer"),
                   ("code", report)],
            qvar="ring", cap="4", cls="SegmentReplay", obj="replayJob"),
        main=["SegmentIndex index(true); // mounted read-only",
              "@CALL(index, 10, 3);",
              "return 0;"],
        holder="local", error_form="exception")


# ---------------------------------------------------------------------------
# 5. join before drain (ifcpipeline PRs #24 and #28, re-expressed with
#    threads): each conversion worker posts one report per file into a small
#    outbox; the parent waits on every worker's future before it fetches the
#    reports. Fix: fetch them first, then wait.
# ---------------------------------------------------------------------------
@seed("convert-batch", "join-before-drain")
def convert_batch(kind):
    fix = kind == "fix"

    def convert(t):
        return ["for (std::size_t i = %s; i < %s.size(); i += %s)" %
                (t.v("w"), t.v("files"), t.v("jobs")),
                "  " + t.call("push", "FileReport{%s[i], countEntities(%s[i])}"
                              % (t.v("files"), t.v("files")))]

    def collect(t):
        return ["for (std::size_t i = 0; i < %s.size(); ++i) {" % t.v("files"),
                "  FileReport report = %s;" % t.q("pop"),
                "  %s += report.entities;" % t.v("entities"),
                "}"]

    steps = [("code", lambda t: ["long entities = 0;"]), ("queue",),
             ("spawn", "producer")]
    if fix:
        steps += [("run", "consumer"), ("wait", "producer")]
    else:
        steps += [("wait", "producer", True), ("run", "consumer")]
    steps.append(("code", lambda t: [
        'std::printf("%zu files, %ld entities\\n", files.size(), entities);',
        "return entities;"]))

    return FanOut(
        name="convert-batch", family="join-before-drain", kind=kind,
        origin="jonatanjacobsson/ifcpipeline PRs #24 and #28 (join before drain), "
               "re-expressed in C++",
        story=["Conversion workers post one report per file into an outbox",
               "of two. The parent waits for every worker before it fetches",
               "a single report, so the workers block on the full outbox" if not fix
               else "a single report... fixed: it fetches the reports first,",
               "and the parent waits for ever." if not fix else
               "then waits for the workers."],
        queue=QueueSpec(kind="cv", cls="Outbox", item="FileReport",
                        methods=dict(push="post", pop="fetch"),
                        fields=dict(mutex="lock_", not_full="spaceAvailable_",
                                    not_empty="reportAvailable_",
                                    items="pending_", capacity="limit_"),
                        pop_style="value", closable=False),
        types="""
            struct FileReport {
              std::string path;
              int entities = 0;
            };

            int countEntities(const std::string &path) {
              // Stand-in for parsing the model: a deterministic count.
              return static_cast<int>(path.size()) * 3;
            }
        """,
        roles=dict(
            producer=Role(
                side="producer", name="converters", var="converters",
                count="jobs", index="w", spawner="async", body=convert,
                uses=["files", "jobs", "w"], fn="convertShare",
                worker="Converter", helpers=("convertFiles", "convertEvery"),
                args_struct="ConvertTask", args_var="task"),
            consumer=Role(
                side="consumer", name="collector", var="", spawner="caller",
                body=collect, uses=["files", "entities"],
                helpers=("collectReports", "sumReports"),
                args_struct="CollectTask", args_var="task")),
        parent=Parent(
            name="convertBatch", ret="long",
            params=[Var("files", "std::vector<std::string>"),
                    Var("jobs", "int", "value")],
            locals=[Var("entities", "long", "ref")],
            steps=steps, qvar="outbox", cap="2", cls="BatchConverter",
            obj="converter"),
        main=["std::vector<std::string> files;",
              "for (int i = 0; i < 12; ++i)",
              '  files.push_back("model-" + std::to_string(i) + ".ifc");',
              "@CALL(files, 3);",
              "return 0;"],
        holder="local", error_form=None)


# ---------------------------------------------------------------------------
# 6. ClickHouse PR #45448 (issues #21831, #26688): the pulling side cancels
#    the pipeline, which throws, before it finishes the lazy output's queue;
#    the pipeline thread stays blocked in emplace and the pool waits for it
#    while the exception unwinds. Fix: finish the queue first.
# ---------------------------------------------------------------------------
@seed("clickhouse-cancel-throws", "stranded-producer")
def clickhouse_cancel_throws(kind):
    fix = kind == "fix"

    def produce(t):
        lines = ["for (std::size_t block = 0; block < %s.blocks(); ++block) {"
                 % t.v("source")]
        if fix:
            lines += ["  if (!%s)" % t.q("push", "Chunk{%s.rows(block)}" %
                                         t.v("source")),
                      "    " + t.leave()]
        else:
            lines += ["  " + t.call("push", "Chunk{%s.rows(block)}" %
                                    t.v("source"), blocks=True)]
        lines += ["}", t.call("close")]
        return lines

    def pull(t):
        lines = t.consume_loop("chunk")
        lines += indent(t.step("chunk", "sentRows"))
        lines.append("}")
        return lines

    def cancel(t):
        if fix:
            return [t.call("close") + " // first: wake the pipeline thread",
                    "pipeline.cancel();"]
        return ["pipeline.cancel(); // throws", t.call("close")]

    return FanOut(
        name="clickhouse-cancel-throws", family="stranded-producer", kind=kind,
        origin="ClickHouse PR #45448 (issues #21831, #26688): "
               "PullingAsyncPipelineExecutor::cancel",
        story=["The pipeline runs on a pool thread and emplaces chunks into",
               "the lazy output's queue of two. The client goes away; the",
               "puller cancels the pipeline, which throws before the queue",
               "is finished, and the pool waits for the pipeline thread" if not fix
               else "is finished... fixed: the queue is finished before the",
               "while the exception unwinds." if not fix else
               "cancel, so the pipeline thread stops."],
        queue=QueueSpec(kind="cv", cls="ConcurrentBoundedQueue", item="Chunk",
                        methods=dict(push="emplace", pop="pop", close="finish"),
                        fields=dict(mutex="queue_mutex", not_full="push_condition",
                                    not_empty="pop_condition", items="queue",
                                    capacity="max_fill", closed="is_finished")),
        pool=PoolSpec(cls="ThreadPool", submit="scheduleOrThrowOnError",
                      join="wait"),
        types="""
            struct Chunk {
              std::size_t rows = 0;
            };

            class BlockSource {
            public:
              explicit BlockSource(std::size_t blocks) : blocks_(blocks) {}
              std::size_t blocks() const { return blocks_; }
              std::size_t rows(std::size_t block) const { return 64 + block % 7; }

            private:
              std::size_t blocks_;
            };

            class PipelineExecutor {
            public:
              void cancel() { throw std::runtime_error("pipeline is already finishing"); }
            };
        """,
        errors=ErrorLogSpec(cls="QueryErrors", var="queryErrors",
                            record="push", failed="has", first="front"),
        services=[Service(
            cls="ClientConnection", var="client", method="send",
            in_decl="const Chunk &chunk", out_type="std::size_t",
            ok="chunk.rows", fails="!connected_",
            message="client has gone away", errc="connection_reset",
            public="explicit ClientConnection(bool connected) : connected_(connected) {}",
            private="bool connected_;")],
        roles=dict(
            producer=Role(
                side="producer", name="pipeline", var="pipelinePool",
                spawner="pool", body=produce, uses=["source"],
                fn="executePipeline", worker="PipelineTask",
                method="execute", helpers=("pushChunks", "pushBlocks"),
                args_struct="PipelineContext", args_var="context"),
            consumer=Role(
                side="consumer", name="puller", var="", spawner="caller",
                body=pull, uses=["client", "queryErrors"], fails=True,
                service="client", helpers=("pullChunks", "forwardChunks"),
                args_struct="PullContext", args_var="context")),
        parent=Parent(
            name="executeQuery", ret="void",
            params=[Var("source", "BlockSource"),
                    Var("client", "ClientConnection"),
                    Var("pipeline", "PipelineExecutor", "ref"),
                    Var("queryErrors", "QueryErrors", "ref")],
            steps=[("queue",), ("spawn", "producer"), ("run", "consumer"),
                   ("code", cancel), ("wait", "producer")],
            qvar="lazyOutput", cap="2", cls="LazyOutputFormat", obj="output"),
        main=["BlockSource source(50);",
              "ClientConnection client(false); // the client disconnected",
              "PipelineExecutor pipeline;",
              "QueryErrors queryErrors;",
              "try {",
              "  @CALL(source, client, pipeline, queryErrors);",
              "} catch (const std::exception &e) {",
              '  std::printf("cancel: %s\\n", e.what());',
              "}",
              'std::printf("query: %s\\n", queryErrors.front().c_str());',
              "return 0;"],
        holder="local", error_form="break",
        # A std::thread would be destroyed joinable while the exception
        # unwinds: std::terminate, not a hang.
        not_applicable={"spawner-producer-thread":
                        "the exception unwinds past the join: a joinable "
                        "std::thread terminates the program"})


# ---------------------------------------------------------------------------
# 7. ad-freiburg/qlever issue #3092: parser threads push batches into a
#    bounded queue whose destructor disables pushing; the index builder (the
#    calling thread) fails on its first write; the parser jthreads are joined
#    at the end of the scope, before the queue's destructor ever runs. Fix:
#    disablePush() before the joins.
# ---------------------------------------------------------------------------
@seed("qlever-destructor-order", "stranded-producer")
def qlever_destructor_order(kind):
    fix = kind == "fix"

    def parse(t):
        call = "parseBatch(batch, %s)" % t.v("triplesPerBatch")
        lines = ["for (int batch = %s; batch < %s; batch += %s) {" %
                 (t.v("w"), t.v("numBatches"), t.v("numParsers"))]
        if fix:
            lines += ["  if (!%s)" % t.q("push", call), "    " + t.leave()]
        else:
            lines += ["  " + t.call("push", call, blocks=True)]
        lines.append("}")
        return lines

    def build(t):
        lines = t.consume_loop("batch")
        lines += indent(t.step(t.item("batch"), "written"))
        lines.append("}")
        return lines

    steps = [("code", lambda t: ["BuildLog log;"]), ("queue",),
             ("spawn", "producer"), ("run", "consumer")]
    if fix:
        steps.append(("code", lambda t: [
            t.call("close") + " // before the parsers are joined"]))
    steps += [("wait", "producer"),
              ("code", lambda t: [
                  'std::printf("index build: %s\\n", log.failed() ? '
                  'log.firstError().c_str() : "done");'])]

    return FanOut(
        name="qlever-destructor-order", family="stranded-producer", kind=kind,
        origin="ad-freiburg/qlever issue #3092 (ThreadSafeQueue, parallel parser)",
        story=["Parser threads push triple batches into a bounded queue whose",
               "destructor disables pushing. The index builder fails on its",
               "first write; the parsers' jthreads are joined at the end of",
               "the scope, before the queue's destructor can run." if not fix
               else "the scope; fixed: pushing is disabled before that.",
               ],
        queue=QueueSpec(kind="cv", cls="ThreadSafeQueue", item="TripleBatch",
                        methods=dict(push="push", pop="pop",
                                     close="disablePush"),
                        fields=dict(mutex="mutex_",
                                    not_full="pushNotification_",
                                    not_empty="popNotification_",
                                    items="queue_", capacity="maxSize_",
                                    closed="pushDisabled_"),
                        pop_style="optional", close_in_dtor=True),
        types="""
            struct TripleBatch {
              int id = 0;
              std::vector<std::string> triples;
            };

            TripleBatch parseBatch(int id, int triplesPerBatch) {
              TripleBatch batch{id, {}};
              for (int i = 0; i < triplesPerBatch; ++i)
                batch.triples.push_back("<s" + std::to_string(id) + "> <p> <o" + std::to_string(i) + ">");
              return batch;
            }
        """,
        errors=ErrorLogSpec(cls="BuildLog", var="log", record="error",
                            failed="failed", first="firstError"),
        services=[Service(
            cls="IndexWriter", var="writer", method="writeBatch",
            in_decl="const TripleBatch &batch", out_type="std::size_t",
            ok="batch.triples.size()", fails="batch.triples.size() > budget_",
            message="vocabulary file: write error",
            public="explicit IndexWriter(std::size_t budget) : budget_(budget) {}",
            private="std::size_t budget_;")],
        roles=dict(
            producer=Role(
                side="producer", name="parsers", var="parsers",
                count="numParsers", index="w", spawner="jthread",
                entry="member", body=parse,
                uses=["numBatches", "numParsers", "triplesPerBatch", "w"],
                fn="runParser", worker="ParserWorker", method="parseShare",
                helpers=("parseAndPush", "pushBatches"),
                args_struct="ParserArgs", args_var="args"),
            consumer=Role(
                side="consumer", name="index builder", var="", spawner="caller",
                body=build, uses=["writer", "log"], fails=True,
                service="writer", helpers=("buildIndex", "consumeBatches"),
                args_struct="BuilderArgs", args_var="args")),
        parent=Parent(
            name="buildIndex", ret="void",
            params=[Var("writer", "IndexWriter"),
                    Var("numParsers", "int", "value"),
                    Var("numBatches", "int", "value"),
                    Var("triplesPerBatch", "int", "value")],
            locals=[Var("log", "BuildLog", "ref")],
            steps=steps, qvar="batches", cap="3", cls="IndexBuilder",
            obj="builder"),
        main=["IndexWriter writer(0); // no room for even one batch",
              "@CALL(writer, 2, 40, 5);",
              "return 0;"],
        holder="local", error_form="exception")


# ---------------------------------------------------------------------------
# 8. apache/doris issue #16203, PR #40055: fragment instances add row batches
#    to the result buffer (a bounded buffer on semaphores); the fetch thread
#    stops on its first transmit error, and nobody cancels the buffer, so the
#    fragments block in add_batch. Fix: cancel it on the error path.
# ---------------------------------------------------------------------------
@seed("doris-result-buffer", "stranded-producer")
def doris_result_buffer(kind):
    def add_batches(t):
        return ["for (int seq = 0; seq < %s; ++seq)" % t.v("batches_per_fragment"),
                "  " + t.call("push", "RowBatch{%s, seq, 1024}" %
                              t.v("fragment_id"), blocks=True)]

    def fetch(t):
        lines = t.consume_loop("batch")
        lines += indent(t.step("batch", "sent_bytes"))
        lines.append("}")
        return lines

    def report(t):
        return ["if (query_status.is_failed())",
                '  std::printf("query failed: %s\\n", query_status.message().c_str());',
                "else",
                '  std::printf("query finished\\n");']

    return FanOut(
        name="doris-result-buffer", family="stranded-producer", kind=kind,
        origin="apache/doris issue #16203, PR #40055 (BufferControlBlock)",
        story=["Fragment instances add row batches to the query's result",
               "buffer; the fetch thread transmits them to the front end and",
               "returns on the first transmit error without cancelling the",
               "buffer, so every fragment thread stays parked in add_batch."
               if kind == "bug" else
               "returns on the first transmit error; fixed: it cancels the",
               *([] if kind == "bug" else ["buffer first."])],
        queue=QueueSpec(kind="semaphore", cls="BufferControlBlock",
                        templated=False, item="RowBatch",
                        methods=dict(push="add_batch", pop="get_batch",
                                     close="cancel"),
                        fields=dict(mutex="_lock", not_full="_free_slots",
                                    not_empty="_ready_batches",
                                    items="_batch_queue",
                                    capacity="_buffer_limit",
                                    closed="_is_cancelled")),
        types="""
            struct RowBatch {
              int fragment_id = 0;
              int seq = 0;
              int num_rows = 0;
            };
        """,
        errors=ErrorLogSpec(cls="QueryStatus", var="query_status",
                            record="update", failed="is_failed",
                            first="message"),
        services=[Service(
            cls="FrontendClient", var="frontend", method="transmit",
            in_decl="const RowBatch &batch", out_type="std::size_t",
            ok="static_cast<std::size_t>(batch.num_rows) * 8",
            fails="!reachable_", message="transmit to frontend failed",
            errc="host_unreachable",
            public="explicit FrontendClient(bool reachable) : reachable_(reachable) {}",
            private="bool reachable_;")],
        roles=dict(
            producer=Role(
                side="producer", name="fragments", var="fragment_threads",
                count="num_fragments", index="fragment_id", entry="member",
                body=add_batches,
                uses=["batches_per_fragment", "fragment_id"],
                fn="execute_fragment", worker="FragmentInstance",
                method="execute", helpers=("send_batches", "send_rows"),
                args_struct="SinkContext", args_var="sink"),
            consumer=Role(
                side="consumer", name="fetcher", var="fetcher", body=fetch,
                uses=["frontend", "query_status"], fails=True,
                service="frontend", fix_reaction="finish",
                finish=lambda t: [t.call("close")],
                fn="fetch_results", worker="ResultFetcher", method="fetch",
                helpers=("fetch_batches", "transmit_batches"),
                args_struct="FetchContext", args_var="fetch")),
        parent=Parent(
            name="run_query", ret="void",
            params=[Var("frontend", "FrontendClient"),
                    Var("num_fragments", "int", "value"),
                    Var("batches_per_fragment", "int", "value")],
            locals=[Var("query_status", "QueryStatus", "ref")],
            steps=[("code", lambda t: ["QueryStatus query_status;"]),
                   ("queue",), ("spawn", "consumer"), ("spawn", "producer"),
                   ("wait", "consumer"), ("wait", "producer"),
                   ("code", report)],
            qvar="control_block", cap="4", cls="ResultSinkRunner",
            obj="runner"),
        main=["FrontendClient frontend(false); // the front end is unreachable",
              "@CALL(frontend, 3, 20);",
              "return 0;"],
        holder="shared_ptr", error_form="error-code")


# ---------------------------------------------------------------------------
# 9. jbaldwin/libcoro issue #401, PR #402 (rapidsai/rapidsmpf PR #577): the
#    producer finishes with shutdownDrain(), which waits until the ring is
#    empty; the consumer died on an exception, so it never empties. Fix: the
#    consumer shuts the ring down on its error path (and the drain leaves
#    once the ring is shut down).
# ---------------------------------------------------------------------------
@seed("libcoro-drain", "stranded-producer")
def libcoro_drain(kind):
    def produce(t):
        return ["for (int id = 0; id < %s; ++id)" % t.v("count"),
                "  " + t.call("push", "Clip{id, 24 + id}"),
                t.call("drain", blocks=True)]

    def transcode(t):
        lines = t.consume_loop("clip")
        lines += indent(t.step(t.item("clip"), "frames", use=lambda o: [
            "%s.fetch_add(%s);" % (t.v("framesDone"), o)]))
        lines.append("}")
        return lines

    def report(t):
        return ['std::printf("%s\\n", note.present() ? note.text().c_str() : "all clips transcoded");']

    return FanOut(
        name="libcoro-drain", family="stranded-producer", kind=kind,
        origin="jbaldwin/libcoro issue #401, PR #402 (ring_buffer::shutdown_drain); "
               "rapidsai/rapidsmpf PR #577",
        story=["The calling thread queues every clip and then waits in",
               "shutdownDrain() until the ring is empty. The transcoder dies",
               "on its first clip, an unsupported codec, so the ring never",
               "empties." if kind == "bug" else
               "empties... fixed: the transcoder shuts the ring down on its",
               *([] if kind == "bug" else ["error path, which ends the drain."])],
        queue=QueueSpec(kind="cv", cls="RingBuffer", item="Clip",
                        methods=dict(push="produce", pop="consume",
                                     close="shutdown", drain="shutdownDrain"),
                        fields=dict(mutex="bufferMutex_",
                                    not_full="notFullCv_",
                                    not_empty="notEmptyCv_",
                                    items="elements_", capacity="capacity_",
                                    closed="stopped_"),
                        pop_style="optional", drain=True),
        types="""
            struct Clip {
              int id = 0;
              int frames = 0;
            };
        """,
        errors=ErrorLogSpec(cls="FailureNote", var="note", record="keep",
                            failed="present", first="text"),
        services=[Service(
            cls="Transcoder", var="transcoder", method="transcode",
            in_decl="const Clip &clip", out_type="int", ok="clip.frames * 2",
            fails="!codecInstalled_", message="unsupported codec: av1",
            errc="not_supported",
            public="explicit Transcoder(bool codecInstalled) : codecInstalled_(codecInstalled) {}",
            private="bool codecInstalled_;")],
        roles=dict(
            producer=Role(
                side="producer", name="scheduler", var="", spawner="caller",
                body=produce, uses=["count"],
                helpers=("queueClips", "queueAndDrain"),
                args_struct="ScheduleArgs", args_var="schedule"),
            consumer=Role(
                side="consumer", name="transcoder", var="transcodeJob",
                spawner="async", body=transcode,
                uses=["transcoder", "note", "framesDone"], fails=True,
                service="transcoder", fix_reaction="finish",
                finish=lambda t: [t.call("close")],
                fn="transcodeClips", worker="TranscodeWorker",
                method="process", helpers=("transcodeAll", "transcodeEach"),
                args_struct="TranscodeArgs", args_var="work")),
        parent=Parent(
            name="transcodeBatch", ret="void",
            params=[Var("transcoder", "Transcoder"),
                    Var("count", "int", "value")],
            locals=[Var("note", "FailureNote", "ref"),
                    Var("framesDone", "std::atomic<int>", "ref")],
            steps=[("code", lambda t: ["FailureNote note;",
                                       "std::atomic<int> framesDone{0};"]),
                   ("queue",), ("spawn", "consumer"), ("run", "producer"),
                   ("wait", "consumer"), ("code", report)],
            qvar="clips", cap="16", cls="TranscodeSession", obj="session"),
        main=["Transcoder transcoder(false);",
              "@CALL(transcoder, 8);",
              "return 0;"],
        holder="local", error_form="exception")


# ---------------------------------------------------------------------------
# 10. apache/maven-indexer PR #314 (MINDEXER-188), re-expressed in C++: the
#     indexer tasks of a pool quit on an exception; the scanner (the calling
#     thread) blocks in put. Fix: a task that fails closes the queue, and
#     the scanner, whose put now fails, stops.
# ---------------------------------------------------------------------------
@seed("indexer-pool", "stranded-producer")
def indexer_pool(kind):
    fix = kind == "fix"

    def scan(t):
        doc = "Document{path, \"% \" + path}"
        lines = ["for (const std::string &path : %s) {" % t.v("paths")]
        if fix:
            lines += ["  if (!%s)" % t.q("push", doc), "    " + t.leave()]
        else:
            lines += ["  " + t.call("push", doc, blocks=True)]
        lines += ["}", t.call("close")]
        return lines

    def index(t):
        lines = t.consume_loop("doc")
        lines += indent(t.step("doc", "fields"))
        lines.append("}")
        return lines

    def report(t):
        return ["if (failures.hasFailures()) {",
                '  std::printf("indexing aborted: %s\\n", failures.firstFailure().c_str());',
                "  return 1;", "}",
                'std::printf("indexed %zu documents\\n", paths.size());',
                "return 0;"]

    return FanOut(
        name="indexer-pool", family="stranded-producer", kind=kind,
        origin="apache/maven-indexer PR #314 (MINDEXER-188), re-expressed in C++",
        story=["The scanner walks the repository and puts every artifact's",
               "document into a bounded queue; indexer tasks on a pool take",
               "them. A malformed descriptor makes each task throw and quit,",
               "and the scanner blocks in put." if not fix else
               "and a task that fails closes the queue, so the scanner stops."],
        queue=QueueSpec(kind="cv-any", cls="BlockingQueue", item="Document",
                        methods=dict(push="put", pop="take", close="close"),
                        fields=dict(mutex="mainLock", not_full="notFull",
                                    not_empty="notEmpty", items="elements",
                                    capacity="maxElements",
                                    closed="closedForInput")),
        pool=PoolSpec(cls="ExecutorService", submit="submit",
                      join="awaitTermination"),
        types="""
            struct Document {
              std::string path;
              std::string descriptor;
            };
        """,
        errors=ErrorLogSpec(cls="IndexingFailures", var="failures",
                            record="report", failed="hasFailures",
                            first="firstFailure"),
        services=[Service(
            cls="DocumentIndexer", var="indexer", method="index",
            in_decl="const Document &doc", out_type="int",
            ok="static_cast<int>(doc.descriptor.size())",
            fails="doc.descriptor.rfind(\"%\", 0) == 0",
            message="malformed descriptor", errc="invalid_argument",
            public="DocumentIndexer() = default;")],
        roles=dict(
            producer=Role(
                side="producer", name="scanner", var="", spawner="caller",
                body=scan, uses=["paths"],
                helpers=("scanArtifacts", "putDocuments"),
                args_struct="ScanState", args_var="scan"),
            consumer=Role(
                side="consumer", name="indexer tasks", var="executor",
                count="threads", index="n", spawner="pool", entry="functor",
                body=index, uses=["indexer", "failures"], fails=True,
                service="indexer", fix_reaction="finish",
                finish=lambda t: [t.call("close")],
                fn="indexDocuments", worker="IndexerTask", method="call",
                helpers=("indexQueued", "indexEach"),
                args_struct="IndexState", args_var="state")),
        parent=Parent(
            name="scanRepository", ret="int",
            params=[Var("paths", "std::vector<std::string>"),
                    Var("indexer", "DocumentIndexer"),
                    Var("threads", "int", "value")],
            locals=[Var("failures", "IndexingFailures", "ref")],
            steps=[("code", lambda t: ["IndexingFailures failures;"]),
                   ("queue",), ("spawn", "consumer"), ("run", "producer"),
                   ("wait", "consumer"), ("code", report)],
            qvar="documents", cap="4", cls="RepositoryScanner",
            obj="scanner"),
        main=["std::vector<std::string> paths;",
              "for (int i = 0; i < 40; ++i)",
              '  paths.push_back("org/example/lib" + std::to_string(i) + "/pom.xml");',
              "DocumentIndexer indexer;",
              "@CALL(paths, indexer, 2);",
              "return 0;"],
        holder="local", error_form="exception")


# ---------------------------------------------------------------------------
# 11. A log shipper (the shape of scylladb #6241 with an error code): the
#     tailer returns on a read error before it stops the line queue, and the
#     shipper waits in dequeue for ever. Both hold the queue through a
#     shared_ptr. Fix: a guard stops the queue on every way out.
# ---------------------------------------------------------------------------
@seed("log-shipper", "stranded-consumer")
def log_shipper(kind):
    fix = kind == "fix"

    def tail(t):
        lines = []
        if fix:
            lines.append("QueueStopper stopper{%s};" % t.queue_ref())
        lines.append("for (int n = 0; n < %s.lineCount(); ++n) {" % t.v("source"))
        lines += indent(t.step("n", "line", use=lambda o: [
            t.call("push", "std::move(%s)" % o)]))
        lines.append("}")
        if not fix:
            lines.append(t.call("close"))
        return lines

    def ship(t):
        lines = t.consume_loop("line", blocks=True)
        lines += ["  %s.ship(line);" % t.v("collector"), "}"]
        return lines

    def support(t):
        if not fix:
            return ""
        return """
            // Stops the queue when the tailer leaves, whichever way it leaves.
            struct QueueStopper {
              %s &queue;
              ~QueueStopper() { queue.%s(); }
            };
        """ % (t.queue_type, t.qname("close"))

    def report(t):
        return ['std::printf("shipped %d lines", collector.shipped());',
                "if (tailError.noted())",
                '  std::printf(", tail stopped: %s", tailError.message().c_str());',
                'std::printf("\\n");']

    return FanOut(
        name="log-shipper", family="stranded-consumer", kind=kind,
        origin="the shape of scylladb issue #6241 (producer fails, consumer never "
               "told), in a log shipper",
        story=["The tailer reads the log line by line into a bounded queue",
               "the shipper empties. A truncated file makes the tailer return",
               "before it stops the queue, and the shipper waits for lines" if not fix
               else "before the end of the loop; a guard stops the queue on",
               "that never come." if not fix else "every way out."],
        queue=QueueSpec(kind="cv", cls="LineQueue", templated=False,
                        item="std::string",
                        methods=dict(push="enqueue", pop="dequeue",
                                     close="stop"),
                        fields=dict(mutex="m_mutex", not_full="m_canWrite",
                                    not_empty="m_canRead", items="m_lines",
                                    capacity="m_limit", closed="m_stopped"),
                        push_returns="void"),
        types="""
            class Collector {
            public:
              void ship(const std::string &line) { bytes_ += line.size(), ++shipped_; }
              int shipped() const { return shipped_; }

            private:
              std::size_t bytes_ = 0;
              int shipped_ = 0;
            };
        """,
        support=support,
        errors=ErrorLogSpec(cls="TailError", var="tailError", record="note",
                            failed="noted", first="message"),
        services=[Service(
            cls="LogSource", var="source", method="readLine",
            in_decl="int n", out_type="std::string",
            ok='"GET /api/v1/items/" + std::to_string(n) + " 200"',
            fails="n >= truncatedAt_", message="log file truncated",
            public="""
                LogSource(int lines, int truncatedAt) : lines_(lines), truncatedAt_(truncatedAt) {}
                int lineCount() const { return lines_; }
            """,
            private="int lines_;\nint truncatedAt_;")],
        roles=dict(
            producer=Role(
                side="producer", name="tailer", var="tailer", entry="free",
                body=tail, uses=["source"], fails=True, service="source",
                fn="tailFile", worker="Tailer", method="follow",
                helpers=("readLines", "forwardLines"),
                args_struct="TailState", args_var="tail"),
            consumer=Role(
                side="consumer", name="shipper", var="shipper", body=ship,
                uses=["collector"], fn="shipLines", worker="Shipper",
                method="drain", helpers=("shipAll", "shipEach"),
                args_struct="ShipState", args_var="ship")),
        parent=Parent(
            name="shipLog", ret="void",
            params=[Var("source", "LogSource"),
                    Var("collector", "Collector", "ref")],
            locals=[Var("tailError", "TailError", "ref")],
            steps=[("code", lambda t: ["TailError tailError;"]), ("queue",),
                   ("spawn", "consumer"), ("spawn", "producer"),
                   ("wait", "producer"), ("wait", "consumer"),
                   ("code", report)],
            qvar="lines", cap="4", cls="LogShipper", obj="shipper"),
        main=["LogSource source(30, 12); // the file was truncated at line 12",
              "Collector collector;",
              "@CALL(source, collector);",
              "return 0;"],
        holder="shared_ptr", error_form="error-code")


# ---------------------------------------------------------------------------
# 12. vmware/concord-bft PR #2054 (follow-up #2063): a background receiver
#     stores its exception and stops; the client's waitPop() waits for
#     replies and never learns. The stream object owns the queue; the
#     receiver is one of its member functions. Fix: the receiver releases the
#     waiters on its error path.
# ---------------------------------------------------------------------------
@seed("concord-reply-stream", "stranded-consumer")
def concord_reply_stream(kind):
    def receive(t):
        return ["for (int seq = 0; seq < %s; ++seq) {" % t.v("expected")] + \
            indent(t.step("seq", "reply", use=lambda o: [
                t.call("push", "std::move(%s)" % o)])) + \
            ["}", t.call("close")]

    def collect(t):
        return t.consume_loop("reply", blocks=True) + [
            "  %s.push_back(%s);" % (t.v("received"), t.field("reply", "seq")),
            "}"]

    def report(t):
        return ['std::printf("%zu replies", received.size());',
                "if (background.stored())",
                '  std::printf(", receiver stopped: %s", background.describe().c_str());',
                'std::printf("\\n");',
                "return static_cast<int>(received.size());"]

    return FanOut(
        name="concord-reply-stream", family="stranded-consumer", kind=kind,
        origin="vmware/concord-bft PR #2054 (follow-up #2063): stored exception "
               "never seen by pop",
        story=["A background receiver pushes replicas' replies into the",
               "stream's queue; when the connection drops it stores the",
               "exception and stops. The client waits in waitPop() for",
               "replies that never come." if kind == "bug" else
               "replies... fixed: the receiver releases the waiters first."],
        queue=QueueSpec(kind="semaphore", cls="ReplyQueue", item="Reply",
                        methods=dict(push="push", pop="waitPop",
                                     close="releaseWaiters"),
                        fields=dict(mutex="mu_", not_full="spaces_",
                                    not_empty="ready_", items="data_",
                                    capacity="bound_", closed="released_"),
                        pop_style="optional", push_returns="void"),
        types="""
            struct Reply {
              int seq = 0;
              std::string payload;
            };
        """,
        errors=ErrorLogSpec(cls="BackgroundError", var="background",
                            record="store", failed="stored", first="describe"),
        services=[Service(
            cls="Transport", var="transport", method="receive",
            in_decl="int seq", out_type="Reply",
            ok='Reply{seq, "reply-" + std::to_string(seq)}',
            fails="seq == dropAt_", message="connection to replica 2 lost",
            errc="connection_aborted",
            public="explicit Transport(int dropAt) : dropAt_(dropAt) {}",
            private="int dropAt_;")],
        roles=dict(
            producer=Role(
                side="producer", name="receiver", var="receiver",
                entry="member", body=receive, uses=["expected"], fails=True,
                service="transport", fix_reaction="finish",
                finish=lambda t: [t.call("close")],
                fn="receiveReplies", worker="Receiver", method="loop",
                helpers=("pumpReplies", "pumpEach"),
                args_struct="PumpArgs", args_var="pump"),
            consumer=Role(
                side="consumer", name="client", var="", spawner="caller",
                body=collect, uses=["received"],
                helpers=("collectReplies", "awaitReplies"),
                args_struct="CollectArgs", args_var="collect")),
        parent=Parent(
            name="gatherReplies", ret="int",
            params=[Var("transport", "Transport"),
                    Var("expected", "int", "value")],
            locals=[Var("background", "BackgroundError", "ref"),
                    Var("received", "std::vector<int>", "ref")],
            steps=[("code", lambda t: ["BackgroundError background;",
                                       "std::vector<int> received;"]),
                   ("queue",), ("spawn", "producer"), ("run", "consumer"),
                   ("wait", "producer"), ("code", report)],
            qvar="inbox", cap="4", cls="ReplyStream", obj="stream"),
        main=["Transport transport(3); // the connection drops at reply 3",
              "@CALL(transport, 10);",
              "return 0;"],
        holder="member", error_form="exception")


# ---------------------------------------------------------------------------
# 13. join before drain with jthreads: renderer threads write thumbnails
#     into a channel of two; the parent lets the jthreads' scope end (which
#     joins them) before it reads a single thumbnail. Fix: read them inside
#     the scope.
# ---------------------------------------------------------------------------
@seed("thumbnail-scope", "join-before-drain")
def thumbnail_scope(kind):
    fix = kind == "fix"

    def render(t):
        return ["for (std::size_t i = %s; i < %s.size(); i += %s)" %
                (t.v("w"), t.v("images"), t.v("threads")),
                "  " + t.call("push", "Thumbnail{%s[i].id, %s[i].width / 8}" %
                              (t.v("images"), t.v("images")))]

    def collect(t):
        if fix:
            return ["for (std::size_t i = 0; i < %s.size(); ++i) {" % t.v("images"),
                    "  Thumbnail thumb;",
                    "  if (!%s)" % t.q("pop", "thumb"),
                    "    break;",
                    "  %s += thumb.width;" % t.v("totalWidth"),
                    "}"]
        return ["Thumbnail thumb;",
                "while (%s)" % t.q("pop", "thumb"),
                "  %s += thumb.width;" % t.v("totalWidth")]

    steps = [("code", lambda t: ["long totalWidth = 0;"]), ("queue",),
             ("spawn", "producer")]
    if fix:
        steps += [("run", "consumer"), ("wait", "producer"),
                  ("code", lambda t: [t.call("close")])]
    else:
        steps += [("wait", "producer", True),
                  ("code", lambda t: [t.call("close")]), ("run", "consumer")]
    steps.append(("code", lambda t: [
        'std::printf("%zu thumbnails, %ld pixels wide\\n", images.size(), totalWidth);',
        "return totalWidth;"]))

    return FanOut(
        name="thumbnail-scope", family="join-before-drain", kind=kind,
        origin="the join-before-drain shape of ifcpipeline PRs #24 and #28, "
               "with std::jthread scopes",
        story=["Renderer threads write one thumbnail per image into a channel",
               "of two. The parent lets the jthreads' scope end, which joins",
               "them, before it reads a single thumbnail." if not fix else
               "them; fixed: it reads every thumbnail inside that scope."],
        queue=QueueSpec(kind="cv-any", cls="BoundedChannel", item="Thumbnail",
                        methods=dict(push="write", pop="read",
                                     close="closeWriting"),
                        fields=dict(mutex="channelMutex_",
                                    not_full="writable_",
                                    not_empty="readable_", items="buffered_",
                                    capacity="maxBuffered_",
                                    closed="writingClosed_")),
        types="""
            struct Image {
              int id = 0;
              int width = 0;
            };

            struct Thumbnail {
              int image = 0;
              int width = 0;
            };
        """,
        roles=dict(
            producer=Role(
                side="producer", name="renderers", var="renderers",
                count="threads", index="w", spawner="jthread", entry="free",
                body=render, uses=["images", "threads", "w"],
                fn="renderShare", worker="ThumbnailRenderer", method="render",
                helpers=("renderImages", "renderEvery"),
                args_struct="RenderJob", args_var="job"),
            consumer=Role(
                side="consumer", name="collector", var="", spawner="caller",
                body=collect, uses=["images", "totalWidth"], depth=1,
                passing="ptr", helpers=("collectWidths", "readThumbnails"),
                args_struct="CollectJob", args_var="job")),
        parent=Parent(
            name="makeThumbnails", ret="long",
            params=[Var("images", "std::vector<Image>"),
                    Var("threads", "int", "value")],
            locals=[Var("totalWidth", "long", "ref")],
            steps=steps, qvar="thumbnails", cap="2", cls="ThumbnailBatch",
            obj="batch"),
        main=["std::vector<Image> images;",
              "for (int i = 0; i < 12; ++i)",
              "  images.push_back(Image{i, 640 + 16 * i});",
              "@CALL(images, 3);",
              "return 0;"],
        holder="local", error_form=None)
