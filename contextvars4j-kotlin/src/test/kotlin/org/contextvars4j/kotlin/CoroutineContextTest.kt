package org.contextvars4j.kotlin

import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.CoroutineExceptionHandler
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.ExperimentalCoroutinesApi
import kotlinx.coroutines.Job
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.SupervisorJob
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancelAndJoin
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.produce
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.flowOn
import kotlinx.coroutines.flow.map
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.supervisorScope
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.contextvars4j.Context
import org.contextvars4j.ContextVar
import org.contextvars4j.Token
import org.contextvars4j.testsupport.ContextLeakGuard
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.DisplayName
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith

/**
 * The element's contract, rule by rule: what a coroutine, its children and its threads see; the
 * coroutine builders and scopes; Flow; and the token and scope refusals (S5, S7, S8) inside
 * coroutines. Coroutines run on [CheckedThreads.hopping] unless a test needs kotlinx's own
 * dispatchers, so that every resumption changes thread and every thread is proven clean.
 */
@ExtendWith(ContextLeakGuard::class)
@OptIn(ExperimentalCoroutinesApi::class)
class CoroutineContextTest {

    private val threads = CheckedThreads.hopping("semantics")
    private val hop = threads.dispatcher
    private val other = CheckedThreads.hopping("other")

    private val request = ContextVar.of<String>("request")
    private val step = ContextVar.of("step", "none")

    @AfterEach
    fun threadsClean() {
        threads.close()
        other.close()
        threads.assertClean()
    }

    private fun <T> run(block: suspend CoroutineScope.() -> T): T =
        runBlocking(hop + Context.copyCurrent().asContextElement(), block)

    @Test
    @DisplayName("a set stays visible to its coroutine across delay, yield, channel waits and dispatcher switches")
    fun set_acrossSuspensionsAndDispatchers_visible() {
        val seen = run {
            request.set("r-1")
            val channel = Channel<Int>()
            launch { delay(5); channel.send(1) }
            val seen = mutableListOf<String>()
            delay(5); seen += request.get()
            yield(); seen += request.get()
            channel.receive(); seen += request.get()
            withContext(Dispatchers.IO) { seen += request.get(); step.set("io") }
            withContext(Dispatchers.Default) { seen += request.get() + "/" + step.get() }
            withContext(other.dispatcher) { delay(1); seen += request.get() }
            seen += step.get()
            seen
        }
        assertThat(seen).containsExactly("r-1", "r-1", "r-1", "r-1", "r-1/io", "r-1", "io")
    }

    @Test
    @DisplayName("a child starts in a copy taken at its creation: later sets on either side stay on their side")
    fun child_copyAtCreation_setsNotSharedEitherWay() {
        val seen = run {
            request.set("parent")
            val gate = CompletableDeferred<Unit>()
            val child = async {
                gate.await()
                val before = request.get()            // the parent's later set is not seen
                request.set("child")
                before
            }
            request.set("parent-later")
            gate.complete(Unit)
            val childSaw = child.await()
            listOf(childSaw, request.get())          // the child's set is not seen
        }
        assertThat(seen).containsExactly("parent", "parent-later")
    }

    @Test
    @DisplayName("siblings never see each other's sets, whatever the interleaving")
    fun siblings_interleavedSets_isolated() {
        val seen = run {
            (1..20).map { i ->
                async {
                    request.set("s-$i")
                    repeat(5) { delay(1); yield() }
                    request.get()
                }
            }.map { it.await() }
        }
        assertThat(seen).containsExactlyElementsOf((1..20).map { "s-$it" })
    }

    @Test
    @DisplayName("withContextVar and ContextVar.asContextElement: the block sees the value, the caller keeps its own")
    fun withContextVar_blockSetsAndValue_notSeenAfter() {
        val seen = run {
            request.set("outer")
            val inner = withContextVar(step, "inner") {
                delay(1)
                request.set("changed-inside")
                step.get()
            }
            val launched = async(step.asContextElement("launched")) { step.get() + "/" + request.get() }.await()
            listOf(inner, request.get(), step.get(), launched)
        }
        assertThat(seen).containsExactly("inner", "outer", "none", "launched/outer")
    }

    @Test
    @DisplayName("Context.asContextElement: the coroutine runs in a copy; the given Context is not changed")
    fun contextAsElement_setsInside_givenContextUnchanged() {
        val given = Context().with(request, "given")
        val seen = runBlocking(hop + given.asContextElement()) {
            delay(1)
            request.set("changed")
            request.get()
        }
        assertThat(seen).isEqualTo("changed")
        assertThat(given.get(request)).isEqualTo("given")
        assertThat(given.isEntered()).isFalse()
    }

    @Test
    @DisplayName("a coroutine launched from a plain thread with Context.copyCurrent() inherits that thread's context")
    fun plainThreadLaunch_copyCurrent_inheritsThreadContext() {
        val token = request.set("from-thread")
        try {
            val job = Job()
            val scope = CoroutineScope(hop + job + Context.copyCurrent().asContextElement())
            val seen = CompletableDeferred<String>()
            scope.launch { delay(1); request.set("in-coroutine"); seen.complete(request.get()) }
            assertThat(runBlocking { seen.await() }).isEqualTo("in-coroutine")
            assertThat(request.get()).isEqualTo("from-thread")
            job.cancel()
        } finally {
            request.reset(token)
        }
    }

    @Test
    @DisplayName("without an element a coroutine reads the thread it runs on (documented: not isolated)")
    fun noElement_readsThreadContext() {
        val token = request.set("thread")
        try {
            assertThat(runBlocking { request.get() }).isEqualTo("thread")
            assertThat(runBlocking(hop) { request.orElse("none") }).isEqualTo("none")
        } finally {
            request.reset(token)
        }
    }

    @Test
    @DisplayName("runBlocking nested in a coroutine's thread starts from the coroutine's context in a copy")
    fun runBlocking_nestedWithCoroutineContext_copy() {
        val seen = run {
            request.set("outer")
            val ctx = coroutineContext
            withContext(Dispatchers.IO) {
                runBlocking(ctx.minusKey(kotlin.coroutines.ContinuationInterceptor)) {
                    val before = request.get()
                    request.set("inner")
                    before
                }
            } + "/" + request.get()
        }
        assertThat(seen).isEqualTo("outer/outer")
    }

    @Test
    @DisplayName("coroutineScope is part of its coroutine (sets seen after it); supervisorScope children stay isolated")
    fun scopes_setsAndFailures_asDocumented() {
        val seen = run {
            coroutineScope {
                step.set("in-scope")
                launch { step.set("child") }.join()
            }
            val afterScope = step.get()
            val survivors = supervisorScope {
                val failing = launch(CoroutineExceptionHandler { _, _ -> }) { request.set("x"); delay(1); error("boom") }
                val ok = async { request.set("ok"); delay(5); request.get() }
                failing.join()
                ok.await() + "/" + request.orElse("unset")
            }
            listOf(afterScope, survivors)
        }
        assertThat(seen).containsExactly("in-scope", "ok/unset")
    }

    @Test
    @DisplayName("exceptions: a failed child's values do not reach the parent that catches its failure")
    fun exceptions_caughtInParent_parentContextIntact() {
        val seen = run {
            request.set("parent")
            val failure = runCatching {
                coroutineScope {
                    async { request.set("child"); delay(1); throw IllegalArgumentException("bad " + request.get()) }.await()
                }
            }.exceptionOrNull()
            failure!!.message + "/" + request.get()
        }
        assertThat(seen).isEqualTo("bad child/parent")
    }

    @Test
    @DisplayName("cancellation: finally blocks of a cancelled coroutine run in its context and leave threads clean")
    fun cancellation_finallyRunsInOwnContext_threadsClean() {
        val seen = run {
            val inFinally = CompletableDeferred<String>()
            val started = CompletableDeferred<Unit>()
            val job = launch {
                request.set("cancelled-one")
                try {
                    started.complete(Unit)
                    awaitCancellation()
                } finally {
                    withContext(NonCancellable) {
                        delay(1)
                        inFinally.complete(request.get())
                    }
                }
            }
            started.await()
            job.cancelAndJoin()
            val inner = inFinally.await()
            val cancelledAsync = async { request.set("other"); delay(10_000); "never" }
            delay(1)
            cancelledAsync.cancel()
            assertThat(runCatching { cancelledAsync.await() }.exceptionOrNull()).isInstanceOf(CancellationException::class.java)
            inner + "/" + request.orElse("unset")
        }
        assertThat(seen).isEqualTo("cancelled-one/unset")
    }

    @Test
    @DisplayName("Flow with flowOn: the upstream runs in a copy of the collector's context; its sets stay upstream")
    fun flowOn_upstreamCopy_setsStayUpstream() {
        val seen = run {
            request.set("collector")
            val values = flow {
                emit(request.get())
                request.set("upstream")
                delay(1)
                emit(request.get())
            }.flowOn(Dispatchers.IO).map { it + "@" + request.get() }.toList()
            values + request.get()
        }
        assertThat(seen).containsExactly("collector@collector", "upstream@collector", "collector")
    }

    @Test
    @DisplayName("produce: the producer starts in a copy of its creator's context")
    fun produce_producerCopy_isolated() {
        val seen = run {
            request.set("consumer")
            val ch = produce { request.set("producer"); delay(1); send(request.get()) }
            listOf(ch.receive(), request.get())
        }
        assertThat(seen).containsExactly("producer", "consumer")
    }

    @Test
    @DisplayName("Dispatchers.Unconfined inside a coroutine: the nested activation sees and keeps the coroutine's values")
    fun unconfined_nestedActivation_consistent() {
        val seen = run {
            request.set("r")
            withContext(Dispatchers.Unconfined) {
                step.set("unconfined")
                delay(1)                                   // resumes on the delay's thread
                request.get()
            } + "/" + step.get()
        }
        assertThat(seen).isEqualTo("r/unconfined")
    }

    @Test
    @DisplayName("S5 token reset after a suspension that moved the coroutine to another thread restores the old value")
    fun tokenReset_afterSuspensionOnOtherThread_restores() {
        val seen = run {
            request.set("before")
            val token = request.set("temporary")
            val setOn = Thread.currentThread()
            delay(1)                                        // the hopping dispatcher resumes on the other thread
            val resetOn = Thread.currentThread()
            request.reset(token)
            listOf(setOn !== resetOn, request.get(), token.toString().contains("used"))
        }
        assertThat(seen).containsExactly(true, "before", true)
    }

    @Test
    @DisplayName("S5 refusals inside coroutines: another coroutine's token, a used token; nothing changes")
    fun tokenRefusals_insideCoroutines_asOnThreads() {
        run {
            request.set("parent")
            val parentToken: Token<String> = request.set("parent-2")
            val childFailure = async {
                runCatching { request.reset(parentToken) }.exceptionOrNull() to request.get()
            }.await()
            assertThat(childFailure.first).isInstanceOf(IllegalArgumentException::class.java)
                .hasMessageContaining("request").hasMessageContaining("was created in a different Context")
            assertThat(childFailure.second).isEqualTo("parent-2")
            delay(1)
            request.reset(parentToken)
            assertThatThrownBy { request.reset(parentToken) }.isInstanceOf(IllegalStateException::class.java)
                .hasMessageContaining("has already been used once")
            assertThat(request.get()).isEqualTo("parent")
        }
    }

    @Test
    @DisplayName("S7 and S8 inside coroutines: a context entered by one coroutine is refused to another, a scope closes only on its thread")
    fun scopeRefusals_insideCoroutines_asOnThreads() {
        val shared = Context().with(step, "shared")
        val entered = CountDownLatch(1)
        val release = CountDownLatch(1)
        val mine = run {
            request.set("mine")
            val holder = launch(Dispatchers.IO) {
                val scope = shared.enter()                 // no suspension while it is open
                try {
                    entered.countDown()
                    release.await(10, TimeUnit.SECONDS)
                } finally {
                    scope.close()
                }
            }
            withContext(Dispatchers.IO) { entered.await(10, TimeUnit.SECONDS) }
            assertThatThrownBy { shared.enter() }.isInstanceOf(IllegalStateException::class.java)
                .hasMessageContaining("is already entered")
            release.countDown()
            holder.join()
            // S8: the scope of a coroutine's thread cannot be closed from another coroutine's thread
            val opened = CompletableDeferred<org.contextvars4j.Scope>()
            val closeNow = CountDownLatch(1)
            val owner = launch(Dispatchers.IO) {
                val scope = shared.enter()
                opened.complete(scope)
                closeNow.await(10, TimeUnit.SECONDS)     // blocks, never suspends, while the scope is open
                scope.close()
            }
            val scope = opened.await()
            val refused = runCatching { scope.close() }.exceptionOrNull()
            closeNow.countDown()
            owner.join()
            assertThat(refused).isInstanceOf(IllegalStateException::class.java).hasMessageContaining("was entered on thread")
            assertThat(scope.isClosed).isTrue()
            assertThat(shared.isEntered()).isFalse()
            request.get()                                   // the refusals changed nothing of this coroutine's
        }
        assertThat(mine).isEqualTo("mine")
    }
}
