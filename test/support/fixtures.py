#===- fixtures.py - Code the Python tests and benchmarks generate from ---===//
#
# Part of fanout-tidy. The hand-written bounded queue that generated
# projects use is the one users see in examples/bounded_queue.h, read from
# there rather than copied into each script.
#
#===------------------------------------------------------------------------===//

from pathlib import Path

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def bounded_queue_header(*extra_includes):
    """examples/bounded_queue.h (a `#pragma once` header defining
    `BoundedQueue<T>`), with more standard headers included after its own."""
    text = (EXAMPLES / "bounded_queue.h").read_text()
    includes = "".join("#include <%s>\n" % h for h in extra_includes)
    marker = "#include <mutex>\n"
    return text.replace(marker, marker + includes, 1)
