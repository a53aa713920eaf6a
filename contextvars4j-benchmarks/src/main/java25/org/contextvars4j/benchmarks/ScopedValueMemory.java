package org.contextvars4j.benchmarks;

/**
 * Memory per parked virtual thread holding a {@code ScopedValue} binding (JDK 25): each thread
 * runs {@code ScopedValue.where(k, v).run(...)}, reads the value and parks inside the binding.
 * Same procedure and output as {@link VirtualThreadMemory}, whose {@code none} figure is the
 * baseline.
 *
 * <pre>{@code
 * java -Xms4g -Xmx4g -cp contextvars4j-benchmarks/target/benchmarks.jar \
 *      org.contextvars4j.benchmarks.ScopedValueMemory 200000
 * }</pre>
 */
public final class ScopedValueMemory {

    private static final ScopedValue<Object> SCOPED = ScopedValue.newInstance();

    private ScopedValueMemory() {
    }

    /**
     * Runs the measurement.
     *
     * @param args the number of threads (default 200,000)
     * @throws InterruptedException if interrupted while waiting for the threads
     */
    public static void main(String[] args) throws InterruptedException {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        VirtualThreadMemory.measure("scopedValue", n,
                park -> ScopedValue.where(SCOPED, VirtualThreadMemory.VALUE).run(() -> {
                    VirtualThreadMemory.check(SCOPED.get());
                    park.run();
                }));
    }
}
