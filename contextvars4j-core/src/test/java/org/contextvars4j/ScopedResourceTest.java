package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Scoped resources, without a database: lazy open, one instance, close, refusals, retries. */
@ExtendWith(ContextLeakGuard.class)
class ScopedResourceTest extends ScopePoolTestBase {

    ScopedResourceTest() {
        super(2);
    }

    /** A resource that counts its openings and closings. */
    static final class Session implements AutoCloseable {
        static final AtomicInteger OPENED = new AtomicInteger();
        final int number = OPENED.incrementAndGet();
        volatile boolean closed;

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    @DisplayName("opened lazily on first use, the same instance for the scope and its hand-offs, closed at the end")
    void get_lazySameInstanceClosedAtEnd() throws Exception {
        AtomicInteger opens = new AtomicInteger();
        ScopedResource<Session> session = ScopedResource.of("session", () -> {
            opens.incrementAndGet();
            return new Session();
        });
        Session seen = RequestScope.call(() -> {
            assertThat(opens).hasValue(0);
            Session s = session.get();
            assertThat(session.get()).isSameAs(s);
            assertThat(pool.submit(session::get).get()).isSameAs(s);
            Session viaUse = session.use(x -> x);
            assertThat(viaUse).isSameAs(s);
            assertThat(s.closed).isFalse();
            return s;
        });
        assertThat(seen.closed).isTrue();
        assertThat(opens).hasValue(1);
        RequestScope.run(() -> assertThat(session.get()).isNotSameAs(seen));
    }

    @Test
    @DisplayName("a failing opener registers nothing and the next use retries; checked failures wrapped, unchecked as is")
    void opener_fails_nothingRegistered_nextUseRetries() {
        AtomicInteger tries = new AtomicInteger();
        ScopedResource<Session> flaky = ScopedResource.of("flaky", () -> {
            int n = tries.incrementAndGet();
            if (n == 1) {
                throw new java.io.IOException("no route");
            }
            if (n == 2) {
                throw new IllegalStateException("pool exhausted");
            }
            return new Session();
        });
        AtomicReference<Session> opened = new AtomicReference<>();
        RequestScope.run(() -> {
            assertThatThrownBy(flaky::get).isInstanceOf(ScopedResourceException.class)
                    .hasMessage("cannot open ScopedResource[flaky]: java.io.IOException: no route")
                    .hasCauseInstanceOf(java.io.IOException.class);
            assertThatThrownBy(() -> flaky.use(s -> s)).isInstanceOf(IllegalStateException.class).hasMessage("pool exhausted");
            opened.set(flaky.get());
            assertThat(flaky.get()).isSameAs(opened.get());
        });
        assertThat(tries).hasValue(3);
        assertThat(opened.get().closed).isTrue();
    }

    @Test
    @DisplayName("an escaped task touching the resource after the end gets IllegalStateException naming it; nothing reopened")
    void escapedTask_afterEnd_refused() throws Exception {
        AtomicInteger opens = new AtomicInteger();
        ScopedResource<Session> db = ScopedResource.of("db", () -> {
            opens.incrementAndGet();
            return new Session();
        });
        CountDownLatch ended = new CountDownLatch(1);
        AtomicReference<Future<Throwable>> escaped = new AtomicReference<>();
        RequestScope.run(() -> {
            db.get();
            escaped.set(pool.submit(() -> {
                ended.await(30, TimeUnit.SECONDS);
                try {
                    db.use(s -> s);
                    return null;
                } catch (IllegalStateException expected) {
                    return expected;
                }
            }));
        });
        ended.countDown();
        assertThat(escaped.get().get(30, TimeUnit.SECONDS)).isInstanceOf(IllegalStateException.class)
                .hasMessageMatching("ScopedResource\\[db] is closed: RequestScope\\[#[0-9a-f]+, ended] has ended");
        assertThat(opens).hasValue(1);
    }

    @Test
    void refusals_outsideScope_recursion_nullOpener_nullArguments() {
        assertThatThrownBy(() -> ScopedResource.of(null, Session::new)).isInstanceOf(NullPointerException.class).hasMessage("name");
        assertThatThrownBy(() -> ScopedResource.of("x", null)).isInstanceOf(NullPointerException.class).hasMessage("opener");
        ScopedResource<Session> db = ScopedResource.of("db", Session::new);
        int openedBefore = Session.OPENED.get();
        assertThatThrownBy(db::get).isInstanceOf(IllegalStateException.class)
                .hasMessage("ScopedResource[db] used outside a request scope: open one with RequestScope.run, call or open");
        assertThatThrownBy(() -> db.use(s -> s)).isInstanceOf(IllegalStateException.class)
                .hasMessage("ScopedResource[db] used outside a request scope: open one with RequestScope.run, call or open");
        assertThat(Session.OPENED).hasValue(openedBefore);
        assertThat(RequestScope.current()).isEmpty();
        AtomicReference<ScopedResource<Session>> self = new AtomicReference<>();
        ScopedResource<Session> loop = ScopedResource.of("loop", () -> self.get().get());
        self.set(loop);
        ScopedResource<Session> none = ScopedResource.of("none", () -> null);
        RequestScope.run(() -> {
            assertThatThrownBy(loop::get).isInstanceOf(IllegalStateException.class)
                    .hasMessage("recursive use of ScopedResource[loop]: its opener asked for the resource it is opening");
            assertThatThrownBy(none::get).isInstanceOf(IllegalStateException.class)
                    .hasMessage("the opener of ScopedResource[none] returned null");
            assertThatThrownBy(() -> db.use(null)).isInstanceOf(NullPointerException.class).hasMessage("action");
            assertThat(Session.OPENED).hasValue(openedBefore);       // nothing opened by a refusal
            Session first = db.get();
            assertThat(db.get()).isSameAs(first);                    // and the next use opens normally
        });
    }

    /** A resource whose own methods give results of several types, as a connection's do. */
    static final class Login implements AutoCloseable {
        String user() {
            return "alice";
        }

        int openCursors() {
            return 2;
        }

        @Override
        public void close() {
        }
    }

    static final ScopedResource<Login> LOGIN = ScopedResource.of("login", Login::new);

    @Test
    @DisplayName("use: the result goes straight into System.out.println (an overloaded method); this test must compile")
    void use_resultPassedToPrintln_compiles() {
        java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(printed, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            RequestScope.run(() -> {
                System.out.println(LOGIN.use(Login::user));                        // println(String)
                System.out.println(LOGIN.use(Login::openCursors));                 // println(Object): 2
                System.out.println(LOGIN.use((Login s) -> s.user() + "@db"));      // a typed lambda
                String user = LOGIN.use(s -> s.user().toUpperCase(java.util.Locale.ROOT));
                System.out.println(user);
            });
        } finally {
            System.setOut(stdout);
        }
        assertThat(printed.toString(java.nio.charset.StandardCharsets.UTF_8).lines())
                .containsExactly("alice", "2", "alice@db", "ALICE");
    }
}
