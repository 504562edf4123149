#!/usr/bin/env python3
"""Wall time of fanout-audit against run-clang-tidy on one compile database.

Both run the same checks (-*,fanout-* unless --checks), from the same build
of the checks (fanout-audit links them, clang-tidy loads the plugin), with
the same parallelism, on the same compilation database, and both report
findings in headers (run-clang-tidy gets -header-filter='.*', fanout-audit's
default). Runs alternate (audit, run-clang-tidy, audit, ...) so that load from
other processes on the machine hits both alike; the minimum and the median of
each are reported, with the ratio of the minima.

Memory: the peak RSS of the largest single process (/usr/bin/time's %M: the
run's waited-for processes, workers and clang-tidy included), and two peaks
of the whole process tree, sampled every 0.2 s from
/proc/<pid>/smaps_rollup: the summed Pss_Anon (anonymous memory: heaps and
ASTs; pages shared copy-on-write between forked workers are split among
them, so the sum is what the run allocates) and the summed PSS (also the
mapped files, chiefly libLLVM and libclang-cpp, whose pages are split among
every process on the machine that maps them, so this figure drops when
other clang processes run alongside). --jobs-list 1,2,4 repeats the
comparison at each parallelism (more jobs than cores is marked as
oversubscribed).

  test/bench/audit_vs_run_clang_tidy.py --setup-libzmq /tmp/bench
      clones libzmq (a threaded C++ library: 230 TUs in src/, tests/, perf/)
      at a fixed commit and writes its compile_commands.json.
  test/bench/audit_vs_run_clang_tidy.py --setup-synthetic /tmp/synth --tus 120
      writes a generated project: N TUs including <thread>, <vector>, <mutex>
      and a header with one stranded producer (the dedup case).
  test/bench/audit_vs_run_clang_tidy.py \\
      --audit build-19/tools/fanout-audit/fanout-audit \\
      --plugin build-19/checks/fanout-tidy.so \\
      -p /tmp/bench/libzmq/build -j 2 --repeat 3
  test/bench/audit_vs_run_clang_tidy.py ... --jobs-list 1,2,4 --repeat 1
"""

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "support"))
from fixtures import bounded_queue_header  # noqa: E402
import threading
import time

LIBZMQ_URL = "https://github.com/zeromq/libzmq"
LIBZMQ_COMMIT = "6b708e4a"


def setup_libzmq(where, url, cxx):
    src = os.path.join(where, "libzmq")
    if not os.path.isdir(src):
        subprocess.run(["git", "clone", "-q", url, src], check=True)
    subprocess.run(["git", "-C", src, "checkout", "-q", LIBZMQ_COMMIT],
                   check=True)
    build = os.path.join(src, "build")
    # Configuring is enough: compile_commands.json and the generated
    # platform.hpp are written by CMake, nothing needs building.
    subprocess.run([
        "cmake", "-S", src, "-B", build, "-G", "Ninja",
        "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", "-DWITH_DOCS=OFF",
        "-DBUILD_TESTS=ON", "-DENABLE_CURVE=OFF", "-DWITH_LIBSODIUM=OFF",
        "-DENABLE_DRAFTS=OFF", "-DCMAKE_CXX_COMPILER=" + cxx
    ], check=True, stdout=subprocess.DEVNULL)
    db = json.load(open(os.path.join(build, "compile_commands.json")))
    print("%s: %d compile commands, %d distinct files" %
          (build, len(db), len({e["file"] for e in db})))


SYNTHETIC_HEADER = bounded_queue_header("thread", "vector") + """
inline bool remove_item(int item) { return item >= 0; }

inline void delete_collection(const std::vector<int> &items, int workers) {
  BoundedQueue<int> q(2 * workers);
  std::thread producer([&] {
    for (int i = 0; i < (int)items.size(); ++i)
      q.push(i);
    q.close();
  });
  std::vector<std::thread> pool;
  for (int w = 0; w < workers; ++w)
    pool.emplace_back([&] {
      int i;
      while (q.pop(i))
        if (!remove_item(items[i]))
          return;
    });
  for (auto &t : pool)
    t.join();
  producer.join();
}
"""

SYNTHETIC_TU = """\
#include "pipeline.h"
#include <algorithm>
#include <future>
#include <map>
#include <string>

std::map<std::string, int> tally_{n}(const std::vector<std::string> &words) {{
  std::map<std::string, int> counts;
  std::mutex m;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {{
      for (std::size_t i = t; i < words.size(); i += 4) {{
        std::lock_guard<std::mutex> lock(m);
        ++counts[words[i]];
      }}
    }});
  for (auto &t : threads)
    t.join();
  auto total = std::async(std::launch::async, [&] {{ return counts.size(); }});
  delete_collection({{1, 2, 3}}, (int)total.get());
  return counts;
}}
"""


def setup_synthetic(where, tus):
    os.makedirs(os.path.join(where, "src"), exist_ok=True)
    with open(os.path.join(where, "src", "pipeline.h"), "w") as f:
        f.write(SYNTHETIC_HEADER)
    entries = []
    for n in range(tus):
        name = "src/tu%03d.cpp" % n
        with open(os.path.join(where, name), "w") as f:
            f.write(SYNTHETIC_TU.format(n=n))
        entries.append({"directory": where, "file": name,
                        "arguments": ["c++", "-std=c++20", "-c", name]})
    os.makedirs(os.path.join(where, "build"), exist_ok=True)
    with open(os.path.join(where, "build", "compile_commands.json"),
              "w") as f:
        json.dump(entries, f, indent=1)
    print("%s/build: %d TUs sharing src/pipeline.h" % (where, tus))


def tree_pss_kb(root):
    """Summed (PSS, Pss_Anon) in kB of root and all its descendants."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                # The field after the parenthesised command name is the
                # state, then the parent pid.
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    pss = anon = 0
    todo = [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            with open("/proc/%d/smaps_rollup" % pid) as f:
                for line in f:
                    if line.startswith("Pss:"):
                        pss += int(line.split()[1])
                    elif line.startswith("Pss_Anon:"):
                        anon += int(line.split()[1])
        except OSError:
            pass
    return pss, anon


def timed(cmd, **kwargs):
    """Wall seconds, CPU seconds (user + system, the process and everything
    it waited for: workers, clang-tidy processes), the peak RSS in kB of the
    largest single process, the peaks of the summed PSS and Pss_Anon in kB
    of the process tree, and the result."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with tempfile.NamedTemporaryFile("r") as rss:
        proc = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss.name]
                                + cmd, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, **kwargs)
        peak = [0, 0]
        done = threading.Event()

        def sample():
            while not done.wait(0.2):
                peak[:] = map(max, peak, tree_pss_kb(proc.pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        stdout, stderr = proc.communicate()
        done.set()
        sampler.join()
        maxrss = int(rss.read().split()[-1])
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    result = subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
    return wall, cpu, maxrss, peak, result


def compare(args, jobs):
    """Alternating runs of both tools at -j jobs: one row per tool."""
    over = " (oversubscribed: %d cores)" % os.cpu_count() \
        if jobs > os.cpu_count() else ""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "audit.json")
        fixes_dir = os.path.join(tmp, "fixes")
        audit = [args.audit, "-p", args.build, "-j%d" % jobs,
                 "--checks=" + args.checks, "--format=json", "-o", report,
                 "--progress=none"]
        rct = [args.run_clang_tidy, "-p", args.build, "-j", str(jobs),
               "-clang-tidy-binary", args.clang_tidy, "-load", args.plugin,
               "-checks=" + args.checks, "-header-filter=.*", "-quiet",
               "-export-fixes", fixes_dir]
        for name in ("fanout-audit", "run-clang-tidy"):
            rows.append({"jobs": "%d%s" % (jobs, over), "tool": name,
                         "wall": [], "cpu": [], "rss": [], "pss": [],
                         "anon": []})
        for i in range(args.repeat):
            for row, cmd in zip(rows, (audit, rct)):
                shutil.rmtree(fixes_dir, ignore_errors=True)
                seconds, cpu, rss, (pss, anon), proc = timed(cmd)
                for key, value in (("wall", seconds), ("cpu", cpu),
                                   ("rss", rss), ("pss", pss),
                                   ("anon", anon)):
                    row[key].append(value)
                print("-j%d run %d %-15s %7.1fs wall %7.1fs CPU, %5.0f MB "
                      "RSS, %5.0f MB PSS, %5.0f MB anon, exit %d, load %.1f"
                      % (jobs, i + 1, row["tool"], seconds, cpu, rss / 1024,
                         pss / 1024, anon / 1024, proc.returncode,
                         os.getloadavg()[0]), flush=True)
                if row["tool"] == "fanout-audit":
                    summary = json.load(open(report))["summary"]
                    row["report"] = "%d analysed, %d failed, %d findings" % (
                        summary["analysed"],
                        summary["translationUnits"] - summary["analysed"],
                        summary["findings"])
                else:
                    warnings = re.findall(r"^(\S+:\d+:\d+): warning: .*\[",
                                          proc.stdout, re.M)
                    row["report"] = "%d warnings (%d distinct)" % (
                        len(warnings), len(set(warnings)))
    return rows


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--setup-libzmq", metavar="DIR")
    parser.add_argument("--libzmq-url", default=LIBZMQ_URL)
    parser.add_argument("--setup-synthetic", metavar="DIR")
    parser.add_argument("--tus", type=int, default=120)
    parser.add_argument("--cxx", default="clang++-19")
    parser.add_argument("--audit", help="fanout-audit binary")
    parser.add_argument("--plugin", help="fanout-tidy.so for clang-tidy")
    parser.add_argument("-p", dest="build", help="build dir with "
                        "compile_commands.json")
    parser.add_argument("-j", dest="jobs", type=int, default=2)
    parser.add_argument("--jobs-list", help="comma-separated -j values to "
                        "compare one after the other (overrides -j)")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--checks", default="-*,fanout-*")
    parser.add_argument("--run-clang-tidy", default=shutil.which(
        "run-clang-tidy-19") or "run-clang-tidy")
    parser.add_argument("--clang-tidy", default=shutil.which(
        "clang-tidy-19") or "clang-tidy")
    args = parser.parse_args()

    if args.setup_libzmq:
        setup_libzmq(os.path.abspath(args.setup_libzmq), args.libzmq_url,
                     args.cxx)
        return 0
    if args.setup_synthetic:
        setup_synthetic(os.path.abspath(args.setup_synthetic), args.tus)
        return 0
    if not (args.audit and args.plugin and args.build):
        parser.error("--audit, --plugin and -p are required")

    db = json.load(open(os.path.join(args.build, "compile_commands.json")))
    tus = len({os.path.join(e["directory"], e["file"]) for e in db})
    jobs_list = ([int(j) for j in args.jobs_list.split(",")]
                 if args.jobs_list else [args.jobs])
    rows = []
    for jobs in jobs_list:
        rows += compare(args, jobs)
    print()
    print("compile database: %s (%d TUs), checks %s, %d runs each, %d cores"
          % (args.build, tus, args.checks, args.repeat, os.cpu_count()))
    print("| -j | tool | wall min | wall median | CPU min | TUs/s (wall "
          "min) | peak RSS, one process | peak anon, all processes | "
          "peak PSS, all processes | report |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| %s | %s | %.1f s | %.1f s | %.1f s | %.2f | %.0f MB | %.0f MB "
              "| %.0f MB | %s |" % (
                  row["jobs"], row["tool"], min(row["wall"]),
                  statistics.median(row["wall"]), min(row["cpu"]),
                  tus / min(row["wall"]), max(row["rss"]) / 1024,
                  max(row["anon"]) / 1024, max(row["pss"]) / 1024,
                  row["report"]))
    for audit, rct in zip(rows[0::2], rows[1::2]):
        print("-j%s ratio fanout-audit / run-clang-tidy: wall (min) %.2f, "
              "CPU (min) %.2f" % (audit["jobs"], min(audit["wall"]) /
                                  min(rct["wall"]),
                                  min(audit["cpu"]) / min(rct["cpu"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
