package org.contextvars4j.demo;

import java.nio.file.Path;

/** The command line: {@code [--requests N] [--concurrency N] [--users N] [--naive] [--serve] [--out DIR] [--quiet]}. */
final class Options {

    int requests = 20_000;
    int concurrency = 200;
    int users = 50;
    boolean naive;
    boolean serve;
    boolean quiet;
    Path out = Path.of("contextvars4j-demo-report");

    static final String USAGE = String.join("\n",
            "usage: demo [--requests N] [--concurrency N] [--users N] [--naive] [--serve] [--out DIR] [--quiet]",
            "  --requests N     requests of the load run (default 20000; about 3% of them hostile)",
            "  --concurrency N  requests in flight at once (default 200)",
            "  --users N        users the load is spread over (default 50; at least 50 are seeded)",
            "  --naive          keep request state in plain ThreadLocals instead (the 'before'); exits non-zero",
            "  --serve          start the service and keep it running, printing curl examples; no load run",
            "  --out DIR        where demo.log and report.html go (default ./contextvars4j-demo-report)",
            "  --quiet          no progress output");

    static Options parse(String... args) {
        Options o = new Options();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--naive" -> o.naive = true;
                case "--serve" -> o.serve = true;
                case "--quiet" -> o.quiet = true;
                case "--requests" -> o.requests = positive(a, value(args, ++i, a));
                case "--concurrency" -> o.concurrency = positive(a, value(args, ++i, a));
                case "--users" -> o.users = positive(a, value(args, ++i, a));
                case "--out" -> o.out = Path.of(value(args, ++i, a));
                default -> throw new IllegalArgumentException("unknown option " + a);
            }
        }
        if (o.users < 2) {
            throw new IllegalArgumentException("--users must be at least 2, was " + o.users);
        }
        return o;
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args[i];
    }

    private static int positive(String option, String value) {
        try {
            int n = Integer.parseInt(value);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(option + " needs a positive number, was " + value);
    }
}
