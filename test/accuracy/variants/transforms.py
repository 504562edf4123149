#===- transforms.py - Semantics-preserving transformations of a fan-out ----===//
#
# Part of fanout-tidy's accuracy benchmark (test/accuracy/variants/).
#
# Each transformation is a named function FanOut -> FanOut that changes one
# dimension of the description and nothing else; the renderer (model.py)
# turns the result into C++. A transformation that cannot apply to a seed
# (the role runs on the calling thread, the seed is already that way, the
# queue cannot be built that way) raises NotApplicable. Transformations
# compose: apply() takes a list.
#
#   rename_queue          the queue class, its methods and its fields
#   move_loop_to_helper   a role's loop one or two calls down, the queue
#                         passed by reference, by pointer, inside a struct
#   lambda_to_function    a spawned role's lambda as a free function, a
#                         member function, a functor
#   spawn_through         std::thread, std::jthread, std::async, a home-made
#                         pool's submit
#   hold_queue_as         a local, a member of the parent's class, a
#                         shared_ptr
#   express_error_as      return, exception, error code, empty optional
#   implement_queue_with  mutex + condition_variable, condition_variable_any,
#                         counting semaphores
#
#===------------------------------------------------------------------------===#

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import model
from model import FanOut


class NotApplicable(Exception):
    pass


RENAME_SETS = {
    "mailbox": dict(
        cls="Mailbox",
        methods=dict(push="deposit", pop="collect", close="seal",
                     drain="awaitEmpty"),
        fields=dict(mutex="guard_", not_full="hasRoom_", not_empty="hasMail_",
                    items="letters_", capacity="maxLetters_",
                    closed="sealed_")),
    "conveyor": dict(
        cls="Conveyor",
        methods=dict(push="place", pop="pick", close="halt", drain="settle"),
        fields=dict(mutex="beltLock_", not_full="spaceCv_",
                    not_empty="goodsCv_", items="goods_", capacity="length_",
                    closed="halted_")),
}

PASSING_WORDS = {"ref": "by reference", "ptr": "by pointer",
                 "struct": "inside a struct"}


def _role(d, side):
    if side not in d.roles:
        raise NotApplicable("no %s role" % side)
    return d.roles[side]


def rename_queue(d: FanOut, names: str) -> FanOut:
    """Rename the queue class, its methods and its fields consistently."""
    s = RENAME_SETS[names]
    d = d.copy()
    q = d.queue
    old = set(q.names())
    new = set([s["cls"]] + [s["methods"][k] for k in q.methods] +
              [s["fields"][k] for k in q.fields])
    if old & new or new & set(re.findall(r"\w+", model.render(d))):
        raise NotApplicable("the seed already uses some of these names")
    q.cls = s["cls"]
    q.methods = {k: s["methods"][k] for k in q.methods}
    q.fields = {k: s["fields"][k] for k in q.fields}
    return d


def move_loop_to_helper(d: FanOut, side: str, depth: int,
                        passing: str = "ref") -> FanOut:
    """Move a role's loop (with what precedes and follows it in its
    function) into a helper `depth` calls below the thread's entry, the
    queue passed by reference, by pointer or inside a struct. depth 0
    inlines a seed's helpers."""
    d = d.copy()
    r = _role(d, side)
    if depth == 0:
        if r.depth == 0:
            raise NotApplicable("already inline")
        r.depth = 0
        return d
    if (r.depth, r.passing) == (depth, passing):
        raise NotApplicable("the seed is already this way")
    r.depth, r.passing = depth, passing
    return d


def lambda_to_function(d: FanOut, side: str, entry: str) -> FanOut:
    """Turn what a spawned role runs into a lambda, a free function, a
    member function or a functor."""
    d = d.copy()
    r = _role(d, side)
    if r.spawner == "caller":
        raise NotApplicable("the role runs on the calling thread")
    if r.entry == entry:
        raise NotApplicable("the seed is already this way")
    r.entry = entry
    return d


def spawn_through(d: FanOut, side: str, spawner: str) -> FanOut:
    """Start a role through std::thread, std::jthread, std::async or a
    home-made pool's submit (the wait follows: join, the jthread's or the
    pool's destructor or join, the future's get)."""
    d = d.copy()
    r = _role(d, side)
    if r.spawner == "caller":
        raise NotApplicable("the role runs on the calling thread")
    if r.spawner == spawner:
        raise NotApplicable("the seed is already this way")
    r.spawner = spawner
    return d


def hold_queue_as(d: FanOut, holder: str) -> FanOut:
    """Hold the queue as a local of the parent, a member of the parent's
    class, or through a shared_ptr."""
    if d.holder == holder:
        raise NotApplicable("the seed is already this way")
    d = d.copy()
    d.holder = holder
    return d


def express_error_as(d: FanOut, form: str) -> FanOut:
    """Signal the failing call's error as a bool and a return, an exception,
    a std::error_code, an empty std::optional; the code around it follows
    (the exception is caught where the thread starts; an error code is
    returned up the helpers; an empty optional leaves the loop by break)."""
    if d.failing_role() is None:
        raise NotApplicable("no error point")
    if d.error_form == form:
        raise NotApplicable("the seed is already this way")
    d = d.copy()
    d.error_form = form
    return d


def implement_queue_with(d: FanOut, kind: str) -> FanOut:
    """Implement the same queue with a mutex and a condition_variable, a
    condition_variable_any, or counting semaphores."""
    if d.queue.kind == kind:
        raise NotApplicable("the seed is already this way")
    if kind == "semaphore" and d.queue.drain:
        raise NotApplicable("a semaphore queue cannot wait until empty")
    d = d.copy()
    d.queue.kind = kind
    return d


@dataclass
class Transformation:
    name: str
    func: Callable
    params: list                      # [dict of keyword arguments]
    label: Callable                   # params -> readable label
    ident: Callable                   # params -> short id (file names)
    doc: str = ""


def _helper_label(p):
    if p["depth"] == 0:
        return "%s loop inlined" % p["side"]
    return "%s depth %d %s" % (p["side"], p["depth"],
                               PASSING_WORDS[p["passing"]])


def _helper_id(p):
    if p["depth"] == 0:
        return "%s-inline" % p["side"]
    return "%s-%d-%s" % (p["side"], p["depth"], p["passing"])


ENTRY_WORDS = {"lambda": "lambda", "free": "free function",
               "member": "member function", "functor": "functor"}
SPAWN_WORDS = {"thread": "std::thread", "jthread": "std::jthread",
               "async": "std::async", "pool": "pool submit"}

TRANSFORMATIONS = [
    Transformation(
        "rename", rename_queue,
        [dict(names=n) for n in RENAME_SETS],
        lambda p: "queue renamed (%s)" % p["names"],
        lambda p: p["names"]),
    Transformation(
        "helper", move_loop_to_helper,
        [dict(side=s, depth=dp, passing=pa)
         for s in ("producer", "consumer") for dp in (1, 2)
         for pa in ("ref", "ptr", "struct")] +
        [dict(side=s, depth=0, passing="ref") for s in ("producer", "consumer")],
        _helper_label, _helper_id),
    Transformation(
        "entry", lambda_to_function,
        [dict(side=s, entry=e) for s in ("producer", "consumer")
         for e in ("free", "member", "functor", "lambda")],
        lambda p: "%s as %s" % (p["side"], ENTRY_WORDS[p["entry"]]),
        lambda p: "%s-%s" % (p["side"], p["entry"])),
    Transformation(
        "spawner", spawn_through,
        [dict(side=s, spawner=sp) for s in ("producer", "consumer")
         for sp in ("thread", "jthread", "async", "pool")],
        lambda p: "%s via %s" % (p["side"], SPAWN_WORDS[p["spawner"]]),
        lambda p: "%s-%s" % (p["side"], p["spawner"])),
    Transformation(
        "holder", hold_queue_as,
        [dict(holder=h) for h in ("local", "member", "shared_ptr")],
        lambda p: "queue held as %s" % p["holder"],
        lambda p: p["holder"]),
    Transformation(
        "error", express_error_as,
        [dict(form=f) for f in ("return", "exception", "error-code",
                                "optional")],
        lambda p: "error as %s" % {"return": "a return",
                                   "exception": "an exception",
                                   "error-code": "an error code",
                                   "optional": "an empty optional"}[p["form"]],
        lambda p: p["form"]),
    Transformation(
        "queue-impl", implement_queue_with,
        [dict(kind=k) for k in ("cv", "cv-any", "semaphore")],
        lambda p: "queue on %s" % {"cv": "condition_variable",
                                   "cv-any": "condition_variable_any",
                                   "semaphore": "semaphores"}[p["kind"]],
        lambda p: p["kind"]),
]

BY_NAME = {t.name: t for t in TRANSFORMATIONS}


def step_id(tname, params):
    return "%s-%s" % (tname, BY_NAME[tname].ident(params))


def step_label(tname, params):
    return "%s: %s" % (tname, BY_NAME[tname].label(params))


def apply(d: FanOut, steps, check_identity=True) -> FanOut:
    """Apply [(transformation name, params)] in order. NotApplicable when
    any of them does not apply, or the seed says it cannot take it, or (with
    check_identity) the result renders as the input did. The generator
    checks the bug twin only: a fix twin may legitimately not change (an
    error path that keeps draining reads the same after return or break)."""
    before = model.render(d)
    for tname, params in steps:
        sid = step_id(tname, params)
        if sid in d.not_applicable:
            raise NotApplicable(d.not_applicable[sid])
        d = BY_NAME[tname].func(d, **params)
        d.variant = d.variant + [(tname, BY_NAME[tname].ident(params))]
    try:
        after = model.render(d)
    except model.RenderError as e:
        raise NotApplicable("not expressible: %s" % e)
    if check_identity and strip_header(after) == strip_header(before):
        raise NotApplicable("renders as the seed")
    return d


def strip_header(text):
    return "\n".join(l for l in text.splitlines()
                     if not l.startswith("// accuracy-"))
