package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The refusal matrix: every wrong call of S5, S7, S8 and S9 gets its exception, a message that
 * names the var, token, context or parameter at fault, and changes nothing (SPEC section 7).
 * "Changes nothing" is checked as: the values of the involved contexts, the current context, the
 * entered state of the contexts and the state of the token or scope are as before, and a token or
 * scope that was refused for the wrong caller still works for the right one.
 */
@ExtendWith(ContextLeakGuard.class)
class RefusalTest {

    private static final ContextVar<String> C = ContextVar.of("c");
    private static final ContextVar<String> OTHER = ContextVar.of("other");

    /** What a refusal must not change: the current context and its contents. */
    private record State(Context current, List<Object> values, boolean entered) {
        static State now() {
            Context c = Storage.currentOrNull();
            return new State(c, c == null ? List.of() : List.copyOf(Arrays.asList(c.values().toArray())),
                    c != null && c.isEntered());
        }
    }

    private static void assertUnchanged(State before) {
        State after = State.now();
        assertThat(after.current()).as("current context").isSameAs(before.current());
        assertThat(after.values()).as("values of the current context").isEqualTo(before.values());
        assertThat(after.entered()).as("entered state of the current context").isEqualTo(before.entered());
    }

    @Nested
    @DisplayName("S5: reset refusals")
    class ResetRefusals {

        @Test
        void reset_usedToken_throwsAlreadyUsed_S5() {
            new Context().run(() -> {
                Token<String> t = C.set("a");
                C.reset(t);
                Token<String> t2 = C.set("b");
                State before = State.now();
                assertThatThrownBy(() -> C.reset(t)).isInstanceOf(IllegalStateException.class)
                        .hasMessage("Token[c, used] has already been used once");
                assertUnchanged(before);
                assertThat(C.get()).isEqualTo("b");
                assertThat(t.isUsed()).isTrue();
                assertThat(t2.isUsed()).isFalse();
                C.reset(t2);                                   // the unused token still works
                assertThat(C.orElse(null)).isNull();
            });
        }

        @Test
        void tokenClose_twice_throwsAlreadyUsedAndKeepsValue_S5() {
            new Context().run(() -> {
                Token<String> outer = C.set("outer");
                Token<String> t = C.set("inner");
                t.close();
                assertThat(C.get()).isEqualTo("outer");
                State before = State.now();
                assertThatThrownBy(t::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("Token[c, used]").hasMessageContaining("has already been used once");
                assertUnchanged(before);
                assertThat(C.get()).isEqualTo("outer");
                outer.close();
            });
        }

        @Test
        void reset_otherVarsToken_throwsDifferentContextVarAndTokenStillUsable_S5() {
            new Context().run(() -> {
                Token<String> t = C.set("a");
                Token<String> o = OTHER.set("x");
                State before = State.now();
                assertThatThrownBy(() -> OTHER.reset(t)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("Token[c, unused] was created by a different ContextVar")
                        .hasMessageContaining("ContextVar[other");
                assertUnchanged(before);
                assertThat(t.isUsed()).isFalse();
                assertThat(C.get()).isEqualTo("a");
                assertThat(OTHER.get()).isEqualTo("x");
                C.reset(t);                                    // still usable by its own var
                OTHER.reset(o);
                assertThat(Context.copyCurrent().isEmpty()).isTrue();
            });
        }

        @Test
        void reset_tokenFromAnotherContext_throwsDifferentContextAndTokenStillUsableThere_S5() throws Exception {
            Context home = new Context();
            Token<String> t = home.call(() -> C.set("home"));
            Context elsewhere = home.copy();
            elsewhere.run(() -> {
                State before = State.now();
                assertThatThrownBy(() -> C.reset(t)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("Token[c, unused] was created in a different Context (" + home
                                + ", not entered on any thread)");
                assertThatThrownBy(t::close).isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("Token[c, unused] was created in a different Context (" + home
                                + ", not entered on any thread)");
                assertUnchanged(before);
                assertThat(C.get()).isEqualTo("home");         // the copy keeps its value
            });
            // On the test thread's own context, too (a thread that may never have had one).
            State before = State.now();
            assertThatThrownBy(() -> C.reset(t)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("was created in a different Context");
            assertUnchanged(before);
            assertThat(t.isUsed()).isFalse();
            assertThat(home.get(C)).isEqualTo("home");
            home.run(() -> C.reset(t));                        // usable in its own context
            assertThat(home.containsKey(C)).isFalse();
            assertThat(elsewhere.get(C)).isEqualTo("home");
        }

        @Test
        void reset_tokenFromAnotherThreadsContext_throwsDifferentContext_S5() throws Exception {
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Token<String> foreign = pool.submit(() -> new Context().call(() -> C.set("theirs"))).get(10, TimeUnit.SECONDS);
                new Context().run(() -> {
                    Token<String> mine = C.set("mine");
                    State before = State.now();
                    assertThatThrownBy(() -> C.reset(foreign)).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("Token[c, unused]").hasMessageContaining("was created in a different Context");
                    assertUnchanged(before);
                    assertThat(C.get()).isEqualTo("mine");
                    C.reset(mine);
                });
                ContextLeakGuard.assertPoolClean(pool, 1);
            } finally {
                pool.shutdown();
            }
        }

        @Test
        @DisplayName("S5: a used token of another var is refused as used first (CPython's check order)")
        void reset_usedTokenOfOtherVar_usedCheckedFirst_S5() {
            new Context().run(() -> {
                Token<String> t = C.set("a");
                C.reset(t);
                assertThatThrownBy(() -> OTHER.reset(t)).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("has already been used once");
            });
        }
    }

    @Nested
    @DisplayName("S7: entering an entered context")
    class EnterRefusals {

        /** The three ways in; each must refuse without running anything. */
        private List<Map.Entry<String, ThrowingCallable>> waysIn(Context ctx, AtomicBoolean bodyRan) {
            return List.of(
                    Map.entry("run", () -> ctx.run(() -> bodyRan.set(true))),
                    Map.entry("call", () -> ctx.call(() -> bodyRan.getAndSet(true))),
                    Map.entry("enter", () -> {
                        Scope s = ctx.enter();
                        bodyRan.set(true);
                        s.close();
                    }));
        }

        @Test
        void runCallEnter_enteredOnSameThread_refusedBodyNotRun_S7() {
            Context ctx = new Context();
            ctx.run(() -> {
                C.set("inside");
                AtomicBoolean bodyRan = new AtomicBoolean();
                for (Map.Entry<String, ThrowingCallable> way : waysIn(ctx, bodyRan)) {
                    State before = State.now();
                    String description = ctx.toString();
                    assertThatThrownBy(way.getValue()).as(way.getKey()).isInstanceOf(IllegalStateException.class)
                            .hasMessage("cannot enter context: " + description + " is already entered on this thread");
                    assertUnchanged(before);
                    assertThat(ctx.isEntered()).isTrue();
                }
                assertThat(bodyRan).isFalse();
                assertThat(C.get()).isEqualTo("inside");
            });
            assertThat(ctx.isEntered()).isFalse();
        }

        @Test
        void runCallEnter_scopeOpenOnSameThread_refused_S7() {
            Context ctx = new Context();
            AtomicBoolean bodyRan = new AtomicBoolean();
            try (Scope scope = ctx.enter()) {
                for (Map.Entry<String, ThrowingCallable> way : waysIn(ctx, bodyRan)) {
                    State before = State.now();
                    assertThatThrownBy(way.getValue()).as(way.getKey()).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("Context[").hasMessageContaining("is already entered");
                    assertUnchanged(before);
                    assertThat(scope.isClosed()).isFalse();
                }
            }
            assertThat(bodyRan).isFalse();
        }

        @Test
        void runCallEnter_enteredOnAnotherThread_refusedBodyNotRun_S7() throws Exception {
            Context ctx = new Context();
            ctx.run(() -> C.set("held"));
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService holder = Executors.newSingleThreadExecutor();
            try {
                Future<String> held = holder.submit(() -> ctx.call(() -> {
                    entered.countDown();
                    assertThat(release.await(20, TimeUnit.SECONDS)).isTrue();
                    return C.get();
                }));
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                AtomicBoolean bodyRan = new AtomicBoolean();
                for (Map.Entry<String, ThrowingCallable> way : waysIn(ctx, bodyRan)) {
                    State before = State.now();
                    String description = ctx.toString();
                    assertThatThrownBy(way.getValue()).as(way.getKey()).isInstanceOf(IllegalStateException.class)
                            .hasMessage("cannot enter context: " + description + " is already entered");
                    assertUnchanged(before);
                    assertThat(ctx.isEntered()).isTrue();
                }
                assertThat(bodyRan).isFalse();
                release.countDown();
                assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("held");
                assertThat(ctx.isEntered()).isFalse();
                ContextLeakGuard.assertPoolClean(holder, 1);
            } finally {
                release.countDown();
                holder.shutdown();
            }
        }
    }

    @Nested
    @DisplayName("S5: reset on another thread names the thread")
    class ResetOnAnotherThread {

        @Test
        @DisplayName("S5: closing on another thread a token of a thread's base context names that thread, not 'no thread'")
        void close_tokenOfAnotherThreadsBaseContext_messageNamesThatThread_S5() throws Exception {
            CountDownLatch set = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Token<String>> token = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread maker = new Thread(() -> {
                token.add(C.set("made"));                      // the thread's base context: never entered
                set.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                token.get(0).close();
            }, "token-maker");
            maker.start();
            try {
                assertThat(set.await(10, TimeUnit.SECONDS)).isTrue();
                State before = State.now();
                assertThatThrownBy(() -> token.get(0).close()).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("Token[c, unused] was created in a different Context (Context[")
                        .hasMessageEndingWith(", the base context of thread token-maker)");
                assertUnchanged(before);
                assertThat(token.get(0).isUsed()).isFalse();
            } finally {
                release.countDown();
                maker.join(10_000);
            }
            assertThat(token.get(0).isUsed()).isTrue();
        }

        @Test
        void reset_tokenWhoseContextIsEnteredElsewhere_messageNamesThatThread_S5() throws Exception {
            Context home = new Context();
            CountDownLatch set = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            List<Token<String>> token = new java.util.concurrent.CopyOnWriteArrayList<>();
            Thread holder = new Thread(() -> home.run(() -> {
                token.add(C.set("held"));
                set.countDown();
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                C.reset(token.get(0));
            }), "token-holder");
            holder.start();
            try {
                assertThat(set.await(10, TimeUnit.SECONDS)).isTrue();
                State before = State.now();
                assertThatThrownBy(() -> C.reset(token.get(0))).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageStartingWith("Token[c, unused] was created in a different Context (Context[")
                        .hasMessageEndingWith(", entered on thread token-holder)");
                assertUnchanged(before);
                assertThat(token.get(0).isUsed()).isFalse();
            } finally {
                release.countDown();
                holder.join(10_000);
            }
            assertThat(token.get(0).isUsed()).isTrue();
            assertThat(home.containsKey(C)).isFalse();
        }
    }

    @Nested
    @DisplayName("S7: starting a thread in an entered context")
    class StartRefusals {

        @Test
        void start_contextEnteredOnCaller_refusedInCallerThreadNotStarted_S7() {
            Context ctx = new Context();
            AtomicBoolean taskRan = new AtomicBoolean();
            ctx.run(() -> {
                C.set("inside");
                State before = State.now();
                String description = ctx.toString();
                int threadsBefore = Thread.activeCount();
                assertThatThrownBy(() -> ContextThreads.start(ctx, () -> taskRan.set(true)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("cannot start thread: " + description + " is already entered on thread "
                                + Thread.currentThread().getName());
                assertUnchanged(before);
                assertThat(Thread.activeCount()).isLessThanOrEqualTo(threadsBefore);
                assertThat(ctx.isEntered()).isTrue();
                assertThat(C.get()).isEqualTo("inside");
            });
            assertThat(taskRan).isFalse();
            assertThat(ctx.get(C)).isEqualTo("inside");
        }

        @Test
        void start_contextEnteredOnAnotherThread_refused_S7() throws Exception {
            Context ctx = new Context();
            CountDownLatch entered = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            ExecutorService holder = Executors.newSingleThreadExecutor();
            try {
                Future<?> held = holder.submit(() -> ctx.call(() -> {
                    entered.countDown();
                    return release.await(20, TimeUnit.SECONDS);
                }));
                assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
                AtomicBoolean taskRan = new AtomicBoolean();
                assertThatThrownBy(() -> ContextThreads.start(ctx, () -> taskRan.set(true)))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessageStartingWith("cannot start thread: Context[")
                        .hasMessageContaining("is already entered on thread pool-");
                release.countDown();
                held.get(10, TimeUnit.SECONDS);
                assertThat(taskRan).isFalse();
                ContextLeakGuard.assertPoolClean(holder, 1);
            } finally {
                release.countDown();
                holder.shutdown();
            }
        }
    }

    @Nested
    @DisplayName("S8: Scope.close refusals")
    class ScopeRefusals {

        @Test
        void scopeClose_onAnotherThread_refusedNamesBothThreads_S8() throws Exception {
            Context ctx = new Context();
            Scope scope = ctx.enter();
            try {
                C.set("in scope");
                String owner = Thread.currentThread().getName();
                ExecutorService other = Executors.newSingleThreadExecutor();
                try {
                    Future<Throwable> refused = other.submit(() -> {
                        State before = State.now();
                        try {
                            scope.close();
                            return null;
                        } catch (IllegalStateException e) {
                            assertUnchanged(before);
                            ContextLeakGuard.assertThreadClean("thread that tried to close");
                            return e;
                        }
                    });
                    Throwable e = refused.get(10, TimeUnit.SECONDS);
                    assertThat(e).isInstanceOf(IllegalStateException.class)
                            .hasMessageContaining("cannot exit context: Scope[Context[size=1, vars=[c], entered]")
                            .hasMessageContaining("was entered on thread " + owner);
                    assertThat(e.getMessage()).doesNotContain("on thread " + owner + ", not on thread " + owner);
                    ContextLeakGuard.assertPoolClean(other, 1);
                } finally {
                    other.shutdown();
                }
                assertThat(scope.isClosed()).isFalse();
                assertThat(ctx.isEntered()).isTrue();
                assertThat(Storage.currentOrNull()).isSameAs(ctx);
                assertThat(C.get()).isEqualTo("in scope");
            } finally {
                scope.close();                                 // the owner still can
            }
            assertThat(ctx.isEntered()).isFalse();
        }

        @Test
        void scopeClose_outOfLifoOrder_refusedBothStayEntered_S8() {
            Context outerCtx = new Context();
            Context innerCtx = new Context();
            Scope outer = outerCtx.enter();
            Scope inner = innerCtx.enter();
            try {
                State before = State.now();
                assertThatThrownBy(outer::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("cannot exit context: " + outer)
                        .hasMessageContaining("is not the current context");
                assertUnchanged(before);
                assertThat(Storage.currentOrNull()).isSameAs(innerCtx);
                assertThat(outer.isClosed()).isFalse();
                assertThat(outerCtx.isEntered()).isTrue();
                assertThat(innerCtx.isEntered()).isTrue();
            } finally {
                inner.close();
                outer.close();                                 // now in order: accepted
            }
            assertThat(outerCtx.isEntered() || innerCtx.isEntered()).isFalse();
        }

        @Test
        void scopeClose_twice_refusedNothingChanged_S8() {
            Context ctx = new Context();
            Scope scope = ctx.enter();
            scope.close();
            Context again = new Context();
            try (Scope s2 = again.enter()) {
                State before = State.now();
                assertThatThrownBy(scope::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("cannot exit context: " + scope).hasMessageContaining("is already closed");
                assertUnchanged(before);
                assertThat(Storage.currentOrNull()).isSameAs(again);
            }
            // Closing an old scope of a context that is entered again does not exit the new entry.
            try (Scope s3 = ctx.enter()) {
                assertThatThrownBy(scope::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("is already closed");
                assertThat(ctx.isEntered()).isTrue();
                assertThat(Storage.currentOrNull()).isSameAs(ctx);
            }
        }
    }

    @Nested
    @DisplayName("S8: a scope whose context was exited by force")
    class ForcedExitRefusals {

        @Test
        void scopeClose_afterForcedExitAndReEntry_refusedNewEntryUntouched_S8() {
            Context outer = new Context();
            Context inner = new Context();
            Scope[] leaked = new Scope[1];
            assertThatThrownBy(() -> outer.run(() -> leaked[0] = inner.enter()))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("exited by force");
            assertThat(inner.isEntered()).isFalse();
            try (Scope again = inner.enter()) {
                State before = State.now();
                assertThatThrownBy(leaked[0]::close).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("cannot exit context: " + leaked[0]);
                assertUnchanged(before);
                assertThat(Storage.currentOrNull()).isSameAs(inner);
                assertThat(again.isClosed()).isFalse();
            }
            assertThat(inner.isEntered()).isFalse();
            assertThatThrownBy(leaked[0]::close).isInstanceOf(IllegalStateException.class);
        }
    }

    @Nested
    @DisplayName("S9: null arguments")
    class NullArguments {

        /**
         * Every public method and constructor of the API with a reference parameter, and what a
         * null there must do: the parameter name for an NPE, or "value" where null is legal.
         */
        static Map<String, ThrowingCallable> nullCalls() {
            ContextVar<String> var = ContextVar.of("v");
            Context ctx = new Context();
            Map<String, ThrowingCallable> calls = new LinkedHashMap<>();
            calls.put("ContextVar.of(String) name", () -> ContextVar.of(null));
            calls.put("ContextVar.of(String,Object) name", () -> ContextVar.of(null, "d"));
            calls.put("ContextVar.reset(Token) token", () -> var.reset(null));
            calls.put("Context.get(ContextVar) var", () -> ctx.get(null));
            calls.put("Context.getOrDefault(ContextVar,Object) var", () -> ctx.getOrDefault(null, "x"));
            calls.put("Context.containsKey(ContextVar) var", () -> ctx.containsKey(null));
            calls.put("Context.run(Runnable) action", () -> ctx.run(null));
            calls.put("Context.call(Callable) action", () -> ctx.call(null));
            calls.put("Context.wrap(Runnable) task", () -> ctx.wrap((Runnable) null));
            calls.put("Context.wrap(Callable) task", () -> ctx.wrap((Callable<?>) null));
            calls.put("Context.supply(Supplier) action", () -> ctx.supply(null));
            calls.put("Context.wrapSupplier(Supplier) task", () -> ctx.wrapSupplier(null));
            calls.put("Context.with(ContextVar,Object) var", () -> ctx.with(null, "x"));
            calls.put("ContextVar.runWith(Object,Runnable) action", () -> var.runWith("x", null));
            calls.put("ContextVar.supplyWith(Object,Supplier) action", () -> var.supplyWith("x", null));
            // the propagation entry points (P2, P3, P5, P6)
            ScheduledExecutorService pool = Executors.newSingleThreadScheduledExecutor();
            pool.shutdown();
            calls.put("ContextExecutors.wrap(Executor) executor", () -> ContextExecutors.wrap((Executor) null));
            calls.put("ContextExecutors.wrap(Executor,Context) executor", () -> ContextExecutors.wrap((Executor) null, ctx));
            calls.put("ContextExecutors.wrap(Executor,Context) context", () -> ContextExecutors.wrap((Executor) pool, null));
            calls.put("ContextExecutors.wrap(ExecutorService) executor", () -> ContextExecutors.wrap((ExecutorService) null));
            calls.put("ContextExecutors.wrap(ExecutorService,Context) executor",
                    () -> ContextExecutors.wrap((ExecutorService) null, ctx));
            calls.put("ContextExecutors.wrap(ExecutorService,Context) context",
                    () -> ContextExecutors.wrap((ExecutorService) pool, null));
            calls.put("ContextExecutors.wrap(ScheduledExecutorService) executor",
                    () -> ContextExecutors.wrap((ScheduledExecutorService) null));
            calls.put("ContextExecutors.wrap(ScheduledExecutorService,Context) executor",
                    () -> ContextExecutors.wrap((ScheduledExecutorService) null, ctx));
            calls.put("ContextExecutors.wrap(ScheduledExecutorService,Context) context",
                    () -> ContextExecutors.wrap(pool, null));
            calls.put("ContextExecutors.wrap(ForkJoinPool) pool", () -> ContextExecutors.wrap((ForkJoinPool) null));
            calls.put("ContextThreads.wrap(ThreadFactory) factory", () -> ContextThreads.wrap(null));
            calls.put("ContextThreads.start(Context,Runnable) context", () -> ContextThreads.start(null, () -> { }));
            calls.put("ContextThreads.start(Context,Runnable) task", () -> ContextThreads.start(ctx, null));
            calls.put("ContextThreads.unstarted(Context,Runnable) context", () -> ContextThreads.unstarted(null, () -> { }));
            calls.put("ContextThreads.unstarted(Context,Runnable) task", () -> ContextThreads.unstarted(ctx, null));
            calls.put("LeakDetection.reportCount(Kind) kind", () -> LeakDetection.reportCount(null));
            calls.put("ThreadLocalAccessors.register(ThreadLocalAccessor) accessor", () -> ThreadLocalAccessors.register(null));
            calls.put("ThreadLocalAccessors.unregister(ThreadLocalAccessor) accessor",
                    () -> ThreadLocalAccessors.unregister(null));
            return calls;
        }

        /** Parameters where null is a value, not a missing argument (S9). */
        static final List<String> VALUE_PARAMETERS = List.of(
                "ContextVar.of(String,Object) defaultValue", "ContextVar.orElse(Object) fallback",
                "ContextVar.set(Object) value", "ContextVar.runWith(Object,Runnable) value",
                "ContextVar.supplyWith(Object,Supplier) value", "Context.with(ContextVar,Object) value",
                "Context.getOrDefault(ContextVar,Object) fallback",
                "LeakDetection.setListener(Listener) listener");

        static Stream<String> nullCallNames() {
            return nullCalls().keySet().stream();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("nullCallNames")
        void anyMethod_nullArgument_throwsNpeNamingParameter_S9(String call) {
            String parameter = call.substring(call.lastIndexOf(' ') + 1);
            State before = State.now();
            assertThatThrownBy(nullCalls().get(call)).isInstanceOf(NullPointerException.class).hasMessage(parameter);
            assertUnchanged(before);
        }

        @Test
        @DisplayName("S9: the null table covers every reference parameter of the public API")
        void publicApi_everyReferenceParameter_inNullTableOrAValue_S9() {
            TreeSet<String> declared = new TreeSet<>();
            for (Class<?> type : List.of(ContextVar.class, Token.class, Context.class, Scope.class,
                    ContextExecutors.class, ContextThreads.class, ThreadLocalAccessors.class, LeakDetection.class)) {
                for (Executable e : Stream.concat(Arrays.stream(type.getDeclaredMethods()),
                        Arrays.stream(type.getDeclaredConstructors())).collect(Collectors.toList())) {
                    if (!Modifier.isPublic(e.getModifiers()) || e.isSynthetic()) {
                        continue;
                    }
                    long references = Arrays.stream(e.getParameterTypes()).filter(p -> !p.isPrimitive()).count();
                    if (references > 0) {
                        declared.add(type.getSimpleName() + "." + (e instanceof Constructor<?> ? "<init>" : e.getName())
                                + Arrays.stream(e.getParameterTypes()).map(Class::getSimpleName)
                                        .collect(Collectors.joining(",", "(", ")")));
                    }
                }
            }
            TreeSet<String> covered = new TreeSet<>();
            for (String name : nullCalls().keySet()) {
                covered.add(name.substring(0, name.lastIndexOf(' ')));
            }
            for (String name : VALUE_PARAMETERS) {
                covered.add(name.substring(0, name.lastIndexOf(' ')));
            }
            assertThat(covered).as("a public method gained a reference parameter: add it to the null table")
                    .containsAll(declared);
        }

        @Test
        void nullValues_everywhereAValueGoes_legal_S9() throws Exception {
            ContextVar<String> nullDefault = ContextVar.of("nd", null);
            assertThat(nullDefault.hasDefault()).isTrue();
            assertThat(nullDefault.get()).isNull();
            assertThat(nullDefault).hasToString("ContextVar[nd#" + nullDefault.id + ", default=null]");
            Context ctx = new Context();
            ctx.run(() -> {
                Token<String> t = C.set(null);
                assertThat(C.get()).isNull();
                assertThat(C.orElse("fallback")).isNull();
                assertThat(C.orElse(null)).isNull();
                assertThat(ctx.containsKey(C)).isTrue();
                assertThat(ctx.getOrDefault(C, "fallback")).isNull();
                assertThat(ctx.values()).containsExactly((Object) null);
                Token<String> t2 = C.set("x");
                assertThat(t2.oldValue()).isNull();
                C.reset(t2);
                assertThat(ctx.containsKey(C)).isTrue();
                assertThat(C.get()).isNull();
                C.reset(t);
                assertThat(ctx.containsKey(C)).isFalse();
                assertThat(ctx.getOrDefault(C, null)).isNull();
            });
            Object result = ctx.call(() -> null);
            assertThat(result).isNull();
            Callable<String> nullResult = () -> C.orElse(null);
            assertThat(ctx.call(nullResult)).isNull();
            assertThat(C.equals(null)).isFalse();
        }
    }
}
