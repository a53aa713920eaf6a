/*
 * How a coroutine carries its Context
 * ===================================
 *
 * asyncio gives every task its own contextvars.Context: a copy of the creator's current context,
 * taken when the task is created, made current while the task runs and left when it awaits. This
 * file does the same for coroutines with a CopyableThreadContextElement, using the core's public
 * API and, at each activation, its switch hook (below).
 *
 * Three kinds of element share one key:
 *
 *   kind       made by                          a child of it starts in
 *   ---------  -------------------------------  -------------------------------------------------
 *   template   Context.asContextElement()       a copy of that Context, taken at the child's creation
 *   binding    ContextVar.asContextElement(v)   a copy of the launching thread's current context
 *                                               (or of the parent coroutine's), with the var set
 *   running    copyForChild / mergeForChild     a copy of the running coroutine's own Context
 *
 * kotlinx calls copyForChild for every new coroutine (launch, async, produce, runBlocking, the
 * producer of flowOn) and mergeForChild whenever one of our elements is added explicitly (also by
 * withContext); both return a *running* element, which owns a Context no one else can reach.
 * withContext(dispatcher) and coroutineScope keep the running element as it is: the block is part
 * of the same coroutine, so its sets stay visible afterwards, as after `await coro()` in Python.
 *
 * Activations. kotlinx calls updateThreadContext when the coroutine is resumed on a thread and
 * restoreThreadContext on the same thread when it suspends (or completes). The running element
 * makes its Context current there and the thread's own context current again there, through the
 * core's switch hook (org.contextvars4j.internal.Bridges.switchTo / switchBack, exported to this
 * module only): the thread's current-context slot is swapped, and the context it held is handed
 * to kotlinx as the state to restore, as OpenTelemetry's element hands over its Scope. The same
 * Context object is current on every thread the coroutine runs on, so a Token made before a
 * suspension resets after it, on any thread. The Context is not *entered* (no owner, no S7
 * claim): it is a copy only the element can reach (user code gets copies of it, never the
 * object), and kotlinx runs a coroutine on one thread at a time. A Context the user passed in
 * (Context.asContextElement) is never made current by the element: its coroutines run in copies
 * of it.
 *
 * Three facts of kotlinx shape the code:
 *
 * 1. The unwinding race. A coroutine that suspends on thread A can be resumed on thread B before
 *    A has finished unwinding to its restoreThreadContext: the resumer does not wait for A. For a
 *    moment the Context is current on both threads. A runs no user code in that moment (it is in
 *    kotlinx's own code between the state machine's return and the finally that restores), and
 *    its switch back reads only A's own slot and the state it was handed, never the Context's
 *    fields, which B may be changing. So nobody waits.
 *
 * 2. Nested activations on one thread. withContext(Dispatchers.Unconfined) and other undispatched
 *    resumptions run a block of the same coroutine inside the frame that is already running it:
 *    updateThreadContext comes again on the thread where the Context is current. switchTo then
 *    changes nothing and returns the Context itself, and a restore handed the Context itself
 *    leaves nothing.
 *
 * 3. Restores repeated. kotlinx may restore one state twice (UndispatchedCoroutine started outside
 *    a dispatcher updates, restores, and restores the same state again when it completes). A
 *    switch back finds the Context no longer current and changes nothing; only a context entered
 *    on top of it and left open (a scope held across a suspension) is refused there.
 *
 * Costs per round trip (restore + update): two lookups and two stores of the thread's
 * current-context slot (ThreadLocal get and set, as many as OpenTelemetry's element makes), no
 * atomic instruction, no allocation. The element answers kotlinx's lookups by key itself (get,
 * minusKey: an identity compare), which kotlinx makes several times per round trip on every
 * element of the coroutine context; the inherited answers compare keys with equals. The hook is
 * a qualified export: with the core on the module path and this jar on the class path it is out
 * of reach, so the element factories refuse that layout up front (checkLayout) rather than fail
 * at the first resumption. Creating a coroutine copies a Context (O(1)).
 */
package org.contextvars4j.kotlin

import kotlin.coroutines.AbstractCoroutineContextElement
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlinx.coroutines.CopyableThreadContextElement
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.withContext
import org.contextvars4j.Context
import org.contextvars4j.ContextVar
import org.contextvars4j.internal.Bridges

/**
 * A coroutine context element that gives a coroutine its own contextvars4j [Context], the way
 * asyncio gives each task its own `contextvars.Context`.
 *
 * ## What a coroutine sees
 * - A coroutine runs in its own Context: a copy, taken when the coroutine is created, of the
 *   context it was launched with. [ContextVar.get] inside it reads that Context; [ContextVar.set]
 *   changes it.
 * - Its sets stay visible to it across every suspension and dispatcher switch (`delay`, channel
 *   waits, `withContext(Dispatchers.IO)`, `coroutineScope`), on whatever thread it resumes.
 * - Every child (`launch`, `async`, `produce`, the producer of `flowOn`) starts in a copy of its
 *   parent's Context taken at the child's creation, as `asyncio.create_task` copies the current
 *   context. Later sets on either side are not seen on the other: a coroutine's sets never reach
 *   its parent, its siblings or other coroutines that share its threads.
 * - While the coroutine is suspended, each thread it ran on is back in its own context.
 *
 * ## Where the element comes from
 * Add one at the root, with [Context.asContextElement] or [ContextVar.asContextElement]:
 * ```
 * runBlocking(Context.copyCurrent().asContextElement()) { ... }    // the caller's context, as asyncio.run
 * scope.launch(REQUEST_ID.asContextElement("r-1")) { ... }          // the current context plus one var
 * withContextVar(USER, "alice") { ... }                             // the same inside a coroutine
 * ```
 * Every coroutine created below it then carries one. A coroutine without the element (none in its
 * context) simply reads the context of whatever thread it runs on: it is not isolated.
 *
 * ## Tokens and scopes
 * Token and Scope rules apply inside a coroutine as on a thread (S5, S8). The coroutine's Context is
 * the same object on every thread it resumes on, so a [org.contextvars4j.Token] made before a
 * suspension is reset after it, also on another thread; a token of another coroutine is refused
 * ("was created in a different Context"). A [org.contextvars4j.Scope] must be opened and closed with no suspension
 * in between: it belongs to the thread that opened it.
 *
 * Instances are immutable for their users and may be shared between coroutines and threads.
 *
 * @see asContextElement
 * @see withContextVar
 */
@OptIn(DelicateCoroutinesApi::class, ExperimentalCoroutinesApi::class)
public class ContextElement private constructor(
    /** The template (kind template), or the coroutine's own context (kind running); else null. */
    private val context: Context?,
    /** Kind binding: the variable set in the child's copy; else null. */
    private val variable: ContextVar<Any?>?,
    /** Kind binding: its value. */
    private val value: Any?,
    /** Whether this element belongs to one coroutine and [context] is that coroutine's own. */
    private val running: Boolean,
) : AbstractCoroutineContextElement(Key), CopyableThreadContextElement<Any?> {

    /** The key of [ContextElement] in a coroutine context: one element per coroutine. */
    public companion object Key : CoroutineContext.Key<ContextElement> {
        /**
         * Whether the core exports its activation hook to this class: false only when
         * contextvars4j-core is on the module path and this jar on the class path.
         */
        private val HOOK_REACHABLE = Context::class.java.module
            .isExported("org.contextvars4j.internal", ContextElement::class.java.module)

        internal fun template(context: Context) = ContextElement(checkLayout(context), null, null, false)

        internal fun binding(variable: ContextVar<Any?>, value: Any?) =
            ContextElement(null, checkLayout(variable), value, false)

        /** Refuses to make an element that could not enter its context at the first resumption. */
        private fun <T> checkLayout(argument: T): T {
            check(HOOK_REACHABLE) {
                "cannot use contextvars4j-kotlin: contextvars4j-core is on the module path and contextvars4j-kotlin " +
                    "is not; put both on the class path, or both on the module path"
            }
            return argument
        }

        private fun runningIn(context: Context) = ContextElement(context, null, null, true)
    }

    /**
     * Makes this coroutine's Context current on the calling thread; kotlinx calls it when the
     * coroutine resumes. Returns the state that [restoreThreadContext] needs: the context that was
     * current (or this coroutine's own, when it was current already: a nested resumption).
     */
    override fun updateThreadContext(context: CoroutineContext): Any? {
        if (!running) {
            return activateCopy()
        }
        return Bridges.switchTo(this.context!!)
    }

    /** Makes the thread's own context current again; kotlinx calls it at suspension. */
    override fun restoreThreadContext(context: CoroutineContext, oldState: Any?) {
        if (running) {
            val own = this.context!!
            if (oldState !== own) {
                leave(own, oldState as Context?)
            }
        } else if (oldState is CopyActivation) {
            leave(oldState.copy, oldState.before)
        }
    }

    /**
     * Makes a fresh copy current for one activation of an element used without a copy (only by
     * code that starts a coroutine without kotlinx's builders), so nothing is shared; returns it
     * with what it covered.
     */
    private fun activateCopy(): CopyActivation {
        val fresh = childContext()
        return CopyActivation(fresh, Bridges.switchTo(fresh))
    }

    /** One activation of [activateCopy]: the copy made current, and the context current before. */
    private class CopyActivation(val copy: Context, val before: Context?)

    /**
     * Makes [before] current again in place of [own]; refused while a scope opened on top of
     * [own] is open, and then nothing changes.
     */
    private fun leave(own: Context, before: Context?) {
        try {
            Bridges.switchBack(own, before)
        } catch (e: IllegalStateException) {
            throw IllegalStateException(
                "cannot suspend coroutine: a scope opened in it is still open on thread "
                    + Thread.currentThread().name + "; close scopes before suspending", e)
        }
    }

    /** Returns this element for its own key (an identity compare); see the header. */
    @Suppress("UNCHECKED_CAST")
    override fun <E : CoroutineContext.Element> get(key: CoroutineContext.Key<E>): E? =
        if (key === Key) this as E else null

    /** Returns the empty context for its own key, else this element; see the header. */
    override fun minusKey(key: CoroutineContext.Key<*>): CoroutineContext =
        if (key === Key) EmptyCoroutineContext else this

    /** Returns the element of a new coroutine: its own copy of the context a child starts in. */
    override fun copyForChild(): CopyableThreadContextElement<Any?> = runningIn(childContext())

    /**
     * Returns the element of a new coroutine or `withContext` block that was given [overwritingElement]
     * explicitly: a binding applies to a copy of this element's context, anything else is copied.
     */
    override fun mergeForChild(overwritingElement: CoroutineContext.Element): CoroutineContext {
        val added = overwritingElement as ContextElement
        val v = added.variable ?: return runningIn(added.childContext())
        return runningIn(baseContext().with(v, added.value))
    }

    /** Returns a new Context a child of this element starts in. */
    private fun childContext(): Context {
        val v = variable ?: return context!!.copy()
        return Context.copyCurrent().with(v, value)
    }

    /** Returns a Context whose contents a child starts from; not to be made current (may be this coroutine's own). */
    private fun baseContext(): Context = if (variable == null) context!! else childContext()

    /** Returns a description: the kind and the context, e.g. `ContextElement[running, Context[size=1, ...]]`. */
    override fun toString(): String = when {
        running -> "ContextElement[running, $context]"
        variable != null -> "ContextElement[${variable.name()}=<value>]"
        else -> "ContextElement[copy of $context]"
    }
}

/**
 * Returns an element under which a coroutine runs in its own copy of this Context, taken when the
 * coroutine is created: Python's `asyncio.create_task(coro, context=ctx.copy())`. Sets inside the
 * coroutine do not change this Context.
 * ```
 * runBlocking(Context.copyCurrent().asContextElement()) { ... }   // as asyncio.run(): the caller's context
 * ```
 *
 * @return the element
 */
public fun Context.asContextElement(): ContextElement = ContextElement.template(this)

/**
 * Returns an element under which a coroutine runs in a copy of the context current where it is
 * created (the parent coroutine's, or the launching thread's), with this variable set to [value].
 * ```
 * scope.launch(REQUEST_ID.asContextElement("r-1")) { handle() }   // handle() sees r-1
 * ```
 *
 * @param value the value; may be null
 * @return the element
 */
@Suppress("UNCHECKED_CAST")
public fun <T> ContextVar<T>.asContextElement(value: T): ContextElement =
    ContextElement.binding(this as ContextVar<Any?>, value)

/**
 * Runs [block] with [variable] set to [value] in a copy of the calling coroutine's context, and
 * returns its result. Sets inside the block are not seen after it: Python's
 * `copy_context().run(...)` for a suspending block.
 * ```
 * withContextVar(USER, "alice") { audit() }                       // audit() sees alice
 * ```
 *
 * @param variable the variable
 * @param value its value in the block; may be null
 * @param block what to run
 * @return what [block] returns
 */
public suspend fun <T, R> withContextVar(variable: ContextVar<T>, value: T, block: suspend CoroutineScope.() -> R): R =
    withContext(variable.asContextElement(value), block)
