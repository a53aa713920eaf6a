/**
 * Context variables for Java: Python's {@code contextvars} (PEP 567) with its semantics and its
 * error model.
 *
 * <h2>The model</h2>
 * A {@link org.contextvars4j.ContextVar} is a key. Its value lives in a
 * {@link org.contextvars4j.Context}, an immutable-by-copy mapping from vars to values. Every
 * thread has a current context; {@code var.get()} reads it, {@code var.set(v)} changes it and
 * returns a {@link org.contextvars4j.Token} that undoes the change. Work that moves to another
 * thread takes a copy with it ({@link org.contextvars4j.Context#copyCurrent()}, O(1)) and runs in
 * it ({@link org.contextvars4j.Context#run}), so each unit of work sees its own values and never
 * another's.
 *
 * <h2>From Python to Java</h2>
 * <table class="striped">
 *   <caption>Python {@code contextvars} and its contextvars4j equivalent</caption>
 *   <thead><tr><th>Python</th><th>Java</th></tr></thead>
 *   <tbody>
 *   <tr><td>{@code var = ContextVar("name")}</td><td>{@code ContextVar<T> var = ContextVar.of("name")}</td></tr>
 *   <tr><td>{@code ContextVar("name", default=d)}</td><td>{@code ContextVar.of("name", d)}</td></tr>
 *   <tr><td>{@code var.get()}</td><td>{@code var.get()} (throws {@code NoSuchElementException} for Python's {@code LookupError})</td></tr>
 *   <tr><td>{@code var.get(fallback)}</td><td>{@code var.orElse(fallback)}</td></tr>
 *   <tr><td>{@code token = var.set(v)}; {@code var.reset(token)}</td><td>{@code Token<T> token = var.set(v)}; {@code var.reset(token)}</td></tr>
 *   <tr><td>{@code with var.set(v):} (3.14)</td><td>{@code try (Token<T> t = var.set(v)) { ... }}, or {@code var.runWith(v, () -> ...)}</td></tr>
 *   <tr><td>{@code Token.MISSING}, {@code token.old_value}, {@code token.var}</td><td>{@code Token.MISSING}, {@code token.oldValue()}, {@code token.var()}</td></tr>
 *   <tr><td>{@code copy_context()}</td><td>{@code Context.copyCurrent()}</td></tr>
 *   <tr><td>{@code Context()}</td><td>{@code new Context()}</td></tr>
 *   <tr><td>{@code ctx.run(f, *args)}</td><td>{@code ctx.run(() -> f(args))}, or {@code ctx.supply(() -> f(args))} for the result ({@code ctx.call} for a {@code Callable})</td></tr>
 *   <tr><td>a context built ahead, not entered</td><td>{@code new Context().with(var, v)}</td></tr>
 *   <tr><td>{@code ctx.copy()}</td><td>{@code ctx.copy()}</td></tr>
 *   <tr><td>{@code ctx[var]}, {@code ctx.get(var, d)}, {@code var in ctx}</td><td>{@code ctx.get(var)}, {@code ctx.getOrDefault(var, d)}, {@code ctx.containsKey(var)}</td></tr>
 *   <tr><td>{@code len(ctx)}, {@code ctx.keys()}, {@code ctx.values()}</td><td>{@code ctx.size()}, {@code ctx.keySet()}, {@code ctx.values()}</td></tr>
 *   <tr><td>{@code with ctx:} (context as a context manager)</td><td>{@code try (Scope s = ctx.enter()) { ... }}</td></tr>
 *   <tr><td>{@code RuntimeError} (token used, context entered)</td><td>{@code IllegalStateException}</td></tr>
 *   <tr><td>{@code ValueError} (token of another var or context)</td><td>{@code IllegalArgumentException}</td></tr>
 *   <tr><td>{@code Thread(target=f, context=ctx)} (3.14)</td><td>{@code ContextThreads.start(ctx, f)} (or {@code ContextThreads.unstarted(ctx, f)})</td></tr>
 *   <tr><td>{@code loop.run_in_executor(pool, f)}, {@code asyncio.create_task} (copy at creation)</td><td>{@code ContextExecutors.wrap(pool).submit(f)}, {@code context.wrap(f)}</td></tr>
 *   <tr><td>{@code future.add_done_callback(cb)} (runs in the registering context)</td><td>{@code ContextCompletableFuture}: every stage runs in its registration context</td></tr>
 *   <tr><td>{@code await asyncio.gather(a(), b())} (each child a task with its own copy)</td><td>{@code ContextCompletableFuture.supplyAsync(a, pool)} per child, joined with {@code ContextCompletableFuture.allOf(fa, fb)} or {@code fa.thenCombine(fb, ...)}: each child runs in a copy taken when it was started, and its sets stay in it</td></tr>
 *   <tr><td>{@code await asyncio.sleep(d)} (the task's context is unchanged after)</td><td>on a thread of your own, {@code Thread.sleep}: a thread keeps its context; without blocking, {@code ContextCompletableFuture.runAsync(next, ContextCompletableFuture.delayedExecutor(d, unit))}: {@code next} runs later in a copy of the context current at the call</td></tr>
 *   <tr><td>{@code async with cm:} (an async context manager that sets vars in {@code __aenter__})</td><td>around blocking code, try-with-resources: {@code try (Token<T> t = var.set(v))}, {@code try (Scope s = ctx.enter())}, {@code RequestScope.run/call}; across stages, set before registering them and end in a completion stage: {@code RequestScope scope = RequestScope.open(); ... future.whenComplete((r, e) -> scope.close())}</td></tr>
 *   <tr><td>{@code async with asyncio.timeout(d):}, {@code asyncio.wait_for(aw, d)}</td><td>{@code future.orTimeout(d, unit)} or {@code completeOnTimeout(v, d, unit)} on a {@code ContextCompletableFuture} (later stages still run in their registration context), or a blocking {@code future.get(d, unit)}; a timeout does not stop the work: {@code cancel(true)} the executor's {@code Future} to interrupt it</td></tr>
 *   <tr><td>coroutines ({@code async def}, {@code await})</td><td>Java has none; blocking code on a thread (virtual threads) keeps the context with no help, and the stages above cover callbacks. Kotlin coroutines get asyncio's task rule from the {@code contextvars4j-kotlin} module (docs/kotlin.md)</td></tr>
 *   </tbody>
 * </table>
 *
 * <h2>Propagation</h2>
 * New threads start with an empty context (P1). Work handed to another thread takes a copy of the
 * context with it only through the helpers: {@link org.contextvars4j.Context#wrap(Runnable)},
 * {@link org.contextvars4j.ContextExecutors} (capture at submission),
 * {@link org.contextvars4j.ContextThreads} (capture at thread creation, or a given context),
 * {@link org.contextvars4j.ContextCompletableFuture} (capture at stage registration). Foreign
 * thread-locals join in through {@link org.contextvars4j.ThreadLocalAccessor}, and
 * {@link org.contextvars4j.LeakDetection} reports pooled threads whose own context holds values
 * and tasks that leave a scope open.
 *
 * <h2 id="rules">The rules</h2>
 * The documentation of this package cites these rules by number, for example "(S7)". The same
 * list, with examples, is published as
 * <a href="https://github.com/contextvars4j/contextvars4j/blob/main/docs/semantics.md">docs/semantics.md</a>.
 * <dl>
 *   <dt>S1</dt><dd>Every thread has a current context; a thread that never entered one sees an
 *       empty context of its own.</dd>
 *   <dt>S2</dt><dd>{@code get()} returns the value in the current context, else the var's default,
 *       else throws {@code NoSuchElementException} naming the var; {@code orElse(fallback)}
 *       returns the value, else {@code fallback}.</dd>
 *   <dt>S3</dt><dd>{@code set} changes the current context only; copies taken earlier keep their
 *       values.</dd>
 *   <dt>S4</dt><dd>Copies ({@code copy}, {@code copyCurrent}, {@code with}) are O(1) and share
 *       structure.</dd>
 *   <dt>S5</dt><dd>{@code reset(token)} restores the value before the matching {@code set}; it is
 *       refused, changing nothing, for a used token, another var's token, or a token of another
 *       context. Tokens may be reset in any order, as in Python.</dd>
 *   <dt>S6</dt><dd>{@code run}, {@code call}, {@code supply} and {@code enter} make a context
 *       current for their extent and restore the previous one however the body ends.</dd>
 *   <dt>S7</dt><dd>A context is current on at most one thread and cannot be entered again while
 *       entered: {@code IllegalStateException}, and nothing runs.</dd>
 *   <dt>S8</dt><dd>Scopes close on their own thread, innermost first, once.</dd>
 *   <dt>S9</dt><dd>Null arguments that are not values throw {@code NullPointerException} naming
 *       the parameter; null values and defaults are legal.</dd>
 *   <dt>S10</dt><dd>Vars are identity keys: two vars with the same name are different vars.</dd>
 *   <dt>S11</dt><dd>Nothing is retained: contexts, values and vars become unreachable when the
 *       application drops them, also on pooled threads.</dd>
 *   <dt>P1</dt><dd>New threads start with an empty context.</dd>
 *   <dt>P2</dt><dd>Wrapped executors run each task in a copy of the context current at
 *       submission, and leave the worker as it was.</dd>
 *   <dt>P3</dt><dd>Wrapped thread factories capture at {@code newThread}; {@code ContextThreads.start}
 *       runs a task in a given context.</dd>
 *   <dt>P4</dt><dd>Each {@code ContextCompletableFuture} stage runs in the context current when it
 *       was registered.</dd>
 *   <dt>P5</dt><dd>Fork/join pools are covered through the wrappers and
 *       {@code ContextRecursiveTask}/{@code ContextRecursiveAction}; parallel streams are not, and
 *       have a documented alternative.</dd>
 *   <dt>P6</dt><dd>Registered foreign thread-locals travel with the context and are restored
 *       last-first.</dd>
 * </dl>
 *
 * <h2>Values are shared, not copied</h2>
 * A copy of a context holds the same value objects: a mutable value in a var is shared by every
 * copy and every task that inherited it. Keep values immutable and {@code set} a new one instead
 * of mutating the old.
 *
 * <h2>Null and errors</h2>
 * Null is a legal value. Null arguments that are not values (names, tokens, vars, contexts,
 * actions) throw {@link java.lang.NullPointerException} naming the parameter. Every refused call
 * throws the exception named in its {@code @throws} clause, with a message that names the var,
 * token or context at fault, and changes nothing.
 */
package org.contextvars4j;
