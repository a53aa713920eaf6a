package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 26: on JDK 25, {@code Context.run}, {@code call} and {@code supply} also carry the
 * entered context in a {@code ScopedValue} binding, and a read inside asks it first (see
 * Binding; opt-in with {@code -Dcontextvars4j.scopedValues=on}). These tests hold on both paths:
 * on JDK 25 surefire runs every test with it on, and this class, the CPython differential, the
 * rule and the propagation tests once more with it off. The forks of a StructuredTaskScope, which inherit the
 * binding, are tested in {@code ScopedValueBindingPreviewTest}.
 */
@ExtendWith(ContextLeakGuard.class)
@DisplayName("issue 26: the ScopedValue binding of structured entries")
class ScopedValueBindingTest {

    static final ContextVar<String> REQ = ContextVar.of("request_id");
    private static final Executor DIRECT = ContextExecutors.wrap((Executor) Runnable::run);

    /** Whether this JVM should read through the binding: JDK 25+ and switched on. */
    static boolean expectBinding() {
        return Runtime.version().feature() >= 25
                && "on".equals(System.getProperty("contextvars4j.scopedValues"));
    }

    @Test
    @DisplayName("the binding is on exactly on JDK 25+ with -Dcontextvars4j.scopedValues=on")
    void binding_onExactlyWhereExpected() {
        assertThat(Binding.ON).isEqualTo(expectBinding());
    }

    @Test
    @DisplayName("a read inside run is answered by the binding on JDK 25, by the ThreadLocal otherwise")
    void readInsideRun_answeredByBindingOnlyWhenOn() {
        Context request = new Context().with(REQ, "bound");
        Context other = new Context().with(REQ, "thread-local");
        request.run(() -> {
            // Point the ThreadLocal elsewhere for one read: only the binding still knows request.
            Storage.setCurrent(other);
            String seen;
            try {
                seen = REQ.get();
            } finally {
                Storage.setCurrent(request);
            }
            assertThat(seen).isEqualTo(expectBinding() ? "bound" : "thread-local");
        });
    }

    @Test
    @DisplayName("S6: run, call and supply see their context, nested ones the innermost, and restore the previous one")
    void nestedStructuredEntries_innermostWins_previousRestored_S6() throws Exception {
        Context outer = new Context().with(REQ, "outer");
        Context inner = new Context().with(REQ, "inner");
        String seen = outer.call(() -> {
            String in = inner.supply(REQ::get);
            REQ.set("outer-changed");
            return in + "/" + REQ.get();
        });
        assertThat(seen).isEqualTo("inner/outer-changed");
        assertThat(outer.get(REQ)).isEqualTo("outer-changed");
        assertThat(REQ.orElse("none")).isEqualTo("none");
        assertThat(Storage.currentOrNull()).isNotSameAs(outer).isNotSameAs(inner);
    }

    @Test
    @DisplayName("S6: an exception, checked or not, passes through the binding unchanged and the previous context is current again")
    void failingBodies_exceptionsUnchanged_previousRestored_S6() {
        Context request = new Context().with(REQ, "r");
        IOException checked = new IOException("io");
        IllegalStateException unchecked = new IllegalStateException("boom");
        assertThatThrownBy(() -> request.call(() -> {
            throw checked;
        })).isSameAs(checked);
        assertThatThrownBy(() -> request.run(() -> {
            throw unchecked;
        })).isSameAs(unchecked);
        assertThatThrownBy(() -> request.supply(() -> {
            throw unchecked;
        })).isSameAs(unchecked);
        assertThat(REQ.orElse("none")).isEqualTo("none");
        assertThat(request.isEntered()).isFalse();
    }

    @Test
    @DisplayName("S8: a context enter()ed inside run covers the bound one until its scope closes")
    void enterInsideRun_coversBinding_untilClosed_S8() {
        Context request = new Context().with(REQ, "bound");
        Context entered = new Context().with(REQ, "entered");
        request.run(() -> {
            try (Scope s = entered.enter()) {
                assertThat(REQ.get()).isEqualTo("entered");
                REQ.set("entered-changed");
                assertThat(REQ.get()).isEqualTo("entered-changed");
                request.copy().run(() -> assertThat(REQ.get()).isEqualTo("bound"));
                assertThat(REQ.get()).isEqualTo("entered-changed");
            }
            assertThat(REQ.get()).isEqualTo("bound");
            REQ.set("bound-changed");
        });
        assertThat(request.get(REQ)).isEqualTo("bound-changed");
        assertThat(entered.get(REQ)).isEqualTo("entered-changed");
    }

    @Test
    @DisplayName("S6: a scope left open inside run is exited by force, and the context below is readable again")
    void scopeLeftOpenInsideRun_exitedByForce_S6() {
        Context outer = new Context().with(REQ, "outer");
        Context request = new Context().with(REQ, "bound");
        outer.run(() -> {
            assertThatThrownBy(() -> request.run(() -> new Context().with(REQ, "leaked").enter()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited by force");
            assertThat(REQ.get()).isEqualTo("outer");
            assertThat(request.isEntered()).isFalse();
        });
    }

    @Test
    @DisplayName("P2/S3: a hand-off run inside run borrows the bound context, and its set goes to a copy only")
    void handOffInsideRun_setGoesToCopy_P2() {
        Context request = new Context().with(REQ, "bound");
        request.run(() -> {
            AtomicReference<String> inTask = new AtomicReference<>();
            DIRECT.execute(() -> {
                assertThat(REQ.get()).isEqualTo("bound");
                REQ.set("task");
                inTask.set(REQ.get());
            });
            assertThat(inTask).hasValue("task");
            assertThat(REQ.get()).isEqualTo("bound");
        });
        assertThat(request.get(REQ)).isEqualTo("bound");
    }

    @Test
    @DisplayName("S7: a context bound on one thread is refused on another, and reads there never see it")
    void boundContext_notReadableOnOtherThread_S7() throws Exception {
        Context request = new Context().with(REQ, "bound");
        AtomicReference<Object> elsewhere = new AtomicReference<>();
        request.run(() -> {
            Thread t = new Thread(() -> {
                try {
                    request.run(() -> { });
                    elsewhere.set("entered twice");
                } catch (IllegalStateException e) {
                    elsewhere.set(REQ.orElse("none") + ": " + e.getMessage());
                }
                ContextLeakGuard.assertThreadClean("other thread");
            });
            t.start();
            try {
                t.join();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(elsewhere.get()).asString().startsWith("none: cannot enter context").contains("is already entered");
    }

    @Test
    @DisplayName("P3: a library-owned thread reads its own context inside run, and its field after")
    void ownedThread_runInside_P3() throws Exception {
        AtomicReference<String> seen = new AtomicReference<>();
        Thread t = ContextThreads.start(new Context().with(REQ, "owned"), () -> {
            String in = new Context().with(REQ, "bound").supply(REQ::get);
            seen.set(in + "/" + REQ.get());
        });
        t.join();
        assertThat(seen).hasValue("bound/owned");
    }

    @Test
    @DisplayName("S11: after run, nothing on the thread keeps the context reachable")
    void afterRun_contextCollectable_S11() throws Exception {
        AtomicReference<WeakReference<Context>> ref = new AtomicReference<>();
        AtomicReference<Boolean> collected = new AtomicReference<>(false);
        Thread t = new Thread(() -> {
            Context request = new Context().with(REQ, "bound");
            request.run(() -> assertThat(REQ.get()).isEqualTo("bound"));
            ref.set(new WeakReference<>(request));
            request = null;
            for (int i = 0; i < 50 && ref.get().get() != null; i++) {
                System.gc();
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
            collected.set(ref.get().get() == null);
        });
        t.start();
        t.join();
        assertThat(collected).hasValue(true);
    }

    @Test
    @DisplayName("the property takes on or off; any other value is logged, naming it, and leaves the binding off")
    void property_onOff_badValueLoggedAndOff() {
        assertThat(Binding.enabled("on")).isTrue();
        assertThat(Binding.enabled(" OFF ")).isFalse();
        assertThat(Binding.enabled("false")).isFalse();
        assertThat(Binding.enabled("")).isFalse();
        try (LogCapture log = LogCapture.of(Binding.class)) {
            assertThat(Binding.enabled("sometimes")).isFalse();
            assertThat(log.records()).singleElement().satisfies(r -> {
                assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.SEVERE);
                assertThat(r.getMessage()).isEqualTo("bad system property contextvars4j.scopedValues: sometimes"
                        + " (expected on or off); the binding stays off");
            });
        }
    }
}
