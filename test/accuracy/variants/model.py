#===- model.py - A fan-out described as data, and its C++ renderer ---------===//
#
# Part of fanout-tidy's accuracy benchmark (test/accuracy/variants/).
#
# A seed is not C++ text but a FanOut: the queue (a hand-written class whose
# every name is a placeholder), the two roles (the producer side and the
# consumer side: where each runs, how it is spawned, how deep its loop sits,
# how it reaches the queue), the parent function that spawns, runs and waits,
# the error point (which service call fails and how the failure is
# signalled), and main. One renderer turns a FanOut into a self-contained
# C++20 program. A transformation (transforms.py) maps a FanOut to another
# FanOut changing one dimension; the seed program is the rendering of the
# unmodified description, so seed and variant differ only in that dimension.
#
# Role bodies are small Python functions writing C++ through a toolkit (class
# Body): t.q('push', x) is the queue call as the current scope reaches the
# queue (q.push(x), q->push(x), args.q.push(x), queue_.push(x)), t.v(name) a
# context variable, t.step(...) the error point in the current error form,
# t.consume_loop(...) the pop loop in the queue's pop style, t.leave() the
# way out of the loop's function. That keeps every dimension in one place.
#
#===------------------------------------------------------------------------===#

from __future__ import annotations

import copy
import dataclasses
import re
from dataclasses import dataclass, field
from typing import Callable, Optional

MARK = " // accuracy: blocks"

ERROR_FORMS = ("return", "break", "holder", "exception", "error-code",
               "optional")
SPAWNERS = ("thread", "jthread", "async", "pool", "caller")
ENTRIES = ("lambda", "free", "member", "functor")
PASSINGS = ("ref", "ptr", "struct")
HOLDERS = ("local", "member", "shared_ptr")
QUEUE_KINDS = ("cv", "cv-any", "semaphore")

# Canonical queue names. A QueueSpec maps each to the seed's own name.
QUEUE_METHODS = ("push", "pop", "close", "drain")
QUEUE_FIELDS = ("mutex", "not_full", "not_empty", "items", "capacity",
                "closed")


class RenderError(Exception):
    """The description asks for something the renderer cannot express."""


@dataclass
class QueueSpec:
    kind: str = "cv"                  # cv | cv-any | semaphore
    cls: str = "Channel"
    templated: bool = True            # template <typename T> class ...
    item: str = "int"                 # the element type (T when templated)
    methods: dict = field(default_factory=dict)   # canonical -> name
    fields: dict = field(default_factory=dict)    # canonical -> name
    push_returns: str = "bool"        # bool | void
    pop_style: str = "out"            # out: bool pop(T&) | optional | value
    closable: bool = True
    drain: bool = False               # drain(): wait until empty, then close
    close_in_dtor: bool = False

    @property
    def type(self):
        return "%s<%s>" % (self.cls, self.item) if self.templated else self.cls

    def m(self, canonical):
        return self.methods[canonical]

    def f(self, canonical):
        return self.fields[canonical]

    def names(self):
        """Every identifier the queue class owns."""
        out = [self.cls] + [self.methods[k] for k in QUEUE_METHODS
                            if k in self.methods and self.has(k)]
        out += [self.fields[k] for k in QUEUE_FIELDS
                if k in self.fields and (k != "closed" or self.closable) and
                (k != "capacity" or self.kind != "semaphore")]
        return out

    def has(self, method):
        if method == "close":
            return self.closable
        if method == "drain":
            return self.drain
        return True


@dataclass
class PoolSpec:
    cls: str = "TaskPool"
    submit: str = "submit"
    join: str = "join"


@dataclass
class ErrorLogSpec:
    cls: str = "ErrorLog"
    var: str = "errors"
    record: str = "record"
    failed: str = "failed"
    first: str = "first"


@dataclass
class Service:
    """The class whose call fails. Its failing method is rendered per error
    form: bool m(in, out&) | Out m(in) throwing | std::error_code m(in, out&)
    | std::optional<Out> m(in)."""
    cls: str
    var: str                  # the context variable holding it
    method: str
    in_decl: Optional[str]    # e.g. "const std::string &key" (None: no input)
    out_type: str
    ok: str                   # the success value (may use the input)
    fails: str                # condition, on members and the input
    message: str
    public: str = ""          # the rest of the class, raw C++
    private: str = ""
    errc: str = "io_error"


@dataclass
class Var:
    name: str
    type: str
    passing: str = "cref"     # ref | cref | value

    def param(self):
        if self.passing == "ref":
            return "%s &%s" % (self.type, self.name)
        if self.passing == "cref":
            return "const %s &%s" % (self.type, self.name)
        return "%s %s" % (self.type, self.name)

    def thread_arg(self, expr):
        if self.passing == "ref":
            return "std::ref(%s)" % expr
        if self.passing == "cref":
            return "std::cref(%s)" % expr
        return expr


@dataclass
class Role:
    side: str                 # producer | consumer
    name: str                 # what it is, for the shape line
    var: str                  # its thread / future / pool variable
    body: Callable            # body(t: Body) -> [lines]: the loop unit
    spawner: str = "thread"
    entry: str = "lambda"
    count: Optional[str] = None   # C++ expression: instances (None: one)
    index: str = "w"          # the instance index variable when count
    depth: int = 0            # 0: the loop is in the entry itself
    passing: str = "ref"
    uses: list = field(default_factory=list)   # context variables used
    fails: bool = False       # this role holds the error point
    service: Optional[str] = None   # the failing Service's var
    fix_reaction: str = "leave"     # in the fix twin: leave|finish|drain
    finish: Optional[Callable] = None   # finish(t) -> lines (reaction finish)
    fn: str = ""              # free entry function name
    worker: str = ""          # worker struct (member / functor entries)
    method: str = "run"       # member function name
    helpers: tuple = ("", "")     # helper names, depth 1 and 2
    args_struct: str = ""     # passing struct: its type
    args_var: str = "args"    # passing struct: its parameter name


@dataclass
class Parent:
    name: str                 # the fan-out function (or method)
    ret: str                  # its return type
    params: list              # [Var]
    steps: list               # see Renderer.parent_body
    locals: list = field(default_factory=list)   # [Var] declared by code steps
    qvar: str = "queue"
    cap: str = "8"
    cap_params: list = field(default_factory=list)
    cls: str = ""             # the class when the queue is a member
    obj: str = "job"          # main's object of that class


@dataclass
class FanOut:
    name: str
    family: str
    kind: str                 # bug | fix
    origin: str
    story: list               # comment lines (without //)
    queue: QueueSpec
    roles: dict               # 'producer' / 'consumer' -> Role
    parent: Parent
    main: list                # lines of main's body; '@CALL' is the call
    services: list = field(default_factory=list)
    errors: Optional[ErrorLogSpec] = None
    pool: PoolSpec = field(default_factory=PoolSpec)
    types: str = ""           # C++ before the queue (element types ...)
    support: Optional[Callable] = None   # support(t) -> C++ after the queue
    holder: str = "local"
    error_form: Optional[str] = None
    shape_extra: dict = field(default_factory=dict)
    flags: list = field(default_factory=list)
    # "transform:param" labels this seed cannot take (with the reason).
    not_applicable: dict = field(default_factory=dict)
    variant: list = field(default_factory=list)   # applied transformations

    @property
    def is_bug(self):
        return self.kind == "bug"

    def role(self, side):
        return self.roles[side]

    def failing_role(self):
        for r in self.roles.values():
            if r.fails:
                return r
        return None

    def copy(self):
        return copy.deepcopy(self)


def indent(lines, n=1):
    pad = "  " * n
    return [pad + l if l else l for l in lines]


def cstr(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


@dataclass
class Scope:
    q: str                    # how this scope names the queue
    qkind: str                # obj | ptr | sptr
    vars: dict                # context variable -> expression
    level: str                # entry | helper | caller | parent
    ec: bool = False          # the function returns std::error_code
    args_var: str = ""        # passing struct parameter (helpers)

    def deref(self):
        return self.q if self.qkind == "obj" else "*" + self.q

    def addr(self):
        if self.qkind == "obj":
            return "&" + self.q
        if self.qkind == "ptr":
            return self.q
        return self.q + ".get()"

    def member(self, name):
        return ("%s.%s" if self.qkind == "obj" else "%s->%s") % (self.q, name)


class Body:
    """The toolkit role bodies and parent code steps write C++ with."""

    def __init__(self, r: "Renderer", role: Optional[Role], scope: Scope):
        self.r, self.role, self.scope = r, role, scope
        self.d = r.d
        self.fix = r.d.kind == "fix"
        self.bug = not self.fix

    # -- names ---------------------------------------------------------------
    @property
    def item_type(self):
        return self.d.queue.item

    @property
    def queue_type(self):
        return self.d.queue.type

    def qname(self, canonical):
        return self.d.queue.m(canonical)

    def v(self, name):
        if name not in self.scope.vars:
            raise RenderError("%s: context variable %r not in scope (uses?)" %
                              (self.role.name if self.role else "parent", name))
        return self.scope.vars[name]

    def log(self):
        return self.v(self.d.errors.var)

    def log_call(self, what, *args):
        spec = self.d.errors
        return "%s.%s(%s)" % (self.log(), getattr(spec, what), ", ".join(args))

    # -- queue ---------------------------------------------------------------
    def q(self, canonical, *args):
        if not self.d.queue.has(canonical):
            raise RenderError("the queue has no %s" % canonical)
        return "%s(%s)" % (self.scope.member(self.qname(canonical)),
                           ", ".join(args))

    def queue_ref(self):
        """The queue as an lvalue of its class (for guards taking Q&)."""
        return self.scope.deref()

    def mark(self, blocks=True):
        return MARK if blocks and self.bug else ""

    def call(self, canonical, *args, blocks=False):
        return self.q(canonical, *args) + ";" + self.mark(blocks)

    def consume_loop(self, var, blocks=False, end=None):
        """The opening lines of the pop loop; the body follows at one more
        level of indentation and closes it with '}'."""
        qs = self.d.queue
        holder_cond = (self.role is not None and self.role.fails and
                       self.r.form(self.role) == "holder" and
                       not (self.fix and self.role.fix_reaction == "drain"))
        mark = self.mark(blocks)
        if qs.pop_style == "out":
            cond = self.q("pop", var)
            if holder_cond:
                cond += " && !%s" % self.log_call("failed")
            return ["%s %s;" % (qs.item, var),
                    "while (%s) {%s" % (cond, mark)]
        if holder_cond:
            raise RenderError("a holder loop condition needs pop(T&)")
        if qs.pop_style == "optional":
            return ["while (std::optional<%s> %s = %s) {%s" %
                    (qs.item, var, self.q("pop"), mark)]
        if end is None:
            raise RenderError("a value-returning pop needs an end test")
        return ["for (;;) {",
                "  %s %s = %s;%s" % (qs.item, var, self.q("pop"), mark),
                "  if (%s)" % end(var), "    break;"]

    def item(self, var):
        return "*" + var if self.d.queue.pop_style == "optional" else var

    def field(self, var, name):
        """A member of the popped element."""
        return ("%s->%s" if self.d.queue.pop_style == "optional" else
                "%s.%s") % (var, name)

    # -- leaving -------------------------------------------------------------
    def leave(self):
        """Leave the function holding the loop (inline in the caller: the
        loop)."""
        if self.scope.level == "caller":
            return "break;"
        if self.scope.level == "parent":
            raise RenderError("leave() in the parent")
        return "return {};" if self.scope.ec else "return;"

    def _exit(self, form, loop):
        if form == "break" or (form == "optional" and self.role.side ==
                               "consumer"):
            if not loop:
                raise RenderError("break outside a loop")
            return "break;"
        if self.scope.level == "caller":
            if not loop:
                raise RenderError("the calling thread cannot return here")
            return "break;"
        return "return;"

    # -- the error point -----------------------------------------------------
    def step(self, arg, out, use=None, loop=True):
        """The failing call and what follows it, in the role's error form;
        use(expr) gives the lines using its result on success."""
        role = self.role
        form = self.r.form(role)
        svc = self.r.service(role.service)
        reaction = role.fix_reaction if self.fix else "leave"
        if reaction == "drain" and not loop:
            raise RenderError("drain outside a loop")
        sv = self.v(svc.var)
        in_args = [] if arg is None else [arg]
        call_in = "%s.%s(%s)" % (sv, svc.method, ", ".join(in_args))
        call_out = "%s.%s(%s)" % (sv, svc.method, ", ".join(in_args + [out]))
        rec = self.log_call("record", cstr(svc.message)) + ";"
        fin = role.finish(self) if reaction == "finish" else []
        uses = (lambda e: use(e) if use else [])
        lines = []
        if reaction == "drain":
            lines += ["if (%s)" % self.log_call("failed"), "  continue;"]
        if form in ("return", "break", "holder"):
            lines.append("%s %s;" % (svc.out_type, out))
            lines.append("if (!%s) {" % call_out)
            body = fin + [rec]
            if reaction == "drain" or form == "holder":
                body.append("continue;")
            else:
                body.append(self._exit(form, loop))
            lines += indent(body) + ["}"]
            lines += uses(out)
        elif form == "exception":
            if reaction == "leave":
                lines.append("%s %s = %s;" % (svc.out_type, out, call_in))
            elif reaction == "finish":
                lines += ["%s %s;" % (svc.out_type, out), "try {",
                          "  %s = %s;" % (out, call_in), "} catch (...) {"]
                lines += indent(fin + ["throw;"]) + ["}"]
            else:
                lines += ["%s %s;" % (svc.out_type, out), "try {",
                          "  %s = %s;" % (out, call_in),
                          "} catch (const std::exception &e) {",
                          "  " + self.log_call("record", "e.what()") + ";",
                          "  continue;", "}"]
            lines += uses(out)
        elif form == "error-code":
            lines.append("%s %s;" % (svc.out_type, out))
            lines.append("if (std::error_code ec = %s) {" % call_out)
            if reaction == "drain":
                body = [rec, "continue;"]
            elif self.scope.ec:
                body = fin + ["return ec;"]     # the entry records it
            else:
                body = fin + [rec, self._exit(form, loop)]
            lines += indent(body) + ["}"]
            lines += uses(out)
        elif form == "optional":
            lines.append("std::optional<%s> %s = %s;" % (svc.out_type, out,
                                                         call_in))
            lines.append("if (!%s) {" % out)
            body = fin + [rec]
            body.append("continue;" if reaction == "drain" else
                        self._exit(form, loop))
            lines += indent(body) + ["}"]
            lines += uses("*" + out)
        else:
            raise RenderError("no error form for %s" % role.name)
        return lines


HEADERS = [
    (r"std::(thread|jthread|this_thread)\b", "thread"),
    (r"std::(async|future|launch)\b", "future"),
    (r"std::(mutex|lock_guard|unique_lock|scoped_lock)\b", "mutex"),
    (r"std::condition_variable", "condition_variable"),
    (r"std::counting_semaphore", "semaphore"),
    (r"std::deque\b", "deque"),
    (r"std::vector\b", "vector"),
    (r"std::(string|to_string)\b", "string"),
    (r"std::(optional|nullopt)\b", "optional"),
    (r"std::(error_code|errc|make_error_code)\b", "system_error"),
    (r"std::(runtime_error|logic_error)\b", "stdexcept"),
    (r"std::exception\b", "exception"),
    (r"std::(function|bind|ref|cref)\b", "functional"),
    (r"std::(shared_ptr|make_shared|unique_ptr)\b", "memory"),
    (r"std::(move|forward|exchange)\b", "utility"),
    (r"std::(printf|puts)\b", "cstdio"),
    (r"std::atomic\b", "atomic"),
    (r"std::map\b", "map"),
    (r"std::size_t\b", "cstddef"),
    (r"std::(accumulate|iota)\b", "numeric"),
    (r"std::(min|max|find)\b", "algorithm"),
]


class Renderer:
    def __init__(self, d: FanOut):
        self.d = d
        self.top = []          # namespace-scope blocks, in order

    # -- helpers -------------------------------------------------------------
    def form(self, role):
        return self.d.error_form if role is not None and role.fails else None

    def service(self, var):
        for s in self.d.services:
            if s.var == var:
                return s
        raise RenderError("no service %r" % var)

    def var(self, name, role=None):
        if role is not None and role.count and name == role.index:
            return Var(role.index, "int", "value")
        for v in self.d.parent.params + self.d.parent.locals:
            if v.name == name:
                return v
        raise RenderError("unknown context variable %r" % name)

    def uses(self, role):
        names = list(role.uses)
        if role.fails:
            for n in (role.service, self.d.errors.var):
                if n not in names:
                    names.append(n)
        return [self.var(n, role) for n in names]

    def ec(self, role):
        return role.fails and self.d.error_form == "error-code"

    def parent_scope(self, level="parent"):
        d, qv = self.d, self.d.parent.qvar
        names = {v.name: v.name for v in d.parent.params + d.parent.locals}
        for r in d.roles.values():
            if r.count:
                names[r.index] = r.index
        if d.holder == "member":
            return Scope(qv + "_", "obj", names, level)
        if d.holder == "shared_ptr":
            return Scope(qv, "sptr", names, level)
        return Scope(qv, "obj", names, level)

    def entry_scope(self, role):
        d, qv = self.d, self.d.parent.qvar
        if role.spawner == "caller":
            return self.parent_scope("caller")
        if role.entry == "lambda":
            return self.parent_scope("entry")
        names = {v.name: v.name for v in self.uses(role)}
        if role.entry == "member" and d.holder == "member":
            return Scope(qv + "_", "obj", names, "entry")
        kind = "sptr" if d.holder == "shared_ptr" else "obj"
        return Scope(qv, kind, names, "entry")

    def helper_scope(self, role):
        qv = self.d.parent.qvar
        uses = self.uses(role)
        if role.passing == "struct":
            a = role.args_var
            return Scope("%s.%s" % (a, qv), "obj",
                         {v.name: "%s.%s" % (a, v.name) for v in uses},
                         "helper", self.ec(role), a)
        return Scope(qv, "ptr" if role.passing == "ptr" else "obj",
                     {v.name: v.name for v in uses}, "helper", self.ec(role))

    def helper_params(self, role):
        qt = self.d.queue.type
        if role.passing == "struct":
            return "const %s &%s" % (role.args_struct, role.args_var)
        q = ("%s *%s" if role.passing == "ptr" else "%s &%s") % (
            qt, self.d.parent.qvar)
        return ", ".join([q] + [v.param() for v in self.uses(role)])

    def helper_args(self, role, scope):
        """Arguments, from scope, for the next helper down."""
        uses = self.uses(role)
        if role.passing == "struct":
            if scope.level == "helper":
                return scope.args_var
            return "%s{%s}" % (role.args_struct, ", ".join(
                [scope.deref()] + [scope.vars[v.name] for v in uses]))
        q = scope.addr() if role.passing == "ptr" else scope.deref()
        return ", ".join([q] + [scope.vars[v.name] for v in uses])

    # -- a role --------------------------------------------------------------
    def loop_unit(self, role, scope):
        lines = role.body(Body(self, role, scope))
        if scope.ec and scope.level == "helper":
            lines = lines + ["return {};"]
        return lines

    def role_functions(self, role):
        """The helpers (namespace scope, deepest first)."""
        if role.depth == 0:
            return
        ret = "std::error_code" if self.ec(role) else "void"
        hs = self.helper_scope(role)
        if role.passing == "struct":
            fields = ["%s &%s;" % (self.d.queue.type, self.d.parent.qvar)]
            for v in self.uses(role):
                fields.append(v.param() + ";")
            self.top.append(["struct %s {" % role.args_struct] +
                            indent(fields) + ["};"])
        if role.depth == 2:
            self.top.append(["%s %s(%s) {" % (ret, role.helpers[1],
                                              self.helper_params(role))] +
                            indent(self.loop_unit(role, hs)) + ["}"])
            call = "%s(%s)" % (role.helpers[1], self.helper_args(role, hs))
            inner = ["return %s;" % call] if self.ec(role) else [call + ";"]
        else:
            inner = self.loop_unit(role, hs)
        self.top.append(["%s %s(%s) {" % (ret, role.helpers[0],
                                          self.helper_params(role))] +
                        indent(inner) + ["}"])

    def entry_lines(self, role, scope):
        """What the thread runs (or the calling thread does inline)."""
        if role.depth == 0:
            lines = self.loop_unit(role, scope)
        else:
            call = "%s(%s)" % (role.helpers[0], self.helper_args(role, scope))
            if self.ec(role):
                b = Body(self, role, scope)
                lines = ["if (std::error_code ec = %s)" % call,
                         "  %s;" % b.log_call(
                             "record", cstr(self.service(role.service).message))]
            else:
                lines = [call + ";"]
        if role.fails and self.d.error_form == "exception":
            b = Body(self, role, scope)
            lines = (["try {"] + indent(lines) +
                     ["} catch (const std::exception &e) {",
                      "  %s;" % b.log_call("record", "e.what()"), "}"])
        return lines

    def entry_decls(self, role):
        """Free entry functions and worker structs (namespace scope)."""
        if role.spawner == "caller" or role.entry == "lambda":
            return
        d = self.d
        es = self.entry_scope(role)
        body = self.entry_lines(role, es)
        if role.entry == "free":
            q = ("std::shared_ptr<%s> %s" if d.holder == "shared_ptr" else
                 "%s &%s") % (d.queue.type, d.parent.qvar)
            params = ", ".join([q] + [v.param() for v in self.uses(role)])
            self.top.append(["void %s(%s) {" % (role.fn, params)] +
                            indent(body) + ["}"])
            return
        if role.entry == "member" and d.holder == "member":
            return          # a member function of the parent's class
        fields = [("std::shared_ptr<%s> %s;" if d.holder == "shared_ptr" else
                   "%s &%s;") % (d.queue.type, d.parent.qvar)]
        fields += [v.param() + ";" for v in self.uses(role)]
        head = ("void %s() {" % role.method if role.entry == "member" else
                "void operator()() {")
        self.top.append(["struct %s {" % role.worker] + indent(fields) + [""] +
                        indent([head] + indent(body) + ["}"]) + ["};"])

    def parent_member_functions(self):
        out = []
        if self.d.holder != "member":
            return out
        for role in self.d.roles.values():
            if role.spawner != "caller" and role.entry == "member":
                params = ", ".join(v.param() for v in self.uses(role))
                body = self.entry_lines(role, self.entry_scope(role))
                out.append(["void %s(%s) {" % (role.fn, params)] +
                           indent(body) + ["}"])
        return out

    def callable(self, role, ps):
        """(head, body_lines or None): the thing to run, from the parent."""
        d = self.d
        uses = self.uses(role)
        if role.entry == "lambda":
            if d.holder == "shared_ptr":
                caps = [ps.q] + [("" if v.passing == "value" else "&") +
                                 v.name for v in uses]
            else:
                caps = ["&"] + [v.name for v in uses if v.name == role.index
                                and role.count]
            return "[%s]" % ", ".join(caps), self.entry_lines(
                role, self.entry_scope(role))
        if role.entry == "free":
            q = ps.q if d.holder == "shared_ptr" else "std::ref(%s)" % ps.deref()
            return ", ".join([role.fn, q] + [v.thread_arg(v.name)
                                             for v in uses]), None
        if role.entry == "member" and d.holder == "member":
            return ", ".join(["&%s::%s" % (d.parent.cls, role.fn), "this"] +
                             [v.thread_arg(v.name) for v in uses]), None
        q = ps.q if d.holder == "shared_ptr" else ps.deref()
        obj = "%s{%s}" % (role.worker, ", ".join([q] + [v.name for v in uses]))
        if role.entry == "member":
            return "&%s::%s, %s" % (role.worker, role.method, obj), None
        return obj, None

    def spawn_lines(self, role, ps):
        head, body = self.callable(role, ps)
        pool = self.d.pool

        def stmt(prefix, suffix):
            if body is None:
                return [prefix + head + suffix]
            return [prefix + head + " {"] + indent(body) + ["}" + suffix]

        sp, v = role.spawner, role.var
        if role.count is None:
            if sp in ("thread", "jthread"):
                return stmt("std::%s %s(" % (sp, v), ");")
            if sp == "async":
                return stmt("std::future<void> %s = std::async("
                            "std::launch::async, " % v, ");")
            if sp == "pool":
                return ["%s %s(1);" % (pool.cls, v)] + stmt(
                    "%s.%s(" % (v, pool.submit), ");")
            raise RenderError("spawner %s" % sp)
        i = role.index
        loop = "for (int %s = 0; %s < %s; ++%s) {" % (i, i, role.count, i)
        if sp in ("thread", "jthread"):
            return (["std::vector<std::%s> %s;" % (sp, v), loop] +
                    indent(stmt("%s.emplace_back(" % v, ");")) + ["}"])
        if sp == "async":
            return (["std::vector<std::future<void>> %s;" % v, loop] +
                    indent(stmt("%s.push_back(std::async(std::launch::async, "
                                % v, "));")) + ["}"])
        if sp == "pool":
            return (["%s %s(%s);" % (pool.cls, v, role.count), loop] +
                    indent(stmt("%s.%s(" % (v, pool.submit), ");")) + ["}"])
        raise RenderError("spawner %s" % sp)

    def wait_lines(self, role, blocks):
        mark = MARK if blocks and self.d.is_bug else ""
        v = role.var
        if role.spawner in ("thread", "jthread"):
            if role.count is None:
                return ["%s.join();%s" % (v, mark)]
            return ["for (auto &t : %s)" % v, "  t.join();" + mark]
        if role.spawner == "async":
            if role.count is None:
                return ["%s.get();%s" % (v, mark)]
            return ["for (auto &f : %s)" % v, "  f.get();" + mark]
        if role.spawner == "pool":
            return ["%s.%s();%s" % (v, self.d.pool.join, mark)]
        raise RenderError("wait on %s" % role.spawner)

    # -- the parent ----------------------------------------------------------
    def implicit_waits(self):
        """Whether the waits are left to destructors (every spawned role a
        jthread or a pool, the waits last and in reverse spawn order)."""
        steps = self.d.parent.steps
        spawns = [i for i, s in enumerate(steps) if s[0] == "spawn"]
        waits = [i for i, s in enumerate(steps) if s[0] == "wait"]
        if not waits or not spawns:
            return False
        if any(self.d.roles[steps[i][1]].spawner not in ("jthread", "pool")
               for i in spawns):
            return False
        if waits != list(range(waits[0], waits[-1] + 1)):
            return False
        if max(spawns) > waits[0]:
            return False
        order = [steps[i][1] for i in spawns]
        return [steps[i][1] for i in waits] == order[::-1]

    def parent_body(self):
        """(lines, closing-brace marker)."""
        d = self.d
        P = d.parent
        ps = self.parent_scope()
        steps = P.steps
        implicit = self.implicit_waits()
        first_spawn = next(i for i, s in enumerate(steps) if s[0] == "spawn")
        last_wait = max(i for i, s in enumerate(steps) if s[0] == "wait")
        waits_block = any(s[0] == "wait" and len(s) > 2 and s[2]
                          for s in steps)
        block = implicit and last_wait < len(steps) - 1
        out, cur = [], []
        close_mark = ""
        for i, s in enumerate(steps):
            if implicit and block and i == first_spawn:
                out, cur = cur, []
            kind = s[0]
            if kind == "code":
                cur += s[1](Body(self, None, ps))
            elif kind == "queue":
                if d.holder == "local":
                    cur.append("%s %s(%s);" % (d.queue.type, P.qvar, P.cap))
                elif d.holder == "shared_ptr":
                    cur.append("auto %s = std::make_shared<%s>(%s);" %
                               (P.qvar, d.queue.type, P.cap))
            elif kind == "spawn":
                cur += self.spawn_lines(d.roles[s[1]], ps)
            elif kind == "run":
                role = d.roles[s[1]]
                if role.spawner != "caller":
                    raise RenderError("run of a spawned role")
                cur += self.entry_lines(role, self.parent_scope("caller"))
            elif kind == "wait":
                blocks = len(s) > 2 and s[2]
                if not implicit:
                    cur += self.wait_lines(d.roles[s[1]], blocks)
            else:
                raise RenderError("step %r" % (kind,))
            if implicit and block and i == last_wait:
                mark = MARK if waits_block and d.is_bug else ""
                out += ["{"] + indent(cur) + ["}" + mark]
                cur = []
        out += cur
        if implicit and not block and waits_block and d.is_bug:
            close_mark = MARK
        return out, close_mark

    def parent_decl(self):
        d, P = self.d, self.d.parent
        body, close_mark = self.parent_body()
        params = ", ".join(v.param() for v in P.params)
        fn = ["%s %s(%s) {" % (P.ret, P.name, params)] + indent(body) + [
            "}" + close_mark]
        if d.holder != "member":
            self.top.append(fn)
            return
        members = []
        if P.cap_params:
            cps = [v for v in P.params if v.name in P.cap_params]
            ctor = "explicit %s(%s) : %s_(%s) {}" % (
                P.cls, ", ".join(v.param() for v in cps), P.qvar, P.cap)
            qdecl = "%s %s_;" % (d.queue.type, P.qvar)
        else:
            ctor = None
            qdecl = "%s %s_{%s};" % (d.queue.type, P.qvar, P.cap)
        cls = ["class %s {" % P.cls, "public:"]
        if ctor:
            cls.append("  " + ctor)
        cls += indent(fn)
        cls.append("")
        cls.append("private:")
        for m in self.parent_member_functions():
            cls += indent(m) + [""]
        cls.append("  " + qdecl)
        cls.append("};")
        self.top.append(cls)

    def main_decl(self):
        d, P = self.d, self.d.parent
        lines = []
        for line in d.main:
            if "@CALL" not in line:
                lines.append(line)
                continue
            m = re.search(r"@CALL\((.*)\)", line)
            args = m.group(1)
            if d.holder == "member":
                pad = re.match(r"^\s*", line).group(0)
                argv = split_args(args)
                cap_args = [argv[i] for i, v in enumerate(P.params)
                            if v.name in P.cap_params]
                lines.append("%s%s %s%s;" % (
                    pad, P.cls, P.obj,
                    "(%s)" % ", ".join(cap_args) if cap_args else ""))
                call = "%s.%s(%s)" % (P.obj, P.name, args)
            else:
                call = "%s(%s)" % (P.name, args)
            lines.append(line[:m.start()] + call + line[m.end():])
        self.top.append(["int main() {"] + indent(lines) + ["}"])

    # -- classes -------------------------------------------------------------
    def queue_decl(self):
        self.top.append(render_queue(self.d.queue).splitlines())

    def errors_decl(self):
        e = self.d.errors
        if e is None:
            return
        self.top.append([
            "class %s {" % e.cls,
            "public:",
            "  void %s(const std::string &message) {" % e.record,
            "    std::lock_guard<std::mutex> lock(logMutex_);",
            "    if (firstMessage_.empty())",
            "      firstMessage_ = message;",
            "  }",
            "  bool %s() const {" % e.failed,
            "    std::lock_guard<std::mutex> lock(logMutex_);",
            "    return !firstMessage_.empty();",
            "  }",
            "  std::string %s() const {" % e.first,
            "    std::lock_guard<std::mutex> lock(logMutex_);",
            "    return firstMessage_;",
            "  }",
            "",
            "private:",
            "  mutable std::mutex logMutex_;",
            "  std::string firstMessage_;",
            "};"])

    def service_decl(self, s):
        role = next((r for r in self.d.roles.values()
                     if r.fails and r.service == s.var), None)
        form = self.form(role) if role else "return"
        ins = [s.in_decl] if s.in_decl else []
        if form in ("return", "break", "holder"):
            head = "bool %s(%s) const {" % (s.method, ", ".join(
                ins + ["%s &out" % s.out_type]))
            body = ["if (%s)" % s.fails, "  return false;",
                    "out = %s;" % s.ok, "return true;"]
        elif form == "exception":
            head = "%s %s(%s) const {" % (s.out_type, s.method, ", ".join(ins))
            body = ["if (%s)" % s.fails,
                    "  throw std::runtime_error(%s);" % cstr(s.message),
                    "return %s;" % s.ok]
        elif form == "error-code":
            head = "std::error_code %s(%s) const {" % (s.method, ", ".join(
                ins + ["%s &out" % s.out_type]))
            body = ["if (%s)" % s.fails,
                    "  return std::make_error_code(std::errc::%s);" % s.errc,
                    "out = %s;" % s.ok, "return {};"]
        elif form == "optional":
            head = "std::optional<%s> %s(%s) const {" % (
                s.out_type, s.method, ", ".join(ins))
            body = ["if (%s)" % s.fails, "  return std::nullopt;",
                    "return %s;" % s.ok]
        else:
            raise RenderError("form %s" % form)
        cls = ["class %s {" % s.cls, "public:"]
        cls += indent(dedent_block(s.public))
        cls += indent([head] + indent(body) + ["}"])
        if s.private.strip():
            cls += ["", "private:"] + indent(dedent_block(s.private))
        cls.append("};")
        self.top.append(cls)

    def pool_used(self):
        return any(r.spawner == "pool" for r in self.d.roles.values())

    def pool_decl(self):
        p = self.d.pool
        self.top.append(("""\
class {cls} {{
public:
  explicit {cls}(std::size_t size) {{
    for (std::size_t i = 0; i < size; ++i)
      poolThreads_.emplace_back([this] {{ work(); }});
  }}
  ~{cls}() {{ {join}(); }}

  template <typename F, typename... Args> void {submit}(F &&f, Args &&...args) {{
    {{
      std::lock_guard<std::mutex> lock(poolMutex_);
      pending_.push_back(std::bind(std::forward<F>(f), std::forward<Args>(args)...));
    }}
    poolWake_.notify_one();
  }}

  void {join}() {{
    {{
      std::lock_guard<std::mutex> lock(poolMutex_);
      stopping_ = true;
    }}
    poolWake_.notify_all();
    for (std::thread &thread : poolThreads_)
      if (thread.joinable())
        thread.join();
  }}

private:
  void work() {{
    for (;;) {{
      std::function<void()> task;
      {{
        std::unique_lock<std::mutex> lock(poolMutex_);
        poolWake_.wait(lock, [this] {{ return stopping_ || !pending_.empty(); }});
        if (pending_.empty())
          return;
        task = std::move(pending_.front());
        pending_.pop_front();
      }}
      task();
    }}
  }}

  std::mutex poolMutex_;
  std::condition_variable poolWake_;
  std::deque<std::function<void()>> pending_;
  std::vector<std::thread> poolThreads_;
  bool stopping_ = false;
}};""").format(cls=p.cls, submit=p.submit, join=p.join).splitlines())

    # -- the program ---------------------------------------------------------
    def program(self):
        d = self.d
        self.top = []
        if d.types.strip():
            self.top.append(dedent_block(d.types))
        self.queue_decl()
        self.errors_decl()
        for s in d.services:
            self.service_decl(s)
        if d.support:
            text = d.support(Body(self, None, self.parent_scope()))
            if text.strip():
                self.top.append(dedent_block(text))
        if self.pool_used():
            self.pool_decl()
        for side in ("producer", "consumer"):
            self.role_functions(d.roles[side])
        for side in ("producer", "consumer"):
            self.entry_decls(d.roles[side])
        self.parent_decl()
        self.main_decl()
        code = "\n\n".join("\n".join(b) for b in self.top) + "\n"
        return "\n".join(self.header() + includes(code)) + "\n" + code

    def header(self):
        d = self.d
        lines = ["// accuracy-family: %s" % d.family,
                 "// accuracy-origin: %s" % d.origin,
                 "// accuracy-shape: %s" % shape_line(d)]
        if d.flags:
            lines.append("// accuracy-flags: %s" % " ".join(d.flags))
        if d.variant:
            lines.append("// accuracy-variant: seed=%s %s" % (
                d.name, " ".join("%s=%s" % (t, p) for t, p in d.variant)))
        lines.append("//")
        lines += [("// " + l).rstrip() for l in d.story]
        return lines


def split_args(s):
    out, depth, cur = [], 0, ""
    for ch in s:
        if ch in "([{<":
            depth += 1
        elif ch in ")]}>":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def dedent_block(text):
    lines = text.strip("\n").rstrip().splitlines()
    pad = min((len(l) - len(l.lstrip()) for l in lines if l.strip()),
              default=0)
    return [l[pad:] for l in lines]


def includes(code):
    found = sorted({h for pat, h in HEADERS if re.search(pat, code)})
    return ["#include <%s>" % h for h in found] + [""]


def role_shape(d, role):
    where = "calling-thread" if role.spawner == "caller" else role.entry
    if role.depth:
        where += "+helper-%d-%s" % (role.depth, role.passing)
    return where


def shape_line(d):
    p, c = d.roles["producer"], d.roles["consumer"]
    spawners = sorted({r.spawner for r in (p, c) if r.spawner != "caller"})
    waits = []
    for r in (p, c):
        if r.spawner in ("jthread", "pool"):
            waits.append("destructor" if Renderer(d).implicit_waits() else
                         ("join" if r.spawner == "jthread" else "pool-join"))
        elif r.spawner == "thread":
            waits.append("join")
        elif r.spawner == "async":
            waits.append("future")
    tags = ["queue=%s-hand-written" % d.queue.kind,
            "spawner=%s" % "+".join(
                {"thread": "std::thread", "jthread": "std::jthread",
                 "async": "std::async", "pool": "home-made-pool"}[s]
                for s in spawners),
            "producer=%s" % role_shape(d, p),
            "consumer=%s" % role_shape(d, c)]
    if d.error_form:
        tags.append("exit=%s" % d.error_form)
    tags.append("wait=%s" % "+".join(sorted(set(waits))))
    tags.append("holder=%s" % d.holder)
    for k, v in d.shape_extra.items():
        tags.append("%s=%s" % (k, v))
    return " ".join(tags)


def render(d: FanOut) -> str:
    return Renderer(d).program()


# -- the queue classes -------------------------------------------------------

def render_queue(q: QueueSpec) -> str:
    if q.kind in ("cv", "cv-any"):
        return _cv_queue(q)
    if q.kind == "semaphore":
        return _semaphore_queue(q)
    raise RenderError("queue kind %s" % q.kind)


def _class_head(q):
    if q.templated:
        return ["template <typename T> class %s {" % q.cls]
    return ["class %s {" % q.cls]


def _t(q):
    return "T" if q.templated else q.item


def _cv_queue(q):
    T = _t(q)
    f, m = q.fields, q.methods
    cv = ("std::condition_variable" if q.kind == "cv" else
          "std::condition_variable_any")
    lock = "std::unique_lock<std::mutex> lock(%s);" % f["mutex"]
    closed = f.get("closed")
    L = _class_head(q)
    L.append("public:")
    L.append("  explicit %s(std::size_t capacity) : %s(capacity) {}" %
             (q.cls, f["capacity"]))
    if q.close_in_dtor:
        L.append("  ~%s() { %s(); }" % (q.cls, m["close"]))
    L.append("")
    # push
    room = ("%s || %s.size() < %s" % (closed, f["items"], f["capacity"])
            if q.closable else "%s.size() < %s" % (f["items"], f["capacity"]))
    ret = q.push_returns == "bool"
    L.append("  %s %s(%s value) {" % ("bool" if ret else "void", m["push"], T))
    L.append("    " + lock)
    L.append("    %s.wait(lock, [this] { return %s; });" % (f["not_full"], room))
    if q.closable:
        L.append("    if (%s)" % closed)
        L.append("      return%s;" % (" false" if ret else ""))
    L.append("    %s.push_back(std::move(value));" % f["items"])
    L.append("    %s.notify_one();" % f["not_empty"])
    if ret:
        L.append("    return true;")
    L.append("  }")
    L.append("")
    # pop
    data = ("%s || !%s.empty()" % (closed, f["items"]) if q.closable else
            "!%s.empty()" % f["items"])
    wake_room = "notify_all" if q.drain else "notify_one"
    if q.pop_style == "out":
        L.append("  bool %s(%s &out) {" % (m["pop"], T))
        L.append("    " + lock)
        L.append("    %s.wait(lock, [this] { return %s; });" %
                 (f["not_empty"], data))
        L.append("    if (%s.empty())" % f["items"])
        L.append("      return false;")
        L.append("    out = std::move(%s.front());" % f["items"])
        L.append("    %s.pop_front();" % f["items"])
        L.append("    %s.%s();" % (f["not_full"], wake_room))
        L.append("    return true;")
        L.append("  }")
    elif q.pop_style == "optional":
        L.append("  std::optional<%s> %s() {" % (T, m["pop"]))
        L.append("    " + lock)
        L.append("    %s.wait(lock, [this] { return %s; });" %
                 (f["not_empty"], data))
        L.append("    if (%s.empty())" % f["items"])
        L.append("      return std::nullopt;")
        L.append("    %s value = std::move(%s.front());" % (T, f["items"]))
        L.append("    %s.pop_front();" % f["items"])
        L.append("    %s.%s();" % (f["not_full"], wake_room))
        L.append("    return value;")
        L.append("  }")
    else:
        if q.closable:
            raise RenderError("a value-returning pop on a closable queue")
        L.append("  %s %s() {" % (T, m["pop"]))
        L.append("    " + lock)
        L.append("    %s.wait(lock, [this] { return %s; });" %
                 (f["not_empty"], data))
        L.append("    %s value = std::move(%s.front());" % (T, f["items"]))
        L.append("    %s.pop_front();" % f["items"])
        L.append("    %s.%s();" % (f["not_full"], wake_room))
        L.append("    return value;")
        L.append("  }")
    if q.closable:
        L.append("")
        L.append("  void %s() {" % m["close"])
        L.append("    std::lock_guard<std::mutex> lock(%s);" % f["mutex"])
        L.append("    %s = true;" % closed)
        L.append("    %s.notify_all();" % f["not_full"])
        L.append("    %s.notify_all();" % f["not_empty"])
        L.append("  }")
    if q.drain:
        L.append("")
        L.append("  void %s() {" % m["drain"])
        L.append("    {")
        L.append("      " + lock)
        L.append("      %s.wait(lock, [this] { return %s || %s.empty(); });" %
                 (f["not_full"], closed, f["items"]))
        L.append("    }")
        L.append("    %s();" % m["close"])
        L.append("  }")
    L.append("")
    L.append("private:")
    L.append("  std::mutex %s;" % f["mutex"])
    L.append("  %s %s, %s;" % (cv, f["not_full"], f["not_empty"]))
    L.append("  std::deque<%s> %s;" % (T, f["items"]))
    L.append("  std::size_t %s;" % f["capacity"])
    if q.closable:
        L.append("  bool %s = false;" % closed)
    L.append("};")
    return "\n".join(L)


def _semaphore_queue(q):
    if q.drain:
        raise RenderError("a semaphore queue has no drain")
    T = _t(q)
    f, m = q.fields, q.methods
    closed = f.get("closed")
    guard = "std::lock_guard<std::mutex> lock(%s);" % f["mutex"]
    L = _class_head(q)
    L.append("public:")
    L.append("  explicit %s(std::ptrdiff_t capacity) : %s(capacity), %s(0) {}"
             % (q.cls, f["not_full"], f["not_empty"]))
    if q.close_in_dtor:
        L.append("  ~%s() { %s(); }" % (q.cls, m["close"]))
    L.append("")
    ret = q.push_returns == "bool"
    L.append("  %s %s(%s value) {" % ("bool" if ret else "void", m["push"], T))
    L.append("    %s.acquire();" % f["not_full"])
    L.append("    " + guard)
    if q.closable:
        L.append("    if (%s) {" % closed)
        L.append("      %s.release();" % f["not_full"])
        L.append("      return%s;" % (" false" if ret else ""))
        L.append("    }")
    L.append("    %s.push_back(std::move(value));" % f["items"])
    L.append("    %s.release();" % f["not_empty"])
    if ret:
        L.append("    return true;")
    L.append("  }")
    L.append("")
    if q.pop_style == "out":
        L.append("  bool %s(%s &out) {" % (m["pop"], T))
    elif q.pop_style == "optional":
        L.append("  std::optional<%s> %s() {" % (T, m["pop"]))
    else:
        if q.closable:
            raise RenderError("a value-returning pop on a closable queue")
        L.append("  %s %s() {" % (T, m["pop"]))
    L.append("    %s.acquire();" % f["not_empty"])
    L.append("    " + guard)
    if q.closable:
        L.append("    if (%s.empty()) {" % f["items"])
        L.append("      %s.release(); // closed and drained: pass it on" %
                 f["not_empty"])
        L.append("      return %s;" % ("false" if q.pop_style == "out" else
                                       "std::nullopt"))
        L.append("    }")
    if q.pop_style == "out":
        L.append("    out = std::move(%s.front());" % f["items"])
    else:
        L.append("    %s value = std::move(%s.front());" % (T, f["items"]))
    L.append("    %s.pop_front();" % f["items"])
    L.append("    %s.release();" % f["not_full"])
    L.append("    return %s;" % ("true" if q.pop_style == "out" else "value"))
    L.append("  }")
    if q.closable:
        L.append("")
        L.append("  void %s() {" % m["close"])
        L.append("    " + guard)
        L.append("    if (%s)" % closed)
        L.append("      return;")
        L.append("    %s = true;" % closed)
        L.append("    %s.release(kWakeEveryone);" % f["not_full"])
        L.append("    %s.release(kWakeEveryone);" % f["not_empty"])
        L.append("  }")
    L.append("")
    L.append("private:")
    if q.closable:
        L.append("  static constexpr std::ptrdiff_t kWakeEveryone = 1024;")
    L.append("  std::mutex %s;" % f["mutex"])
    L.append("  std::counting_semaphore<> %s, %s;" % (f["not_full"],
                                                      f["not_empty"]))
    L.append("  std::deque<%s> %s;" % (T, f["items"]))
    if q.closable:
        L.append("  bool %s = false;" % closed)
    L.append("};")
    return "\n".join(L)
