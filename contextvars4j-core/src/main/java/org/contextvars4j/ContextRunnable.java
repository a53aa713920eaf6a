package org.contextvars4j;

/**
 * A runnable that runs its task in a fresh context over a map captured at creation (each run
 * gets its own; see {@link Propagation}). The forms that take their context from a
 * {@link Context} at each run are {@link OfContext}.
 *
 * <p>Three fields, so an instance is 24 bytes, the size of OpenTelemetry's wrapper: the context
 * forms were split off (issue 15) so that the common form carries no field it does not use.
 */
final class ContextRunnable implements Runnable {

    private final Object[] map;
    private final Bridge bridge;
    private final Runnable task;

    ContextRunnable(Object[] map, Bridge bridge, Runnable task) {
        this.map = map;
        this.bridge = bridge;
        this.task = task;
    }

    @Override
    public void run() {
        Object entry = Propagation.enterCopy(map, bridge, task);
        Throwable failure = null;
        try {
            task.run();
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Propagation.exit(entry, failure);
        }
    }

    @Override
    public String toString() {
        return "ContextRunnable[" + task + "]";
    }

    /**
     * A runnable that runs its task in a fresh copy of {@code source} as it is at each run, or,
     * when {@code inPlace}, in {@code source} itself.
     */
    static final class OfContext implements Runnable {

        private final Context source;
        private final Bridge bridge;
        private final Runnable task;
        private final boolean inPlace;

        OfContext(Context source, Bridge bridge, Runnable task, boolean inPlace) {
            this.source = source;
            this.bridge = bridge;
            this.task = task;
            this.inPlace = inPlace;
        }

        @Override
        public void run() {
            Object entry = Propagation.enter(inPlace ? source : new Context(source.map()), bridge, !inPlace, task);
            Throwable failure = null;
            try {
                task.run();
            } catch (Throwable t) {
                failure = t;
                throw t;
            } finally {
                Propagation.exit(entry, failure);
            }
        }

        @Override
        public String toString() {
            return "ContextRunnable[" + task + "]";
        }
    }
}
