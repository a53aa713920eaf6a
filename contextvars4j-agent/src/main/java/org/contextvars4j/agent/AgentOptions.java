package org.contextvars4j.agent;

import java.util.ArrayList;
import java.util.List;

/**
 * The agent's options, from {@code -javaagent:contextvars4j-agent.jar=key=value,key=value}.
 *
 * <ul>
 *   <li>{@code exclude=prefix;prefix}: class-name prefixes of executors and tasks left alone
 *       (a prefix ending in a dot names a package);</li>
 *   <li>{@code verbose=true}: one line on standard error per instrumented class;</li>
 *   <li>{@code inheritThreadContext=true}: a thread started with {@code Thread.start()} runs in a
 *       copy of the context of the caller of {@code start()} (Python 3.14's
 *       {@code thread_inherit_context}); off by default, so new threads start empty (P1).</li>
 * </ul>
 */
final class AgentOptions {

    final String[] excludes;
    final boolean verbose;
    final boolean inheritThreadContext;

    private AgentOptions(String[] excludes, boolean verbose, boolean inheritThreadContext) {
        this.excludes = excludes;
        this.verbose = verbose;
        this.inheritThreadContext = inheritThreadContext;
    }

    /**
     * Parses the agent's argument string.
     *
     * @param args the text after {@code =} in {@code -javaagent}, or null
     * @return the options
     * @throws IllegalArgumentException naming the option that is not understood
     */
    static AgentOptions parse(String args) {
        List<String> excludes = new ArrayList<>();
        boolean verbose = false;
        boolean inherit = false;
        if (args != null && !args.isBlank()) {
            for (String option : args.split(",")) {
                int eq = option.indexOf('=');
                String key = (eq < 0 ? option : option.substring(0, eq)).trim();
                String value = eq < 0 ? "" : option.substring(eq + 1).trim();
                switch (key) {
                    case "exclude" -> {
                        for (String prefix : value.split(";")) {
                            if (!prefix.isBlank()) {
                                excludes.add(prefix.trim());
                            }
                        }
                    }
                    case "verbose" -> verbose = bool(key, value);
                    case "inheritThreadContext" -> inherit = bool(key, value);
                    default -> throw new IllegalArgumentException("unknown contextvars4j agent option '" + key
                            + "' (known: exclude, verbose, inheritThreadContext)");
                }
            }
        }
        return new AgentOptions(excludes.toArray(new String[0]), verbose, inherit);
    }

    private static boolean bool(String key, String value) {
        if (value.isEmpty() || value.equals("true")) {
            return true;
        }
        if (value.equals("false")) {
            return false;
        }
        throw new IllegalArgumentException("contextvars4j agent option " + key + " takes true or false, not '"
                + value + "'");
    }
}
