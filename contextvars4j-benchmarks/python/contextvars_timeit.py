#!/usr/bin/env python3
"""CPython's contextvars on the operations the JMH benchmarks measure, for Python readers.

    python3 contextvars4j-benchmarks/python/contextvars_timeit.py

Prints ns per operation (best of 5 timeit repeats) as a Markdown table, with the same row names
as the Java benchmarks, so a Python user can set the two side by side. Interpreter loop overhead
is included, as it is in any Python program; the "loop" row measures it alone.
"""

import contextvars
import platform
import sys
import timeit

N = 200_000


def make_context(n):
    """A context holding n vars; returns (context, vars)."""
    vars_ = [contextvars.ContextVar("v%d" % i) for i in range(n)]

    def fill():
        for v in vars_:
            v.set("value")
        return contextvars.copy_context()

    return contextvars.Context().run(fill), vars_


def row(name, stmt, setup_globals):
    times = timeit.repeat(stmt, globals=setup_globals, number=N, repeat=5)
    return name, min(times) / N * 1e9


def main():
    rows = []
    for n in (1, 1000):
        ctx, vars_ = make_context(n)
        unset = contextvars.ContextVar("unset")
        with_default = contextvars.ContextVar("withDefault", default="default")
        g = {"first": vars_[0], "last": vars_[-1], "unset": unset, "with_default": with_default,
             "copy_context": contextvars.copy_context, "noop": lambda: None}

        def measure():
            out = [
                row("loop (empty statement)", "pass", g),
                row("first (get)", "first.get()", g),
                row("last (get)", "last.get()", g),
                row("missing (get(None))", "unset.get(None)", g),
                row("defaultMiss (get())", "with_default.get()", g),
                row("setReset (set + reset)", "first.reset(first.set('other'))", g),
                row("capture (copy_context())", "copy_context()", g),
            ]
            captured = contextvars.copy_context()
            g["captured"] = captured
            out.append(row("runNoop (ctx.run(noop))", "captured.run(noop)", g))
            return out

        for name, ns in ctx.run(measure):
            rows.append((name, n, ns))

    print("CPython %s on %s (%s), %s" % (platform.python_version(), platform.machine(),
                                        platform.system(), sys.implementation.name))
    print()
    print("| Operation | vars in context | ns/op |")
    print("|---|---:|---:|")
    for name, n, ns in rows:
        print("| %s | %d | %.1f |" % (name, n, ns))


if __name__ == "__main__":
    main()
