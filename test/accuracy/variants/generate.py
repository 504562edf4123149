#!/usr/bin/env python3
#===- generate.py - Metamorphic variants of the accuracy seeds, scored -----===//
#
# Part of fanout-tidy's accuracy benchmark. Every seed (seeds.py) is a fan-out
# described as data; every transformation (transforms.py) changes one
# dimension of it and keeps its meaning. For each variant this script
#   1. renders it to C++ (model.py), the bug twin and the fix twin;
#   2. compiles and runs both: the bug twin must hang, the fix twin must exit
#      0 and print what the seed's fix twin prints -- a variant whose truth
#      differs from its seed's is a generator bug and fails the run;
#   3. runs the fanout checks on both (score.py's Scorer) and compares the
#      verdicts with the seed's: "lost" (the seed's bug is found, the
#      variant's is not), "new false positive" (the seed's fix is clean, the
#      variant's is not).
# It prints recall and precision per transformation and per parameter, the
# lost variants and the new false positives, and the totals as its last line.
#
#===------------------------------------------------------------------------===#
r"""
Usage:
  generate.py --load=PLUGIN [--clang-tidy=BIN] [--clangxx=BIN] [-j N]
              [--sample N | --all] [--out DIR] [--floors FILE]
              [--seeds GLOB] [--transform NAME] [--json FILE] [--quiet]
  generate.py --emit DIR [--sample N | --all]   write the sources, no scoring
  generate.py --list [--sample N | --all]       print the plan

  --sample N  (the default, N=4) a fixed, deterministic plan: N variants per
              seed, N-1 single transformations rotating over every
              transformation and its parameters, and one composition of two.
  --all       every seed x transformation x parameter, plus the sample's
              compositions (by hand: about 800 programs).
"""

import argparse
import concurrent.futures
import fnmatch
import json
import math
import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import score  # noqa: E402  (test/accuracy/score.py)
import model  # noqa: E402
import seeds as seedlib  # noqa: E402
import transforms as T  # noqa: E402


# -- the plan ----------------------------------------------------------------

@dataclass
class Variant:
    seed: seedlib.Seed
    steps: list                 # [(transformation, params)]; [] = the seed
    twins: dict = field(default_factory=dict)   # kind -> FanOut

    @property
    def is_seed(self):
        return not self.steps

    @property
    def ident(self):
        if self.is_seed:
            return self.seed.name
        return self.seed.name + "--" + "+".join(T.step_id(t, p)
                                                for t, p in self.steps)

    @property
    def group(self):
        """The transformation this variant reports under."""
        if self.is_seed:
            return "seed"
        if len(self.steps) > 1:
            return "composed"
        return self.steps[0][0]

    @property
    def label(self):
        if self.is_seed:
            return "seed"
        if len(self.steps) > 1:
            return " + ".join(T.step_label(t, p) for t, p in self.steps)
        t, p = self.steps[0]
        return T.BY_NAME[t].label(p)


def make_variant(seed, steps):
    """The variant, or None when a step does not apply to this seed."""
    bug, fix = seed.twins()
    if not steps:
        return Variant(seed, [], {"bug": bug, "fix": fix})
    try:
        return Variant(seed, steps, {
            "bug": T.apply(bug, steps),
            "fix": T.apply(fix, steps, check_identity=False)})
    except T.NotApplicable:
        return None


def applicable(seed):
    """{transformation: [params]} that apply to this seed."""
    groups = {}
    for t in T.TRANSFORMATIONS:
        for p in t.params:
            if make_variant(seed, [(t.name, p)]) is not None:
                groups.setdefault(t.name, []).append(p)
    return groups


def sample_plan(seeds, n):
    """N variants per seed: N-1 single transformations taken in turn from
    the list of transformations (each one's parameters in turn too), then
    one composition of the next two that apply. Deterministic."""
    plan = []
    names = [t.name for t in T.TRANSFORMATIONS]
    tcur = 0
    pcur = {name: 0 for name in names}
    singles = n - 1 if n >= 3 else n
    for seed in seeds:
        groups = applicable(seed)
        plan.append(make_variant(seed, []))
        chosen = []
        for _ in range(2 * len(names)):
            if len(chosen) >= singles:
                break
            name = names[tcur % len(names)]
            tcur += 1
            g = groups.get(name)
            if not g:
                continue
            p = spread(g)[pcur[name] % len(g)]
            pcur[name] += 1
            chosen.append(make_variant(seed, [(name, p)]))
        plan += chosen
        if n >= 3:
            plan += compose_one(seed, groups, names, tcur)
    return plan


def spread(params):
    """The parameters in an order that alternates sides, depths and kinds
    (a stride coprime with their number), so a short sample sees many."""
    n = len(params)
    stride = next((s for s in (5, 3, 7, 11, 2) if math.gcd(s, n) == 1), 1)
    return [params[(i * stride) % n] for i in range(n)]


def compose_one(seed, groups, names, start):
    avail = [nm for nm in names if nm in groups]
    for i in range(len(avail)):
        a = avail[(start + i) % len(avail)]
        for j in range(1, len(avail)):
            b = avail[(start + i + j) % len(avail)]
            if a == b:
                continue
            pa = groups[a][(start + i) % len(groups[a])]
            pb = groups[b][(start + i + j) % len(groups[b])]
            v = make_variant(seed, [(a, pa), (b, pb)])
            if v is not None:
                return [v]
    return []


def full_plan(seeds):
    plan = []
    for seed in seeds:
        groups = applicable(seed)
        plan.append(make_variant(seed, []))
        for t in T.TRANSFORMATIONS:
            for p in groups.get(t.name, []):
                plan.append(make_variant(seed, [(t.name, p)]))
    composed = [v for v in sample_plan(seeds, 4) if len(v.steps) > 1]
    return plan + composed


# -- running -----------------------------------------------------------------

@dataclass
class Outcome:
    variant: Variant
    kind: str
    path: Path
    result: score.Result = None
    output: str = ""         # what it printed (fix twins)
    problem: str = ""        # a generator bug or a tool failure


def emit(plan, out_dir):
    src = Path(out_dir)
    src.mkdir(parents=True, exist_ok=True)
    paths = []
    for v in plan:
        for kind in ("bug", "fix"):
            p = src / ("%s.%s.cpp" % (v.ident, kind))
            p.write_text(model.render(v.twins[kind]))
            paths.append((v, kind, p))
    return paths


def run_all(opts, plan, src_dir):
    work = Path(opts.out) / "work"
    work.mkdir(parents=True, exist_ok=True)
    sopts = argparse.Namespace(
        load=opts.load, clang_tidy=opts.clang_tidy, clangxx=opts.clangxx,
        work_dir=str(work), timeout=opts.timeout, truth_only=False,
        no_fix=True)
    scorer = score.Scorer(sopts)
    items = emit(plan, src_dir)
    outcomes = []
    cpu = concurrent.futures.ThreadPoolExecutor(opts.jobs)
    # A hanging program costs no CPU: run them beside the compiles.
    runner = concurrent.futures.ThreadPoolExecutor(max(8, 4 * opts.jobs))
    runs = {}
    lock = threading.Lock()
    done = [0]

    def compile_and_tidy(o):
        program = score.parse_program(o.path)
        o.result = score.Result(program)
        tmp = work / o.path.name[:-4]
        tmp.mkdir(parents=True, exist_ok=True)
        ok, out = scorer.compile(o.path, tmp / "a.out", program)
        if not ok:
            o.problem = "does not compile:\n" + out
        else:
            runs[id(o)] = runner.submit(scorer.execute, tmp / "a.out")
        warnings, error = scorer.tidy(o.path, program)
        o.result.warnings, o.result.tidy_error = warnings, error
        with lock:
            done[0] += 1
            if opts.progress and done[0] % 20 == 0:
                print("  ... %d/%d scored" % (done[0], len(items)),
                      file=sys.stderr, flush=True)

    for v, kind, path in items:
        outcomes.append(Outcome(v, kind, path))
    list(cpu.map(compile_and_tidy, outcomes))
    for o in outcomes:
        f = runs.get(id(o))
        if f is None:
            continue
        state, code, out = f.result()
        if o.kind == "bug":
            o.result.truth = "hangs" if state == "hangs" else \
                "exits %s" % code
        else:
            o.result.truth = ("exits" if state == "exits" and code == 0 else
                              "hangs" if state == "hangs" else
                              "exits %s" % code)
            o.output = out or ""
    cpu.shutdown()
    runner.shutdown()
    return outcomes


def judge(outcomes):
    """Generator bugs and tool failures, as lines."""
    problems = []
    seed_fix_output = {o.variant.seed.name: o.output for o in outcomes
                       if o.variant.is_seed and o.kind == "fix"}
    for o in outcomes:
        r = o.result
        what = "seed" if o.variant.is_seed else "variant"
        want = "hangs" if o.kind == "bug" else "exits"
        if o.problem:
            problems.append("GENERATOR BUG %s: %s" % (o.path.name,
                                                      o.problem[:1500]))
        elif r.truth != want:
            problems.append("GENERATOR BUG %s: the %s %s must %s, but it %s" % (
                o.path.name, what, o.kind, "hang" if want == "hangs" else
                "exit 0", r.truth))
        elif (o.kind == "fix" and not o.variant.is_seed and
              o.output != seed_fix_output.get(o.variant.seed.name)):
            problems.append(
                "GENERATOR BUG %s: prints %r, its seed's fix prints %r" % (
                    o.path.name, o.output,
                    seed_fix_output.get(o.variant.seed.name)))
        if r.tidy_error:
            problems.append("TOOL %s: %s" % (o.path.name,
                                             r.tidy_error.splitlines()[0]))
    return problems


# -- the report --------------------------------------------------------------

def compare(outcomes):
    """Per variant: its results and its seed's; lost / new FP lists."""
    seed_res = {(o.variant.seed.name, o.kind): o.result for o in outcomes
                if o.variant.is_seed}
    lost, new_fp, gained, fp_gone = [], [], [], []
    for o in outcomes:
        if o.variant.is_seed:
            continue
        s = seed_res.get((o.variant.seed.name, o.kind))
        if s is None:
            continue
        if o.kind == "bug":
            if s.found and not o.result.found:
                lost.append(o)
            elif o.result.found and not s.found:
                gained.append(o)
        else:
            if o.result.fanout_warnings and not s.fanout_warnings:
                new_fp.append(o)
            elif s.fanout_warnings and not o.result.fanout_warnings:
                fp_gone.append(o)
    return lost, new_fp, gained, fp_gone


def line(label, results, lost, new_fp, width):
    f = score.figures(results)
    if width and len(label) > width:
        label = label[:width - 3] + "..."
    return ("%-*s  recall %-14s precision %-14s clean %-14s located %-14s "
            "lost %-3d new-fp %d" % (
                width, label, score.ratio(f["found"], f["bugs"]),
                score.ratio(f["found"], f["found"] + f["false_positives"]),
                score.ratio(f["clean"], f["correct"]),
                score.ratio(f["located"], f["found"]), lost, new_fp))


def report(outcomes, out):
    lost, new_fp, gained, fp_gone = compare(outcomes)
    lost_ids = {id(o) for o in lost}
    fp_ids = {id(o) for o in new_fp}
    groups = {}
    for o in outcomes:
        groups.setdefault(o.variant.group, {}).setdefault(
            o.variant.label, []).append(o)
    order = ["seed"] + [t.name for t in T.TRANSFORMATIONS] + ["composed"]
    width = min(max([len(lbl) + 2 for g in groups.values() for lbl in g] +
                    [24]), 64)

    def counts(os_):
        return (sum(1 for o in os_ if id(o) in lost_ids),
                sum(1 for o in os_ if id(o) in fp_ids))

    print("seeds:", file=out)
    for o in outcomes:
        if not o.variant.is_seed:
            continue
        r = o.result
        if o.kind == "bug":
            status = "found" if r.found else "MISSED"
            if r.found and not r.located:
                status += " (not at the blocking call)"
        else:
            status = "clean" if not r.fanout_warnings else \
                "FALSE POSITIVE (%s)" % ", ".join(
                    "%d [%s]" % (w[0], w[1]) for w in r.fanout_warnings[:3])
        print("  %-44s %s" % (o.path.name, status), file=out)
    print(file=out)
    for name in order:
        if name not in groups:
            continue
        allo = [o for lst in groups[name].values() for o in lst]
        print(line("seeds" if name == "seed" else name,
                   [o.result for o in allo], *counts(allo), width), file=out)
        if name == "seed":
            continue
        for lbl, os_ in groups[name].items():
            print(line("  " + lbl, [o.result for o in os_], *counts(os_),
                       width), file=out)
    if lost:
        print("\nlost (the seed's bug is found, the variant's is not):",
              file=out)
        for o in lost:
            print("  %-44s %s" % (o.variant.label, o.path), file=out)
    if new_fp:
        print("\nnew false positives (the seed's fix is clean, the variant's "
              "is not):", file=out)
        for o in new_fp:
            w = o.result.fanout_warnings[0]
            print("  %-44s %s:%d [%s]" % (o.variant.label, o.path, w[0], w[1]),
                  file=out)
    if gained:
        print("\nfound only in the variant: %d; false positive only in the "
              "seed: %d" % (len(gained), len(fp_gone)), file=out)
    variants = [o for o in outcomes if not o.variant.is_seed]
    f = score.figures([o.result for o in variants])
    return f, lost, new_fp, groups


# -- main --------------------------------------------------------------------

def select_seeds(pattern):
    chosen = [s for s in seedlib.SEEDS
              if not pattern or fnmatch.fnmatch(s.name, pattern)]
    if not chosen:
        raise SystemExit("no seed matches %r" % pattern)
    return chosen


def main():
    parser = argparse.ArgumentParser(
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", help="the fanout-tidy plugin")
    parser.add_argument("--clang-tidy", default="clang-tidy-19")
    parser.add_argument("--clangxx", default="clang++-19")
    parser.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--sample", type=int, metavar="N", default=None)
    mode.add_argument("--all", action="store_true")
    parser.add_argument("--out", help="sources and work files (default: a "
                        "new temporary directory, kept)")
    parser.add_argument("--emit", metavar="DIR",
                        help="only write the variant sources here")
    parser.add_argument("--list", action="store_true",
                        help="only print the plan")
    parser.add_argument("--floors", default=None,
                        help="fail when below (default: floors.json here, "
                        "for the sample)")
    parser.add_argument("--no-floors", action="store_true")
    parser.add_argument("--seeds", metavar="GLOB", help="only these seeds")
    parser.add_argument("--transform", metavar="NAME", action="append",
                        help="only these transformations (and the seeds)")
    parser.add_argument("--timeout", type=float, default=4.0,
                        help="seconds a program may run (a bug outlasts it)")
    parser.add_argument("--json", help="write every result here")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress on stderr")
    opts = parser.parse_args()
    opts.progress = not opts.quiet
    seeds = select_seeds(opts.seeds)
    plan = full_plan(seeds) if opts.all else sample_plan(
        seeds, opts.sample if opts.sample is not None else 4)
    if opts.transform:
        for t in opts.transform:
            if t not in T.BY_NAME:
                parser.error("no transformation %r (%s)" % (
                    t, ", ".join(T.BY_NAME)))
        plan = [v for v in plan if v.is_seed or
                all(t in opts.transform for t, _ in v.steps)]
    if opts.list:
        for v in plan:
            print("%-26s %-11s %s" % (v.seed.name, v.group, v.label))
        print("%d variants of %d seeds, %d programs" % (
            len(plan) - len(seeds), len(seeds), 2 * len(plan)))
        return 0
    if opts.emit:
        n = len(emit(plan, opts.emit))
        print("%d programs written to %s" % (n, opts.emit))
        return 0
    if not opts.load:
        parser.error("--load=PLUGIN is needed (or --emit / --list)")
    if opts.out is None:
        opts.out = tempfile.mkdtemp(prefix="fanout-variants-")
    start = time.time()
    outcomes = run_all(opts, plan, Path(opts.out) / "src")
    elapsed = time.time() - start
    problems = judge(outcomes)
    for p in problems:
        print(p)
    total, lost, new_fp, groups = report(outcomes, sys.stdout)
    if opts.json:
        seed_res = {(o.variant.seed.name, o.kind): o.result for o in outcomes
                    if o.variant.is_seed}
        with open(opts.json, "w") as f:
            json.dump([{
                "program": o.path.name, "seed": o.variant.seed.name,
                "kind": o.kind, "group": o.variant.group,
                "label": o.variant.label,
                "steps": [[t, p] for t, p in o.variant.steps],
                "truth": o.result.truth, "warnings": o.result.warnings,
                "found": o.result.found if o.kind == "bug" else None,
                "located": o.result.located if o.kind == "bug" else None,
                "seed_found": (seed_res[(o.variant.seed.name, "bug")].found
                               if o.kind == "bug" else None),
            } for o in outcomes], f, indent=1)
    failed = bool(problems)
    floors_path = opts.floors or (str(HERE / "floors.json")
                                  if opts.sample is not None or not opts.all
                                  else None)
    floor_lines = []
    if not opts.no_floors and floors_path and os.path.exists(floors_path):
        floors = json.load(open(floors_path))
        checks = [("TOTAL", total, {k: v for k, v in floors.items()
                                    if not k.startswith("_") and
                                    isinstance(v, (int, float))})]
        for tname, fl in floors.get("per_transformation", {}).items():
            if tname in groups:
                rs = [o.result for lst in groups[tname].values() for o in lst]
                checks.append((tname, score.figures(rs), fl))
        for what, figs, fl in checks:
            for key, floor in fl.items():
                value = score.fraction(figs, key)
                if value + 1e-9 < floor:
                    floor_lines.append(
                        "FLOOR %s %s: %.3f is below the floor %.3f (%s)" % (
                            what, key, value, floor, floors_path))
                    failed = True
    for l in floor_lines:
        print(l)
    print("\nsources: %s; %d programs in %.0f s (-j %d)" % (
        Path(opts.out) / "src", len(outcomes), elapsed, opts.jobs))
    nvar = len([v for v in plan if not v.is_seed])
    print(line("TOTAL (%d variants of %d seeds)" % (nvar, len(seeds)),
               [o.result for o in outcomes if not o.variant.is_seed],
               len(lost), len(new_fp), 0).replace("  recall", " recall", 1))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
