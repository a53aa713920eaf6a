#!/usr/bin/env python3
"""Turns JMH JSON results (-rf json) into Markdown tables of ratios.

Usage: python3 ratios.py LABEL=results.json [LABEL=results.json ...]

LABEL names the run (for example "platform" or "virtual"); it becomes the Thread column.
Benchmark methods are named <operation>_<implementation> (see the benchmark classes); rows of
the same class, operation, parameters and label form one comparison group. In each group:

  ours      the implementation "ours" (in MapShapeBenchmark: "amt", our array-mapped trie)
  baseline  "threadLocal" (the ThreadLocal equivalent) or "unwrapped" (no propagation at all)
  peers     every other implementation; the best peer is the fastest of them

Scores are the median of all measured iterations of all forks (more robust than the mean on a
shared, noisy machine); B/op is JMH's gc.alloc.rate.norm when the run used -prof gc.
A last section checks the SPEC.md section 6 targets that the rows cover.
"""

import json
import statistics
import sys
from collections import OrderedDict

OURS = {"ours", "amt"}
BASELINES = ("threadLocal", "unwrapped")


def load(label, path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for r in json.load(f):
            cls, method = r["benchmark"].rsplit(".", 2)[-2:]
            op, _, impl = method.rpartition("_")
            raw = [x for fork in r["primaryMetric"]["rawData"] for x in fork]
            gc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
            params = r.get("params") or {}
            rows.append({
                "label": label,
                "cls": cls.replace("Benchmark", ""),
                "op": op,
                "impl": impl,
                "params": ", ".join("%s=%s" % kv for kv in sorted(params.items())),
                "ns": statistics.median(raw) if raw else r["primaryMetric"]["score"],
                "bytes": gc["score"] if gc else None,
                "unit": r["primaryMetric"]["scoreUnit"],
            })
    return rows


def fmt_ns(x):
    return "%.2f" % x if x < 100 else "%.0f" % x


def fmt_b(x):
    return "" if x is None else ("0" if x < 0.5 else "%.0f" % x)


def groups(rows):
    g = OrderedDict()
    for r in rows:
        g.setdefault((r["cls"], r["op"], r["params"], r["label"]), {})[r["impl"]] = r
    return g


def ratio_table(rows):
    out = ["| Benchmark | Operation | Params | Thread | ours ns/op | ours B/op | baseline | ours / baseline"
           " | best peer | ours / best peer |",
           "|---|---|---|---|---:|---:|---|---:|---|---:|"]
    for (cls, op, params, label), impls in groups(rows).items():
        ours = next((impls[i] for i in impls if i in OURS), None)
        if ours is None:
            continue
        base = next((impls[b] for b in BASELINES if b in impls), None)
        peers = [r for i, r in impls.items() if i not in OURS and i not in BASELINES]
        best = min(peers, key=lambda r: r["ns"]) if peers else None
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            cls, op, params, label, fmt_ns(ours["ns"]), fmt_b(ours["bytes"]),
            "%s %s" % (base["impl"], fmt_ns(base["ns"])) if base else "-",
            "%.2fx" % (ours["ns"] / base["ns"]) if base else "-",
            "%s %s" % (best["impl"], fmt_ns(best["ns"])) if best else "-",
            "%.2fx" % (ours["ns"] / best["ns"]) if best else "-"))
    return "\n".join(out)


def all_rows_table(rows):
    out = ["| Benchmark | Operation | Implementation | Params | Thread | ns/op (median) | B/op |",
           "|---|---|---|---|---|---:|---:|"]
    for (cls, op, params, label), impls in groups(rows).items():
        for impl, r in sorted(impls.items(), key=lambda kv: kv[1]["ns"]):
            out.append("| %s | %s | %s | %s | %s | %s | %s |" % (
                cls, op, impl, params, label, fmt_ns(r["ns"]), fmt_b(r["bytes"])))
    return "\n".join(out)


def targets(rows):
    """SPEC section 6, for the rows present. Each line: target, verdict, evidence."""
    g = groups(rows)
    lines = []

    def verdict(ok):
        return "met" if ok else "NOT met"

    # get <= 1.5x ThreadLocal.get, any thread, any number and position of vars; beats mutable peers.
    worst, worst_at, lose, compared = 0.0, None, [], 0
    for (cls, op, params, label), impls in g.items():
        if cls != "Read" or "ours" not in impls:
            continue
        ours = impls["ours"]["ns"]
        tl = impls.get("threadLocal") or g.get((cls, "first", params, label), {}).get("threadLocal")
        if tl:
            r = ours / tl["ns"]
            if r > worst:
                worst, worst_at = r, "%s %s %s" % (op, params, label)
        for peer in ("otel", "grpc", "ttl"):
            compared += peer in impls
            if peer in impls and impls[peer]["ns"] <= ours:
                lose.append("%s %s %s: %s %.2f <= ours %.2f" % (op, params, label, peer, impls[peer]["ns"], ours))
    if worst_at:
        lines.append("- get <= 1.5x ThreadLocal.get: %s (worst %.2fx at %s)" % (verdict(worst <= 1.5), worst, worst_at))
        if compared:
            lines.append("- get faster than OpenTelemetry, gRPC, TTL reads: %s%s" % (
                verdict(not lose), "" if not lose else " (" + "; ".join(lose) + ")"))
    # set + reset faster than OpenTelemetry with().makeCurrent() + close().
    for (cls, op, params, label), impls in g.items():
        if cls == "Write" and op == "setReset" and "ours" in impls and "otel" in impls:
            o, p = impls["ours"]["ns"], impls["otel"]["ns"]
            lines.append("- set+reset faster than OTel makeCurrent+close (%s): %s (%.2f vs %.2f ns, %.2fx)" % (
                label, verdict(o < p), o, p, o / p))
    # copyCurrent flat 1..1000; capture below every peer at 10+ vars.
    caps = {params: impls for (cls, op, params, label), impls in g.items()
            if cls == "Capture" and op == "capture" and "ours" in impls}
    if caps:
        ns = {p: i["ours"]["ns"] for p, i in caps.items()}
        lo, hi = min(ns.values()), max(ns.values())
        b = {i["ours"]["bytes"] for i in caps.values()}
        same_bytes = None not in b and max(b) - min(b) < 1
        lines.append("- copyCurrent flat across %s: %s (%.2f..%.2f ns, spread %.2fx; %s)" % (
            ", ".join(sorted(ns, key=lambda p: int(p.split("=")[1]))), verdict(hi / lo <= 1.25), lo, hi, hi / lo,
            "%s B/op at every size" % fmt_b(min(b)) if same_bytes else "B/op differ or not measured"))
        for p, impls in caps.items():
            if int(p.split("=")[1]) < 10:
                continue
            peers = {i: r["ns"] for i, r in impls.items() if i != "ours"}
            best = min(peers, key=peers.get)
            lines.append("- capture below every peer (%s): %s (ours %.2f, best peer %s %.2f, %.2fx)" % (
                p, verdict(ns[p] < peers[best]), ns[p], best, peers[best], ns[p] / peers[best]))
    # executor hop <= 1.1x unwrapped, below every peer's wrapper.
    for (cls, op, params, label), impls in g.items():
        if cls == "HandOff" and op == "hop" and "ours" in impls and "unwrapped" in impls:
            o, u = impls["ours"]["ns"], impls["unwrapped"]["ns"]
            peers = {i: r["ns"] for i, r in impls.items() if i not in ("ours", "unwrapped")}
            best = min(peers, key=peers.get) if peers else None
            lines.append("- hop <= 1.1x unwrapped (%s): %s (%.2fx)" % (params, verdict(o <= 1.1 * u), o / u))
            if best:
                lines.append("- hop below every peer (%s): %s (ours %s, best peer %s %s ns)" % (
                    params, verdict(o < peers[best]), fmt_ns(o), best, fmt_ns(peers[best])))
    return "\n".join(lines)


def main(argv):
    if not argv:
        sys.exit(__doc__)
    rows = []
    for arg in argv:
        label, _, path = arg.rpartition("=")
        rows += load(label or "platform", path)
    print("### Ratios\n")
    print(ratio_table(rows))
    print("\n### SPEC section 6 targets covered by this run\n")
    print(targets(rows) or "(no rows for the targets)")
    print("\n### All rows\n")
    print(all_rows_table(rows))


if __name__ == "__main__":
    main(sys.argv[1:])
