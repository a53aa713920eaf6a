package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The request scope: where it is bound, what hand-offs see, where it ends, and what close does. */
@ExtendWith(ContextLeakGuard.class)
class RequestScopeTest extends ScopePoolTestBase {

    RequestScopeTest() {
        super(2);
    }

    @Test
    void current_outsideAnyScope_isEmpty() {
        assertThat(RequestScope.current()).isEmpty();
    }

    @Test
    @DisplayName("run: the body sees an open scope, ended after; the caller's context is untouched (S6)")
    void run_bodySeesOpenScope_endedAfterAndUnbound() {
        AtomicReference<RequestScope> seen = new AtomicReference<>();
        RequestScope.run(() -> seen.set(RequestScope.current().orElseThrow()));
        assertThat(seen.get().isOpen()).isFalse();
        assertThat(RequestScope.current()).isEmpty();
    }

    @Test
    void call_returnsBodyResult_andEndsScopeOnThrow() throws Exception {
        assertThat(RequestScope.call(() -> "done")).isEqualTo("done");
        AtomicReference<RequestScope> seen = new AtomicReference<>();
        Throwable thrown = catchThrowable(() -> RequestScope.call(() -> {
            seen.set(RequestScope.current().orElseThrow());
            throw new java.io.IOException("body failed");
        }));
        assertThat(thrown).isInstanceOf(java.io.IOException.class).hasMessage("body failed");
        assertThat(seen.get().isOpen()).isFalse();
    }

    @Test
    @DisplayName("hand-offs copied from the scope's context share the same scope (P2, P4)")
    void handOff_seesSameScope() throws Exception {
        RequestScope.call(() -> {
            RequestScope mine = RequestScope.current().orElseThrow();
            assertThat(pool.submit(() -> RequestScope.current().orElseThrow()).get()).isSameAs(mine);
            assertThat(ContextCompletableFuture.supplyAsync(() -> RequestScope.current().orElseThrow(), pool)
                    .thenApplyAsync(s -> RequestScope.current().orElseThrow(), pool).get()).isSameAs(mine);
            return null;
        });
    }

    @Test
    void twoScopes_areDifferent_andNestedScopeHidesOuterUntilItEnds() throws Exception {
        RequestScope.run(() -> {
            RequestScope outer = RequestScope.current().orElseThrow();
            RequestScope.run(() -> assertThat(RequestScope.current().orElseThrow()).isNotSameAs(outer));
            try (RequestScope inner = RequestScope.open()) {
                assertThat(RequestScope.current()).containsSame(inner);
            }
            assertThat(RequestScope.current()).containsSame(outer);
            assertThat(outer.isOpen()).isTrue();
        });
    }

    @Test
    @DisplayName("open/close on the opening thread and context: close undoes the binding; a second close does nothing")
    void close_onOpeningThread_unbinds_secondCloseIsNoOp() {
        RequestScope scope = RequestScope.open();
        assertThat(RequestScope.current()).containsSame(scope);
        scope.close();
        assertThat(scope.isOpen()).isFalse();
        assertThat(RequestScope.current()).isEmpty();
        scope.close();
        assertThat(scope.isOpen()).isFalse();
        assertThat(scope.toString()).matches("RequestScope\\[#[0-9a-f]+, ended]");
    }

    @Test
    @DisplayName("close from another thread (an async completion): ends the scope; the opening context keeps the ended binding")
    void close_fromAnotherThread_endsScope_bindingStaysEnded() throws Exception {
        new Context().run(() -> {
            RequestScope scope = RequestScope.open();
            CompletableFuture.runAsync(scope::close, raw).join();
            assertThat(scope.isOpen()).isFalse();
            assertThat(RequestScope.current()).containsSame(scope);
        });
    }

    @Test
    @DisplayName("close failures: every resource is closed LIFO; suppressed into the body's exception, or thrown after all")
    void closeFailures_suppressedIntoBodyFailure_orThrownAfterAllClosed() {
        List<String> closed = new ArrayList<>();
        ScopedResource<AutoCloseable> a = ScopedResource.of("a", () -> () -> closed.add("a"));
        ScopedResource<AutoCloseable> b = ScopedResource.of("b", () -> () -> {
            closed.add("b");
            throw new java.io.IOException("b cannot close");
        });
        ScopedResource<AutoCloseable> c = ScopedResource.of("c", () -> () -> {
            closed.add("c");
            throw new IllegalStateException("c cannot close");
        });

        Throwable bodyFailure = catchThrowable(() -> RequestScope.run(() -> {
            a.get();
            b.get();
            c.get();
            throw new IllegalArgumentException("body failed");
        }));
        assertThat(closed).containsExactly("c", "b", "a");
        assertThat(bodyFailure).isInstanceOf(IllegalArgumentException.class).hasMessage("body failed");
        assertThat(bodyFailure.getSuppressed()).extracting(Throwable::getMessage)
                .containsExactly("c cannot close", "b cannot close");

        closed.clear();
        Throwable closeFailure = catchThrowable(() -> RequestScope.run(() -> {
            a.get();
            b.get();
            c.get();
        }));
        assertThat(closed).containsExactly("c", "b", "a");
        assertThat(closeFailure).isInstanceOf(IllegalStateException.class).hasMessage("c cannot close");
        assertThat(closeFailure.getSuppressed()).extracting(Throwable::getMessage).containsExactly("b cannot close");

        closed.clear();
        Throwable checked = catchThrowable(() -> RequestScope.run(() -> b.get()));
        assertThat(checked).isInstanceOf(ScopedResourceException.class)
                .hasMessageMatching("cannot close a resource of RequestScope\\[#[0-9a-f]+, ended]: java.io.IOException: b cannot close")
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    @DisplayName("S9: null bodies are refused, nothing opened")
    void runAndCall_nullBody_refused() {
        assertThatThrownBy(() -> RequestScope.run(null)).isInstanceOf(NullPointerException.class).hasMessage("body");
        assertThatThrownBy(() -> RequestScope.call((java.util.concurrent.Callable<?>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("body");
        assertThatThrownBy(() -> RequestScope.call((RequestScope.Body<?>) null))
                .isInstanceOf(NullPointerException.class).hasMessage("body");
        assertThatThrownBy(() -> RequestScope.onEnd(null)).isInstanceOf(NullPointerException.class).hasMessage("cleanup");
        assertThat(RequestScope.current()).isEmpty();
    }

    @Test
    @DisplayName("onEnd: cleanups and resources end together, last registered first, also from another thread of the request")
    void onEnd_cleanupsAndResources_runLifoTogether() throws Exception {
        List<String> ended = new java.util.concurrent.CopyOnWriteArrayList<>();
        ScopedResource<AutoCloseable> db = ScopedResource.of("db", () -> () -> ended.add("db"));
        RequestScope.call(() -> {
            RequestScope.onEnd(() -> ended.add("first cleanup"));
            db.get();
            pool.submit(() -> RequestScope.onEnd(() -> ended.add("cleanup from a pool thread"))).get();
            RequestScope.onEnd(() -> ended.add("last cleanup"));
            assertThat(ended).isEmpty();
        });
        assertThat(ended).containsExactly("last cleanup", "cleanup from a pool thread", "db", "first cleanup");
    }

    @Test
    @DisplayName("onEnd: every cleanup runs; failures suppressed into the body's exception, or the first thrown after all")
    void onEnd_failures_followTheResourceRules() {
        List<String> ran = new ArrayList<>();
        Throwable bodyFailure = catchThrowable(() -> RequestScope.run(() -> {
            RequestScope.onEnd(() -> ran.add("a"));
            RequestScope.onEnd(() -> {
                ran.add("b");
                throw new java.io.IOException("b failed");
            });
            throw new IllegalArgumentException("body failed");
        }));
        assertThat(ran).containsExactly("b", "a");
        assertThat(bodyFailure).hasMessage("body failed");
        assertThat(bodyFailure.getSuppressed()).extracting(Throwable::getMessage).containsExactly("b failed");

        ran.clear();
        Throwable cleanupFailure = catchThrowable(() -> RequestScope.run(() -> {
            RequestScope.onEnd(() -> ran.add("a"));
            RequestScope.onEnd(() -> {
                ran.add("b");
                throw new java.io.IOException("b failed");
            });
            RequestScope.onEnd(() -> {
                ran.add("c");
                throw new IllegalStateException("c failed");
            });
        }));
        assertThat(ran).containsExactly("c", "b", "a");
        assertThat(cleanupFailure).isInstanceOf(IllegalStateException.class).hasMessage("c failed");
        assertThat(cleanupFailure.getSuppressed()).extracting(Throwable::getMessage).containsExactly("b failed");

        Throwable checked = catchThrowable(() -> RequestScope.run(() -> RequestScope.onEnd(() -> {
            throw new java.io.IOException("gone");
        })));
        assertThat(checked).isInstanceOf(ScopedResourceException.class)
                .hasMessageMatching("a cleanup failed at the end of RequestScope\\[#[0-9a-f]+, ended]: java.io.IOException: gone")
                .hasCauseInstanceOf(java.io.IOException.class);
    }

    @Test
    @DisplayName("onEnd: refused outside a scope and after the scope ended; the refused cleanup is neither kept nor run")
    void onEnd_outsideOrAfterScope_refusedAndNotRun() throws Exception {
        List<String> ran = new ArrayList<>();
        AutoCloseable cleanup = new AutoCloseable() {
            @Override
            public void close() {
                ran.add("ran");
            }

            @Override
            public String toString() {
                return "delete-upload";
            }
        };
        assertThatThrownBy(() -> RequestScope.onEnd(cleanup)).isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot register cleanup delete-upload outside a request scope: open one with "
                        + "RequestScope.run, call or open");
        AtomicReference<Context> escaped = new AtomicReference<>();
        RequestScope.run(() -> escaped.set(Context.copyCurrent()));
        RequestScope ended = escaped.get().call(() -> RequestScope.current().orElseThrow());
        assertThatThrownBy(() -> escaped.get().run(() -> RequestScope.onEnd(cleanup)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot register cleanup delete-upload: " + ended + " has ended");
        ended.close();                                   // a second end runs nothing
        assertThat(ran).isEmpty();
    }

    /** Compiles only if {@code call(Body)} passes the body's own checked exception, nothing wider. */
    private static void deleteInScope(java.nio.file.Path file) throws java.io.IOException {
        RequestScope.call(() -> java.nio.file.Files.delete(file));
    }

    @Test
    @DisplayName("call(Body): a void body that throws a checked exception needs no wrapping; the exception passes unchanged")
    void callBody_checkedException_passesUnchanged() throws Exception {
        java.nio.file.Path missing = java.nio.file.Path.of("target", "no-such-file-" + System.nanoTime());
        AtomicReference<RequestScope> seen = new AtomicReference<>();
        Throwable thrown = catchThrowable(() -> RequestScope.call(() -> {
            seen.set(RequestScope.current().orElseThrow());
            deleteInScope(missing);
        }));
        assertThat(thrown).isInstanceOf(java.nio.file.NoSuchFileException.class).hasMessageContaining("no-such-file-");
        assertThat(seen.get().isOpen()).isFalse();
        List<String> done = new ArrayList<>();
        RequestScope.call(() -> {
            RequestScope.onEnd(() -> done.add("ended"));
            done.add("ran");
        });
        assertThat(done).containsExactly("ran", "ended");
        assertThat(RequestScope.current()).isEmpty();
    }
}
