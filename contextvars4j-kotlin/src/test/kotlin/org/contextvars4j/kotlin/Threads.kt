package org.contextvars4j.kotlin

import java.util.Collections
import java.util.concurrent.ExecutorService
import java.util.concurrent.Executors
import java.util.concurrent.ThreadFactory
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CoroutineDispatcher
import org.contextvars4j.testsupport.ContextLeakGuard
import org.assertj.core.api.Assertions.assertThat
import kotlin.coroutines.CoroutineContext

/**
 * A dispatcher over worker threads that proves each of them clean after every slice of coroutine
 * it runs: the thread's own context must be empty again when the coroutine suspends (the leak guard
 * for carrier threads). [hopping] makes every dispatch go to the next thread in turn, so that a
 * coroutine resumes on another thread than the one it suspended on, deterministically.
 */
internal class CheckedThreads private constructor(
    private val pools: List<ExecutorService>,
    private val hopping: Boolean,
) : AutoCloseable {

    private val next = AtomicInteger()
    private val slices = AtomicInteger()

    /** Descriptions of the threads found holding a context after a slice. */
    val dirty: MutableList<String> = Collections.synchronizedList(ArrayList())

    val dispatcher: CoroutineDispatcher = object : CoroutineDispatcher() {
        override fun dispatch(context: CoroutineContext, block: Runnable) {
            val pool = pools[if (hopping) Math.floorMod(next.getAndIncrement(), pools.size) else 0]
            pool.execute {
                try {
                    block.run()
                } finally {
                    slices.incrementAndGet()
                    if (!ContextLeakGuard.isThreadClean()) {
                        dirty.add(Thread.currentThread().name)
                    }
                }
            }
        }

        override fun toString() = "CheckedThreads" + (if (hopping) "[hopping]" else "")
    }

    /** Asserts that no thread held a context after any slice, and that slices ran at all. */
    fun assertClean() {
        assertThat(slices.get()).describedAs("slices run").isPositive()
        assertThat(dirty).describedAs("threads left holding a context after a slice").isEmpty()
    }

    override fun close() {
        pools.forEach { it.shutdown() }
        pools.forEach { it.awaitTermination(10, TimeUnit.SECONDS) }
    }

    companion object {
        /** Two single threads taking turns: every resumption hops to the other thread. */
        fun hopping(name: String) = CheckedThreads(List(2) { Executors.newSingleThreadExecutor(named("$name-$it")) }, true)

        /** A fixed pool of [n] threads. */
        fun pool(name: String, n: Int) = CheckedThreads(listOf(Executors.newFixedThreadPool(n, named(name))), false)

        /** Any executor, for example one that starts a virtual thread per task. */
        fun over(executor: ExecutorService) = CheckedThreads(listOf(executor), false)

        private fun named(name: String): ThreadFactory {
            val n = AtomicInteger()
            return ThreadFactory { r -> Thread(r, "$name-${n.getAndIncrement()}").apply { isDaemon = true } }
        }
    }
}

/** What the articles' examples print, in order; safe to print to from any thread. */
internal class Printed {
    private val lines = Collections.synchronizedList(ArrayList<String>())

    fun print(line: String) {
        lines.add(line)
    }

    fun lines(): List<String> = synchronized(lines) { ArrayList(lines) }
}
