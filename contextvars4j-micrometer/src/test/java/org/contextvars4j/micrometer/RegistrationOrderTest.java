package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import io.micrometer.context.ContextAccessor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Micrometer sets the accessors of a scope in one order and restores them in reverse
 * <em>registration</em> order: for {@code setThreadLocalsFrom(context, keys...)} (the path
 * Reactor's automatic propagation takes) the set order is the order of the keys, so the restore
 * order can be anything but LIFO. With both accessors of this module registered, in either
 * order, every scope must still leave the thread exactly as it found it: no frame left open, no
 * value left set. (Reactor's 1,000-pipeline test caught this intermittently: a scheduler thread
 * kept four open frames.)
 */
@ExtendWith(ContextLeakGuard.class)
@DisplayName("Both accessors registered, in either order: Micrometer's registration-order restore leaves the thread clean (P2, P6)")
class RegistrationOrderTest {

    private static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");
    private static final ContextVar<String> TENANT = ContextVar.of("tenant");

    /** Reads and writes a plain map, standing in for a Reactor {@code Context}. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private static final class MapAccessor implements ContextAccessor<Map, Map> {
        @Override
        public Class<? extends Map> readableType() {
            return Map.class;
        }

        @Override
        public void readValues(Map source, Predicate<Object> keyPredicate, Map<Object, Object> target) {
            source.forEach((k, v) -> {
                if (keyPredicate.test(k)) {
                    target.put(k, v);
                }
            });
        }

        @Override
        public <T> T readValue(Map source, Object key) {
            return (T) source.get(key);
        }

        @Override
        public Class<? extends Map> writeableType() {
            return Map.class;
        }

        @Override
        public Map writeValues(Map<Object, Object> values, Map target) {
            throw new UnsupportedOperationException("read-only in this test");
        }
    }

    @ParameterizedTest(name = "context accessor registered first: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("P2, S8: setThreadLocalsFrom with the keys in the other order than the registry's: values arrive, and closing undoes everything LIFO")
    void setThreadLocalsFrom_keysAgainstRegistryOrder_valuesArriveAndThreadClean(boolean contextFirst) throws Exception {
        ContextRegistry registry = new ContextRegistry().registerContextAccessor(new MapAccessor());
        ContextThreadLocalAccessor contextAccessor = new ContextThreadLocalAccessor();
        ContextVarAccessor<String> tenantAccessor = ContextVarAccessor.of("tenant", TENANT);
        if (contextFirst) {
            registry.registerThreadLocalAccessor(contextAccessor).registerThreadLocalAccessor(tenantAccessor);
        } else {
            registry.registerThreadLocalAccessor(tenantAccessor).registerThreadLocalAccessor(contextAccessor);
        }
        ContextSnapshotFactory factory = ContextSnapshotFactory.builder().contextRegistry(registry).build();
        Context carried = new Context().with(REQUEST_ID, "r-1");
        Map<Object, Object> source = Map.of(ContextThreadLocalAccessor.KEY, carried, "tenant", "t-1");
        // the keys in the order opposite to the registry's, so the restore order is not LIFO
        String[] keys = contextFirst ? new String[] {"tenant", ContextThreadLocalAccessor.KEY}
                : new String[] {ContextThreadLocalAccessor.KEY, "tenant"};

        ContextLeakGuard.runOnNewThread("setThreadLocalsFrom", () -> {
            try (ContextSnapshot.Scope scope = factory.setThreadLocalsFrom(source, keys)) {
                assertThat(REQUEST_ID.get() + "|" + TENANT.get()).isEqualTo("r-1|t-1");
            }
            assertThat(ThreadFrames.current().depth()).as("frames left open").isZero();
            assertThat(TENANT.orElse(null)).as("the var is reset in the context it was set in").isNull();
        });
    }

    @ParameterizedTest(name = "context accessor registered first: {0}")
    @ValueSource(booleans = {true, false})
    @DisplayName("P2: 2,000 snapshots installed on a pool carry the context and the var, and each scope's close undoes everything")
    void setThreadLocals_bothAccessorsEitherOrder_valuesArriveAndThreadsClean(boolean contextFirst) throws Exception {
        ContextRegistry registry = new ContextRegistry();
        ContextThreadLocalAccessor contextAccessor = new ContextThreadLocalAccessor();
        ContextVarAccessor<String> tenantAccessor = ContextVarAccessor.of("tenant", TENANT);
        if (contextFirst) {
            registry.registerThreadLocalAccessor(contextAccessor).registerThreadLocalAccessor(tenantAccessor);
        } else {
            registry.registerThreadLocalAccessor(tenantAccessor).registerThreadLocalAccessor(contextAccessor);
        }
        ContextSnapshotFactory factory = ContextSnapshotFactory.builder().contextRegistry(registry).build();

        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<String>> seen = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                try (Token<String> r = REQUEST_ID.set("r-" + i); Token<String> t = TENANT.set("t-" + i)) {
                    ContextSnapshot snapshot = factory.captureAll();
                    seen.add(pool.submit(() -> {
                        String inside;
                        try (ContextSnapshot.Scope scope = snapshot.setThreadLocals()) {
                            inside = REQUEST_ID.get() + "|" + TENANT.get();
                        }
                        String after = ThreadFrames.current().depth() + "|" + Context.copyCurrent().size();
                        return inside + "|" + after;
                    }));
                }
            }
            for (int i = 0; i < seen.size(); i++) {
                assertThat(seen.get(i).get(30, TimeUnit.SECONDS))
                        .as("task %d: values inside the scope, then open frames and vars after it", i)
                        .isEqualTo("r-" + i + "|t-" + i + "|0|0");
            }
            ContextLeakGuard.assertPoolClean(pool, threads);
        } finally {
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }
}
