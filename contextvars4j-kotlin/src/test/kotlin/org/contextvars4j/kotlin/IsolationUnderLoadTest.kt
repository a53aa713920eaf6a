package org.contextvars4j.kotlin

import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.ThreadLocalRandom
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import kotlinx.coroutines.yield
import org.assertj.core.api.Assertions.assertThat
import org.contextvars4j.Context
import org.contextvars4j.ContextVar
import org.contextvars4j.testsupport.ContextLeakGuard
import org.junit.jupiter.api.Assumptions.assumeTrue
import org.junit.jupiter.api.DisplayName
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith

/**
 * No cross-talk under load: 200 concurrent requests, each with 50 coroutines (10,000 in all), every
 * coroutine setting its own value, suspending and switching dispatchers several times and checking
 * at each step that it still sees its request's and its own values and nothing of another's. Then
 * the threads: none may be left holding a context.
 */
@ExtendWith(ContextLeakGuard::class)
class IsolationUnderLoadTest {

    private val request = ContextVar.of<String>("request")
    private val child = ContextVar.of<Int>("child")
    private val hop = ContextVar.of<Int>("hop")

    /** Runs the 200 requests on [a], switching to [b] and back; returns the mismatches seen. */
    private fun load(a: CoroutineDispatcher, b: CoroutineDispatcher): Int = runBlocking(Context.copyCurrent().asContextElement()) {
        (0 until REQUESTS).map { r ->
            async(a + request.asContextElement("r-$r")) { oneRequest("r-$r", b) }
        }.awaitAll().sum()
    }

    private suspend fun oneRequest(id: String, b: CoroutineDispatcher): Int = coroutineScope {
        val mismatches = (0 until PER_REQUEST).map { c ->
            async {
                var bad = 0
                fun check(expectedHop: Int) {
                    if (request.orElse(null) != id || child.orElse(null) != c || hop.orElse(-1) != expectedHop) bad++
                }
                child.set(c)
                check(-1)
                for (i in 0 until 3) {
                    yield()
                    check(if (i == 0) -1 else i - 1)
                    withContext(b) {
                        check(if (i == 0) -1 else i - 1)
                        hop.set(i)                        // seen after the switch back, by this coroutine only
                        if (ThreadLocalRandom.current().nextBoolean()) delay(1) else yield()
                        check(i)
                    }
                    check(i)
                }
                bad
            }
        }.awaitAll().sum()
        // the request's own coroutine saw none of its children's sets
        mismatches + (if (request.get() != id || child.orElse(null) != null || hop.orElse(null) != null) 1 else 0)
    }

    /** Probes kotlinx's shared worker threads, which cannot be listed: many small tasks without an element. */
    private fun dirtySharedWorkers(): Int = runBlocking {
        (0 until 2_000).map { i ->
            async(if (i % 2 == 0) Dispatchers.Default else Dispatchers.IO) { if (ContextLeakGuard.isThreadClean()) 0 else 1 }
        }.awaitAll().sum()
    }

    @Test
    @DisplayName("10,000 coroutines from 200 requests on Dispatchers.Default and IO: 0 mismatches, 0 workers left holding a context")
    fun defaultAndIo_10000Coroutines_isolatedAndClean() {
        assertThat(load(Dispatchers.Default, Dispatchers.IO)).isZero()
        assertThat(dirtySharedWorkers()).isZero()
    }

    @Test
    @DisplayName("10,000 coroutines on two pools proven clean after every slice")
    fun checkedPools_10000Coroutines_isolatedAndEverySliceClean() {
        CheckedThreads.pool("load-a", 4).use { a ->
            CheckedThreads.pool("load-b", 3).use { b ->
                assertThat(load(a.dispatcher, b.dispatcher)).isZero()
                a.assertClean()
                b.assertClean()
            }
        }
    }

    @Test
    @DisplayName("10,000 coroutines on a virtual-thread dispatcher (JDK 21+): 0 mismatches, every virtual thread clean")
    fun virtualThreads_10000Coroutines_isolatedAndClean() {
        assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21")
        CheckedThreads.over(virtualThreadPerTask()).use { vt ->
            assertThat(load(vt.dispatcher, Dispatchers.IO)).isZero()
            assertThat(load(Dispatchers.Default, vt.dispatcher)).isZero()
            vt.assertClean()
        }
        assertThat(dirtySharedWorkers()).isZero()
    }

    companion object {
        const val REQUESTS = 200
        const val PER_REQUEST = 50

        /** Executors.newVirtualThreadPerTaskExecutor(), found at run time: the module compiles against JDK 17. */
        fun virtualThreadPerTask(): ExecutorService =
            Executors::class.java.getMethod("newVirtualThreadPerTaskExecutor").invoke(null) as ExecutorService
    }
}
