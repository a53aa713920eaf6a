package org.contextvars4j.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The tests of a logging map kept in the current context (SLF4J's MDC, Log4j's thread context)
 * whose {@code put} of a new key and the {@code remove} that pairs with it are a set and its
 * undo without a token (issue 26): the remove puts the context's map before the put back, and
 * keeps the rules a {@code set} and its {@code reset} keep. Each module subclasses it with its
 * map's operations.
 */
@ExtendWith(ContextLeakGuard.class)
public abstract class PairedRemoveContract {

    private static final ContextVar<String> OTHER = ContextVar.of("other");

    /** For the subclasses. */
    protected PairedRemoveContract() {
    }

    /**
     * Puts an entry into the map of the current context.
     *
     * @param key the key
     * @param value the value
     */
    protected abstract void put(String key, String value);

    /**
     * Removes an entry from the map of the current context.
     *
     * @param key the key
     */
    protected abstract void remove(String key);

    /**
     * {@return the value of {@code key} in the map of the current context, or null}
     *
     * @param key the key
     */
    protected abstract String get(String key);

    /** {@return a copy of the entries of the current context} */
    protected abstract Map<String, String> entries();

    /**
     * {@return the map a logging event would be handed now (the map itself, not a copy), as a
     * supplier of its entries when asked later}
     */
    protected abstract Supplier<Map<String, String>> eventView();

    @Test
    @DisplayName("S3: a copy taken between put and remove keeps the entry; the remove changes the current context only")
    void remove_afterCopy_copyKeepsEntry() {
        new Context().run(() -> {
            put("request_id", "r-1");
            put("k", "v");
            Context between = Context.copyCurrent();
            remove("k");
            assertThat(get("k")).isNull();
            assertThat(get("request_id")).isEqualTo("r-1");
            assertThat(between.supply(() -> get("k"))).isEqualTo("v");
        });
    }

    @Test
    @DisplayName("S3: the remove in a copy that still holds the put's map removes there only, the original keeps the entry")
    void remove_inCopyHoldingThePutsMap_removesInCopyOnly() {
        new Context().run(() -> {
            put("k", "v");
            Context.copyCurrent().run(() -> {
                remove("k");
                assertThat(get("k")).isNull();
            });
            assertThat(get("k")).isEqualTo("v");
            remove("k");
            assertThat(entries()).isEmpty();
        });
    }

    @Test
    @DisplayName("S5 (a reset undoes its own var only): a var set between put and remove stays set; only the entry goes")
    void remove_afterAnotherSet_removesEntryKeepsOtherSet() {
        new Context().run(() -> {
            put("a", "1");
            put("k", "v");
            OTHER.set("x");
            remove("k");
            assertThat(entries()).isEqualTo(Map.of("a", "1"));
            assertThat(OTHER.get()).isEqualTo("x");
        });
    }

    @Test
    @DisplayName("remove after a put that replaced a value removes the key: it does not bring the old value back")
    void remove_afterPutOfExistingKey_removesKey() {
        new Context().run(() -> {
            put("k", "old");
            put("k", "new");
            remove("k");
            assertThat(get("k")).isNull();
        });
    }

    @Test
    @DisplayName("an event's map taken after the put keeps the entry after the remove (never changed in place)")
    void remove_afterEventTookMap_eventMapUnchanged() {
        new Context().run(() -> {
            put("k", "v");
            Supplier<Map<String, String>> seenByEvent = eventView();
            remove("k");
            assertThat(seenByEvent.get()).isEqualTo(Map.of("k", "v"));
        });
    }

    @Test
    @DisplayName("S11: put and remove on a pooled worker's own context leave it empty")
    void putRemove_onPooledWorker_leavesWorkerEmpty() throws Exception {
        ExecutorService worker = Executors.newSingleThreadExecutor();
        try {
            worker.submit(() -> {
                put("k", "v");
                remove("k");
            }).get();
            assertThat(worker.submit(() -> Context.copyCurrent().isEmpty()).get()).isTrue();
            ContextLeakGuard.assertPoolClean(worker, 1);
        } finally {
            worker.shutdown();
            assertThat(worker.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
