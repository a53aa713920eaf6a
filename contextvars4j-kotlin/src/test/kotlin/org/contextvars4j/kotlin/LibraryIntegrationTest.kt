package org.contextvars4j.kotlin

import io.opentelemetry.context.ContextKey
import io.opentelemetry.extension.kotlin.asContextElement
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.asCoroutineDispatcher
import kotlinx.coroutines.delay
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.contextvars4j.Context
import org.contextvars4j.ContextExecutors
import org.contextvars4j.ContextVar
import org.contextvars4j.RequestScope
import org.contextvars4j.ScopedMemoizer
import org.contextvars4j.ScopedResource
import org.contextvars4j.testsupport.ContextLeakGuard
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.DisplayName
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.slf4j.MDC
import io.opentelemetry.context.Context as OtelContext

/**
 * The element with the rest of the library: the MDC bridge (contextvars4j-slf4j, no MDCContext),
 * OpenTelemetry's own Kotlin extension at the same time (with contextvars4j-opentelemetry's shared
 * store, which is on this module's test class path), RequestScope resources and memoizers, and
 * dispatchers built on a ContextExecutors-wrapped pool.
 */
@ExtendWith(ContextLeakGuard::class)
class LibraryIntegrationTest {

    private val threads = CheckedThreads.hopping("integration")
    private val request = ContextVar.of<String>("request")

    @AfterEach
    fun threadsClean() {
        threads.close()
        threads.assertClean()
    }

    private fun <T> run(block: suspend CoroutineScope.() -> T): T =
        runBlocking(threads.dispatcher + Context.copyCurrent().asContextElement(), block)

    @Test
    @DisplayName("MDC: a put in a coroutine follows it across hops, reaches its children, never its siblings or threads")
    fun mdc_putInCoroutine_followsItOnly() {
        val seen = run {
            (1..10).map { i ->
                async {
                    MDC.put("request_id", "m-$i")
                    delay(1)
                    val onIo = withContext(Dispatchers.IO) { MDC.get("request_id") }
                    val inChild = async { delay(1); MDC.get("request_id") }.await()
                    listOf(onIo, inChild, MDC.get("request_id"))
                }
            }.awaitAll() + listOf(listOf(MDC.get("request_id")))
        }
        assertThat(seen.dropLast(1)).allSatisfy { assertThat(it.toSet()).hasSize(1) }
        assertThat(seen.dropLast(1).map { it[0] }).containsExactlyElementsOf((1..10).map { "m-$it" })
        assertThat(seen.last()).containsExactly(null as String?)
        assertThat(MDC.get("request_id")).isNull()
    }

    private val span = ContextKey.named<String>("span")

    @Test
    @DisplayName("OpenTelemetry's Kotlin element and ours together: both values follow the coroutine and its children")
    fun openTelemetryElement_usedAtTheSameTime_bothFollow() {
        val seen = runBlocking(
            threads.dispatcher
                + Context.copyCurrent().asContextElement()
                + OtelContext.root().with(span, "span-1").asContextElement()) {
            request.set("r-1")
            delay(1)
            val onIo = withContext(Dispatchers.IO) { OtelContext.current().get(span) + "/" + request.get() }
            val inChild = async { delay(1); OtelContext.current().get(span) + "/" + request.get() }.await()
            val inner = withContext(OtelContext.current().with(span, "span-2").asContextElement()) {
                delay(1)
                OtelContext.current().get(span) + "/" + request.get()
            }
            listOf(onIo, inChild, inner, OtelContext.current().get(span) + "/" + request.get())
        }
        assertThat(seen).containsExactly("span-1/r-1", "span-1/r-1", "span-2/r-1", "span-1/r-1")
        assertThat(OtelContext.current()).isSameAs(OtelContext.root())
    }

    @Test
    @DisplayName("RequestScope: the coroutines of one request share its memoized results and resources, two requests nothing")
    fun requestScope_coroutinesOfOneRequest_shareResources() {
        val computed = AtomicInteger()
        val opened = AtomicInteger()
        val closed = AtomicInteger()
        val memo = ScopedMemoizer.of<String, Int>("user-by-name") { computed.incrementAndGet() }
        val connection = ScopedResource.of("connection") {
            val id = opened.incrementAndGet()
            object : AutoCloseable {
                override fun close() {
                    closed.incrementAndGet()
                }

                override fun toString() = "connection-$id"
            }
        }
        val perRequest = run {
            (1..2).map { r ->
                async {
                    request.set("r-$r")
                    val scope = RequestScope.open()
                    try {
                        (1..10).map {
                            async(Dispatchers.IO) {
                                delay(1)
                                Triple(memo.apply("alice"), connection.get().toString(), request.get())
                            }
                        }.awaitAll().toSet()
                    } finally {
                        scope.close()
                    }
                }
            }.awaitAll()
        }
        assertThat(perRequest).allSatisfy { assertThat(it).hasSize(1) }
        assertThat(perRequest.map { it.single().second }).doesNotHaveDuplicates()
        assertThat(perRequest.map { it.single().third }).containsExactly("r-1", "r-2")
        assertThat(computed.get()).isEqualTo(2)
        assertThat(opened.get()).isEqualTo(2)
        assertThat(closed.get()).isEqualTo(2)
    }

    @Test
    @DisplayName("a dispatcher over a ContextExecutors-wrapped pool: coroutines keep their own values, the pool stays clean")
    fun wrappedExecutorDispatcher_coroutinesIsolated_poolClean() {
        val raw = Executors.newFixedThreadPool(3)
        try {
            val dispatcher = ContextExecutors.wrap(raw).asCoroutineDispatcher()
            val seen = run {
                request.set("outer")
                (1..50).map { i ->
                    async(dispatcher) {
                        request.set("w-$i")
                        delay(1)
                        withContext(Dispatchers.IO) { delay(1) }
                        request.get()
                    }
                }.awaitAll() + request.get()
            }
            assertThat(seen).containsExactlyElementsOf((1..50).map { "w-$it" } + "outer")
            ContextLeakGuard.assertPoolClean(raw, 3)
        } finally {
            raw.shutdown()
            raw.awaitTermination(10, TimeUnit.SECONDS)
        }
    }
}
