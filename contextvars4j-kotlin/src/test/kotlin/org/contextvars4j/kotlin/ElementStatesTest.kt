package org.contextvars4j.kotlin

import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import kotlin.coroutines.ContinuationInterceptor
import kotlin.coroutines.CoroutineContext
import kotlin.coroutines.EmptyCoroutineContext
import kotlinx.coroutines.CopyableThreadContextElement
import kotlinx.coroutines.DelicateCoroutinesApi
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.contextvars4j.Context
import org.contextvars4j.ContextVar
import org.contextvars4j.testsupport.ContextLeakGuard
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.DisplayName
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith

/**
 * The running element's two calls, driven directly as kotlinx drives them: a resumption and a
 * suspension on one thread, a nested resumption, a restore repeated, a restore on a thread the
 * coroutine left, and a scope held across a suspension (refused, S8). Each checks what the
 * calling thread sees afterwards; the leak guard checks every thread is left clean.
 */
@ExtendWith(ContextLeakGuard::class)
@OptIn(DelicateCoroutinesApi::class, ExperimentalCoroutinesApi::class)
class ElementStatesTest {

    private val request = ContextVar.of("request", "none")
    private val other = Executors.newSingleThreadExecutor { r -> Thread(r, "element-states-other") }

    @AfterEach
    fun shutDown() {
        other.submit { assertThat(ContextLeakGuard.isThreadClean()).isTrue() }.get(10, TimeUnit.SECONDS)
        other.shutdown()
        assertThat(other.awaitTermination(10, TimeUnit.SECONDS)).isTrue()
    }

    /** A running element as kotlinx makes one for a new coroutine: its own copy of [values]. */
    @Suppress("UNCHECKED_CAST")
    private fun runningElement(values: Context): CopyableThreadContextElement<Any?> =
        (values.asContextElement() as CopyableThreadContextElement<Any?>).copyForChild()

    /** What kotlinx calls when the coroutine resumes on this thread; returns the state to restore. */
    private fun CopyableThreadContextElement<Any?>.resume(): Any? = updateThreadContext(EmptyCoroutineContext)

    /** What kotlinx calls when the coroutine suspends on this thread. */
    private fun CopyableThreadContextElement<Any?>.suspend(state: Any?) = restoreThreadContext(EmptyCoroutineContext, state)

    @Test
    @DisplayName("S6: a resumption makes the coroutine's context current, its suspension brings the thread's own back; sets stay with the coroutine")
    fun updateRestore_threadContextBack_setsKept_S6() {
        val element = runningElement(Context().with(request, "r-1"))
        val thread = request.set("thread")
        try {
            val state = element.resume()
            assertThat(request.get()).isEqualTo("r-1")
            request.set("changed in the coroutine")
            element.suspend(state)
            assertThat(request.get()).isEqualTo("thread")
            val again = element.resume()
            assertThat(request.get()).isEqualTo("changed in the coroutine")
            element.suspend(again)
        } finally {
            request.reset(thread)
        }
    }

    @Test
    @DisplayName("a nested resumption on the thread already running the coroutine changes nothing, and its restore leaves nothing")
    fun nestedUpdate_changesNothing_itsRestoreLeavesNothing() {
        val element = runningElement(Context().with(request, "r-1"))
        val outer = element.resume()
        val nested = element.resume()
        request.set("set in the nested block")
        element.suspend(nested)
        assertThat(request.get()).describedAs("still the coroutine's context after the nested restore").isEqualTo("set in the nested block")
        element.suspend(outer)
        assertThat(request.get()).isEqualTo("none")
    }

    @Test
    @DisplayName("a restore repeated (kotlinx's UndispatchedCoroutine may restore a state twice) leaves whatever is current then")
    fun restoreRepeated_secondLeavesCurrentContextAlone() {
        val element = runningElement(Context().with(request, "r-1"))
        val state = element.resume()
        element.suspend(state)
        Context().with(request, "entered since").run {
            element.suspend(state)
            assertThat(request.get()).isEqualTo("entered since")
        }
        element.suspend(state)
        assertThat(request.get()).isEqualTo("none")
    }

    @Test
    @DisplayName("the unwinding race: resumed on another thread before this one restored; each thread gets its own context back")
    fun resumedElsewhereBeforeRestore_eachThreadRestoresItsOwn() {
        val element = runningElement(Context().with(request, "r-1"))
        val here = element.resume()
        val there = other.submit<String> {
            val theirs = request.set("their own")
            val state = element.resume()
            request.set("r-2")
            element.suspend(state)
            request.get().also { request.reset(theirs) }
        }.get(10, TimeUnit.SECONDS)
        assertThat(there).isEqualTo("their own")
        assertThat(request.get()).describedAs("the coroutine's context, as the other thread left it").isEqualTo("r-2")
        element.suspend(here)
        assertThat(request.get()).isEqualTo("none")
    }

    @Test
    @DisplayName("S8: a scope held open across a suspension is refused at the suspension, naming the thread; nothing changes until it is closed")
    fun scopeOpenAtSuspension_refused_S8() {
        val element = runningElement(Context().with(request, "r-1"))
        val state = element.resume()
        val scope = Context().with(request, "scope").enter()
        assertThatThrownBy { element.suspend(state) }
            .isInstanceOf(IllegalStateException::class.java)
            .hasMessage("cannot suspend coroutine: a scope opened in it is still open on thread "
                + Thread.currentThread().name + "; close scopes before suspending")
            .hasRootCauseMessage("cannot leave context: Context[size=1, vars=[request], not entered] has "
                + "Context[size=1, vars=[request], entered] entered on top of it on thread "
                + Thread.currentThread().name + ", still entered; exit it first")
        assertThat(request.get()).isEqualTo("scope")
        scope.close()
        assertThat(request.get()).isEqualTo("r-1")
        element.suspend(state)
        assertThat(request.get()).isEqualTo("none")
    }

    @Test
    @DisplayName("Context.asContextElement used without a copy (no kotlinx builder): each activation runs in a fresh copy, left at its restore")
    fun templateUsedDirectly_eachActivationInAFreshCopy() {
        val given = Context().with(request, "given")
        @Suppress("UNCHECKED_CAST")
        val element = given.asContextElement() as CopyableThreadContextElement<Any?>
        val state = element.resume()
        assertThat(request.get()).isEqualTo("given")
        request.set("changed")
        element.suspend(state)
        assertThat(request.get()).isEqualTo("none")
        assertThat(given.get(request)).isEqualTo("given")
        element.suspend(state)
        assertThat(request.get()).isEqualTo("none")
    }

    @Test
    @DisplayName("the element answers kotlinx's lookups by its key: get and minusKey, alone and combined")
    fun keyLookups_answeredByIdentity() {
        val element = Context().asContextElement()
        assertThat(element[ContextElement]).isSameAs(element)
        assertThat(element[ContinuationInterceptor]).isNull()
        assertThat(element.minusKey(ContextElement)).isSameAs(EmptyCoroutineContext)
        assertThat(element.minusKey(ContinuationInterceptor)).isSameAs(element)
        val combined: CoroutineContext = element + kotlinx.coroutines.Dispatchers.Unconfined
        assertThat(combined[ContextElement]).isSameAs(element)
        assertThat(combined.minusKey(ContextElement)).isSameAs(kotlinx.coroutines.Dispatchers.Unconfined)
    }

    @Test
    @DisplayName("an undispatched withContext started outside any dispatcher (kotlinx updates, restores and restores again) leaves the thread clean")
    fun undispatchedWithContext_outsideDispatcher_threadClean() {
        val seen = runBlocking(Context().with(request, "outer").asContextElement()) {
            // runBlocking's own event loop is a dispatcher; the element's withContext stays undispatched
            withContext(request.asContextElement("inner")) {
                yield()
                request.get()
            } + "/" + request.get()
        }
        assertThat(seen).isEqualTo("inner/outer")
        assertThat(request.get()).isEqualTo("none")
    }
}
