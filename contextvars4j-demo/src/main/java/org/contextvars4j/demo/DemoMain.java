package org.contextvars4j.demo;

import org.contextvars4j.slf4j.ContextLogbackServiceProvider;

/**
 * The demo's command line. {@code java -jar contextvars4j-demo.jar [--requests N] [--concurrency N]
 * [--users N] [--naive] [--serve] [--out DIR]}: exits 0 only when every check of the run found
 * nothing (no mismatch, no lost context, no error, no leak), 1 otherwise, 2 on a bad command line.
 */
public final class DemoMain {

    private DemoMain() {
    }

    /**
     * Runs the demo.
     *
     * @param args the command line
     * @throws Exception if the demo itself cannot run
     */
    public static void main(String[] args) throws Exception {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(Options.USAGE);
            System.exit(2);
            return;
        }
        if (!options.naive && System.getProperty("slf4j.provider") == null) {
            // The MDC bridge (contextvars4j-slf4j); the naive run keeps Logback's stock MDC.
            System.setProperty("slf4j.provider", ContextLogbackServiceProvider.NAME);
        }
        Demo.Outcome outcome = Demo.run(options, System.out);
        System.out.flush();
        System.exit(outcome != null && outcome.clean() ? 0 : 1);
    }
}
