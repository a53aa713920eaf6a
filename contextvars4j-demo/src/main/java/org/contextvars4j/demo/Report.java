package org.contextvars4j.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The report, as text for the console and as one self-contained HTML file (inline SVG, no external assets). */
final class Report {

    private Report() {
    }

    static String text(Demo.Outcome o) {
        LoadRun.Results r = o.load;
        Demo.Leaks l = o.leaks;
        StringBuilder sb = new StringBuilder();
        sb.append('\n').append("== contextvars4j demo report: ").append(o.mode).append(" mode, ").append(o.runtime).append(" ==\n");
        line(sb, "requests", String.format(Locale.ROOT, "%,d sent (%,d checked dashboards, %,d hostile) at concurrency %d over %d users%s",
                r.sent, r.checked, hostileSent(r), o.options.concurrency, o.options.users,
                r.stoppedEarly ? "; STOPPED EARLY: the service stopped answering" : ""));
        line(sb, "throughput", String.format(Locale.ROOT, "%,.0f requests/s (%.1f s)", r.answered / Math.max(r.seconds, 1e-9), r.seconds));
        line(sb, "latency", String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms", r.percentileMicros(50) / 1e3, r.percentileMicros(99) / 1e3));
        line(sb, "mismatches", String.format(Locale.ROOT, "%,d   (saw another request's id %,d, another user %,d, another user's rows %,d)",
                r.mismatches, r.sawOtherRequestId, r.sawOtherUser, r.sawOtherUsersRows));
        line(sb, "lost context", String.format(Locale.ROOT, "%,d   (a part saw no request, no user or no rows)", r.lostContext));
        line(sb, "memo not once", String.format(Locale.ROOT, "%,d   (per-request profile lookup not loaded exactly once)", r.memoNotOnce));
        line(sb, "errors", r.errors.isEmpty() ? "0" : r.errorCount() + "   " + r.errors);
        line(sb, "DB conns leaked", l.leakedConnections() + "   (HikariCP active connections after the load: " + l.activeConnections
                + ", total " + l.totalConnections + ")");
        line(sb, "threads holding", l.threadsHolding.size() + " of " + l.threadsChecked + " worker threads checked"
                + (l.threadsHolding.isEmpty() ? "" : ": " + abbreviate(l.threadsHolding)));
        sb.append("  hostile input (each must get its 4xx and a log line, never a 500 nor anyone's data):\n");
        for (Map.Entry<Hostile, LoadRun.HostileStats> e : r.hostile.entrySet()) {
            LoadRun.HostileStats s = e.getValue();
            sb.append(String.format(Locale.ROOT, "    %-20s %4d sent, %4d got %d, %d other 4xx, %d 5xx, %d leaked data, %d without log line%n",
                    e.getKey().label(), s.sent, s.expectedStatus, e.getKey().expected, s.otherStatus, s.serverErrors,
                    s.leakedData, s.withoutLogLine));
        }
        if (!r.examples.isEmpty()) {
            sb.append("  examples of what went wrong:\n");
            for (String ex : r.examples) {
                sb.append("    ").append(ex).append('\n');
            }
        }
        if (r.sample != null) {
            sb.append("  one request's journey (").append(r.sample.get("requestId")).append(" by ").append(r.sampleUser.name())
                    .append("), its log lines on every thread and in the downstream instance:\n");
            for (String line : o.journeyLogLines) {
                sb.append("    ").append(line).append('\n');
            }
        }
        sb.append("  log: ").append(o.logFile).append('\n');
        sb.append("  HTML report: ").append(o.htmlFile).append('\n');
        sb.append(o.clean() ? "RESULT: PASS - no request saw another's context, nothing leaked\n"
                : "RESULT: FAIL - see the counts above\n");
        return sb.toString();
    }

    private static int hostileSent(LoadRun.Results r) {
        return r.hostile.values().stream().mapToInt(s -> s.sent).sum();
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 6 ? names.toString() : names.subList(0, 6) + " and " + (names.size() - 6) + " more";
    }

    private static void line(StringBuilder sb, String label, String value) {
        sb.append(String.format(Locale.ROOT, "  %-16s %s%n", label, value));
    }

    static String html(Demo.Outcome o) {
        LoadRun.Results r = o.load;
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>contextvars4j demo report</title>\n<style>")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222;max-width:1100px}")
                .append("table{border-collapse:collapse}td,th{padding:3px 10px;border-bottom:1px solid #ddd;text-align:left}")
                .append(".pass{color:#0a7a2f}.fail{color:#b00020}pre{background:#f6f6f6;padding:8px;overflow-x:auto;font-size:12px}")
                .append("</style></head><body>\n");
        h.append("<h1>contextvars4j demo: ").append(esc(o.mode)).append(" mode</h1>\n<p>").append(esc(o.runtime)).append("</p>\n");
        h.append("<h2 id=\"result\" class=\"").append(o.clean() ? "pass\">PASS: no request saw another's context, nothing leaked"
                : "fail\">FAIL: see the counts").append("</h2>\n");
        h.append("<table id=\"counts\">\n");
        row(h, "requests", r.sent);
        row(h, "checked", r.checked);
        row(h, "hostile", hostileSent(r));
        row(h, "throughput", String.format(Locale.ROOT, "%.0f requests/s", r.answered / Math.max(r.seconds, 1e-9)));
        row(h, "p50", String.format(Locale.ROOT, "%.1f ms", r.percentileMicros(50) / 1e3));
        row(h, "p99", String.format(Locale.ROOT, "%.1f ms", r.percentileMicros(99) / 1e3));
        row(h, "mismatches", r.mismatches);
        row(h, "saw another request's id", r.sawOtherRequestId);
        row(h, "saw another user", r.sawOtherUser);
        row(h, "saw another user's rows", r.sawOtherUsersRows);
        row(h, "lost context", r.lostContext);
        row(h, "memo not once", r.memoNotOnce);
        row(h, "errors", r.errorCount());
        row(h, "leaked connections", o.leaks.leakedConnections());
        row(h, "threads holding a context", o.leaks.threadsHolding.size());
        row(h, "hostile failures", o.hostileFailures());
        h.append("</table>\n");
        h.append("<h2>Latency distribution</h2>\n").append(histogram(r.latencies));
        h.append("<h2>Hostile input</h2>\n<table id=\"hostile\"><tr><th>kind</th><th>sent</th><th>expected status</th><th>got it</th><th>5xx</th><th>leaked data</th><th>no log line</th></tr>\n");
        for (Map.Entry<Hostile, LoadRun.HostileStats> e : r.hostile.entrySet()) {
            LoadRun.HostileStats s = e.getValue();
            h.append("<tr><td>").append(esc(e.getKey().label())).append("</td><td>").append(s.sent).append("</td><td>")
                    .append(e.getKey().expected).append("</td><td>").append(s.expectedStatus).append("</td><td>").append(s.serverErrors)
                    .append("</td><td>").append(s.leakedData).append("</td><td>").append(s.withoutLogLine).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!r.examples.isEmpty()) {
            h.append("<h2>What went wrong</h2>\n<ul>");
            for (String ex : r.examples) {
                h.append("<li>").append(esc(ex)).append("</li>");
            }
            h.append("</ul>\n");
        }
        if (r.sample != null) {
            h.append("<h2>One request's journey: ").append(esc(String.valueOf(r.sample.get("requestId")))).append(" by ")
                    .append(esc(r.sampleUser.name())).append("</h2>\n").append(timeline(r)).append("\n<pre id=\"journey-log\">");
            for (String line : o.journeyLogLines) {
                h.append(esc(line)).append('\n');
            }
            h.append("</pre>\n");
        }
        h.append("</body></html>\n");
        return h.toString();
    }

    private static void row(StringBuilder h, String label, Object value) {
        h.append("<tr><th>").append(esc(label)).append("</th><td data-count=\"").append(esc(label)).append("\">")
                .append(esc(String.valueOf(value))).append("</td></tr>\n");
    }

    /** Latency histogram: 40 buckets on a log scale from the fastest to the slowest answer. */
    static String histogram(List<Long> latencies) {
        int width = 800;
        int height = 220;
        StringBuilder s = new StringBuilder("<svg id=\"latency\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + width
                + "\" height=\"" + (height + 40) + "\" role=\"img\" aria-label=\"latency distribution\">");
        if (latencies.isEmpty()) {
            return s.append("<text x=\"10\" y=\"20\">no answers</text></svg>").toString();
        }
        long min = Math.max(1, latencies.stream().mapToLong(Long::longValue).min().orElse(1));
        long max = Math.max(min + 1, latencies.stream().mapToLong(Long::longValue).max().orElse(2));
        int buckets = 40;
        int[] counts = new int[buckets];
        double lmin = Math.log(min);
        double span = Math.log(max) - lmin;
        for (long v : latencies) {
            int b = (int) Math.min(buckets - 1, Math.floor((Math.log(Math.max(v, 1)) - lmin) / span * buckets));
            counts[Math.max(0, b)]++;
        }
        int top = 1;
        for (int c : counts) {
            top = Math.max(top, c);
        }
        double bw = (double) width / buckets;
        for (int i = 0; i < buckets; i++) {
            double bh = (double) counts[i] / top * height;
            double from = Math.exp(lmin + span * i / buckets) / 1e3;
            s.append(String.format(Locale.ROOT,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3b7dd8\"><title>%.2f ms: %d</title></rect>",
                    i * bw, height - bh, bw - 1, bh, from, counts[i]));
        }
        for (int i = 0; i <= 4; i++) {
            double ms = Math.exp(lmin + span * i / 4) / 1e3;
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\">%.1f ms</text>",
                    Math.min(width - 70, i * width / 4.0), height + 15, ms));
        }
        return s.append("<text x=\"0\" y=\"").append(height + 35).append("\" font-size=\"11\">answers per latency bucket (log scale)</text></svg>").toString();
    }

    /** One request's parts on a time axis, one lane per thread, coloured by service. */
    static String timeline(LoadRun.Results r) {
        List<Map<String, Object>> parts = new ArrayList<>();
        for (Object o : Json.array(r.sample.get("parts"))) {
            parts.add(Json.object(o));
        }
        long t0 = r.sampleSent;
        long t1 = r.sampleReceived;
        for (Map<String, Object> p : parts) {
            t0 = Math.min(t0, num(p.get("t0"), t0));
            t1 = Math.max(t1, num(p.get("t1"), t1));
        }
        List<String> lanes = new ArrayList<>();
        lanes.add("load client");
        for (Map<String, Object> p : parts) {
            String lane = p.get("service") + " / " + p.get("thread");
            if (!lanes.contains(lane)) {
                lanes.add(lane);
            }
        }
        int left = 260;
        int width = 560;
        int laneHeight = 26;
        double scale = (double) width / Math.max(1, t1 - t0);
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
                "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"one request's journey\">",
                left + width + 20, lanes.size() * laneHeight + 40));
        for (int i = 0; i < lanes.size(); i++) {
            s.append(String.format(Locale.ROOT, "<text x=\"0\" y=\"%d\" font-size=\"12\">%s</text>", i * laneHeight + 17, esc(lanes.get(i))));
        }
        bar(s, left, scale, t0, 0, laneHeight, r.sampleSent, r.sampleReceived, "#999999", "request " + r.sample.get("requestId"));
        for (Map<String, Object> p : parts) {
            int lane = lanes.indexOf(p.get("service") + " / " + p.get("thread"));
            String colour = "ledger".equals(p.get("service")) ? "#e0842b" : "#3b7dd8";
            bar(s, left, scale, t0, lane, laneHeight, num(p.get("t0"), t0), num(p.get("t1"), t0), colour,
                    p.get("point") + " (" + p.get("table") + "): request " + p.get("requestId") + ", user " + p.get("user"));
        }
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">0 ms</text><text x=\"%d\" y=\"%d\" font-size=\"11\">%.1f ms</text>",
                left, lanes.size() * laneHeight + 20, left + width - 40, lanes.size() * laneHeight + 20, (t1 - t0) / 1e3));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"11\">blue: api instance, orange: ledger (downstream) instance</text>",
                left, lanes.size() * laneHeight + 35));
        return s.append("</svg>").toString();
    }

    private static void bar(StringBuilder s, int left, double scale, long t0, int lane, int laneHeight, long from, long to,
            String colour, String title) {
        s.append(String.format(Locale.ROOT,
                "<rect class=\"step\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>",
                left + (from - t0) * scale, lane * laneHeight + 4, Math.max(2, (to - from) * scale), laneHeight - 8, colour, esc(title)));
    }

    private static long num(Object o, long fallback) {
        return o instanceof Number n ? n.longValue() : fallback;
    }

    static String esc(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
