package org.contextvars4j.benchmarks;

import com.alibaba.ttl.TransmittableThreadLocal;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import io.netty.util.concurrent.FastThreadLocal;
import io.opentelemetry.context.ContextKey;
import java.lang.reflect.Array;
import java.util.function.IntFunction;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Scope;

/**
 * The variables, keys and thread-locals every benchmark fills, one per store, and the code that
 * puts {@code n} values into each store on the current thread and takes them out again.
 *
 * <p>All our {@link ContextVar}s are created here, in one class initialiser, before any other
 * var of the benchmark JVM: var {@code i} gets dense id {@code i}, so a context holding vars
 * {@code 0..n-1} has the trie depth a real program with {@code n} vars has (1 up to 32 vars,
 * 2 up to 1,024).
 *
 * <p>Thread-bound state (current contexts, thread-local values) is installed by
 * {@code @Setup(Level.Iteration)} methods: on JMH's custom virtual-thread executor every
 * iteration runs on a new thread, so state installed once per trial would be missing from
 * later iterations.
 */
final class Fixtures {

    /** The largest number of vars any benchmark puts in one context. */
    static final int MAX_VARS = 1000;

    /** The value every store holds; its identity does not matter. */
    static final Object VALUE = "value";

    /** A second value, for writes that must change something. */
    static final Object OTHER = "other";

    static final ContextVar<Object>[] VARS = make(ContextVar.class, i -> ContextVar.of("v" + i));
    /** A var that is never set: a miss that falls back to an explicit fallback. */
    static final ContextVar<Object> UNSET = ContextVar.of("unset");
    /** A var with a default that is never set: a miss that returns the default. */
    static final ContextVar<Object> UNSET_WITH_DEFAULT = ContextVar.of("unsetWithDefault", "default");

    static final ThreadLocal<Object>[] THREAD_LOCALS = make(ThreadLocal.class, i -> new ThreadLocal<>());
    static final InheritableThreadLocal<Object>[] INHERITABLE =
            make(InheritableThreadLocal.class, i -> new InheritableThreadLocal<>());
    static final TransmittableThreadLocal<Object>[] TTLS =
            make(TransmittableThreadLocal.class, i -> new TransmittableThreadLocal<>());
    static final FastThreadLocal<Object>[] FAST = make(FastThreadLocal.class, i -> new FastThreadLocal<>());
    static final ContextKey<Object>[] OTEL_KEYS = make(ContextKey.class, i -> ContextKey.named("k" + i));
    static final io.grpc.Context.Key<Object>[] GRPC_KEYS =
            make(io.grpc.Context.Key.class, i -> io.grpc.Context.key("k" + i));
    /** Keys never put in an OpenTelemetry / gRPC context: the peers' misses. */
    static final ContextKey<Object> OTEL_UNSET = ContextKey.named("unset");
    static final io.grpc.Context.Key<Object> GRPC_UNSET = io.grpc.Context.key("unset");

    /**
     * The one thread-local Micrometer propagates: Micrometer context-propagation is a registry
     * of accessors over stores that live elsewhere, so its cost is per registered accessor.
     * The benchmarks register exactly one, in a registry of their own (not the global one).
     */
    static final ThreadLocal<Object> MICROMETER_LOCAL = new ThreadLocal<>();
    static final ContextSnapshotFactory MICROMETER = ContextSnapshotFactory.builder()
            .contextRegistry(new ContextRegistry().registerThreadLocalAccessor("bench", MICROMETER_LOCAL))
            .build();

    private Fixtures() {
    }

    /** {@return MAX_VARS new elements of {@code type}, element i made by {@code make}} */
    @SuppressWarnings("unchecked")
    private static <T> T[] make(Class<?> type, IntFunction<?> make) {
        T[] array = (T[]) Array.newInstance(type, MAX_VARS);
        for (int i = 0; i < MAX_VARS; i++) {
            array[i] = (T) make.apply(i);
        }
        return array;
    }

    /**
     * Values for the first {@code n} entries of every store, installed on the current thread:
     * our context (a fresh {@link Context}, entered), the thread-locals, and the
     * OpenTelemetry and gRPC contexts (made current). {@link #close()} takes all of it out again
     * on the same thread, leaving the thread as it found it.
     */
    static final class Installed implements AutoCloseable {
        private final int n;
        private final Scope ours;
        private final io.opentelemetry.context.Scope otel;
        private final io.grpc.Context grpc;
        private final io.grpc.Context grpcPrevious;

        Installed(int n) {
            if (n < 1 || n > MAX_VARS) {
                throw new IllegalArgumentException("number of vars must be in 1.." + MAX_VARS + ": " + n);
            }
            this.n = n;
            VirtualThreadExecutor.checkThreadKind();
            ours = new Context().enter();
            io.opentelemetry.context.Context o = io.opentelemetry.context.Context.root();
            for (int i = 0; i < n; i++) {
                VARS[i].set(VALUE);
                THREAD_LOCALS[i].set(VALUE);
                INHERITABLE[i].set(VALUE);
                TTLS[i].set(VALUE);
                FAST[i].set(VALUE);
                o = o.with(OTEL_KEYS[i], VALUE);
            }
            // gRPC logs a warning once a chain of contexts passes 1,000 generations: four values
            // per generation keeps the 1,000-var setup quiet. Lookups do not walk the chain.
            io.grpc.Context g = io.grpc.Context.ROOT;
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                g = g.withValues(GRPC_KEYS[i], VALUE, GRPC_KEYS[i + 1], VALUE,
                        GRPC_KEYS[i + 2], VALUE, GRPC_KEYS[i + 3], VALUE);
            }
            for (; i < n; i++) {
                g = g.withValue(GRPC_KEYS[i], VALUE);
            }
            MICROMETER_LOCAL.set(VALUE);
            otel = o.makeCurrent();
            grpc = g;
            grpcPrevious = g.attach();
        }

        @Override
        public void close() {
            grpc.detach(grpcPrevious);
            otel.close();
            MICROMETER_LOCAL.remove();
            for (int i = 0; i < n; i++) {
                THREAD_LOCALS[i].remove();
                INHERITABLE[i].remove();
                TTLS[i].remove();
                FAST[i].remove();
            }
            ours.close();
        }
    }
}
