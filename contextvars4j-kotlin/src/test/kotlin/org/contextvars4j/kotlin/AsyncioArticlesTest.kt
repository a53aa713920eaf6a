package org.contextvars4j.kotlin

import ch.qos.logback.classic.LoggerContext
import ch.qos.logback.classic.encoder.PatternLayoutEncoder
import ch.qos.logback.classic.spi.ILoggingEvent
import ch.qos.logback.core.OutputStreamAppender
import java.io.ByteArrayOutputStream
import java.util.UUID
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.contextvars4j.Context
import org.contextvars4j.ContextVar
import org.contextvars4j.Token
import org.contextvars4j.slf4j.ContextMdc
import org.contextvars4j.testsupport.ContextLeakGuard
import org.junit.jupiter.api.AfterEach
import org.junit.jupiter.api.DisplayName
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith
import org.slf4j.LoggerFactory

/**
 * Every asyncio example of the two asyncio articles (shared/articles 001 and 002), ported to
 * coroutines with their stated output: `asyncio.run` becomes [asyncioRun], `gather` becomes
 * `awaitAll`, `create_task` becomes `launch`/`async`, `asyncio.sleep` becomes `delay`.
 *
 * The examples run on two threads that take turns ([CheckedThreads.hopping]): every resumption
 * moves the coroutine to the other thread, as a busy pool would, and each thread is proven clean
 * after each slice. Without the element every example prints the wrong thing or leaves a thread
 * holding a value.
 */
@ExtendWith(ContextLeakGuard::class)
class AsyncioArticlesTest {

    private val threads = CheckedThreads.hopping("asyncio")
    private val out = Printed()

    @AfterEach
    fun threadsClean() {
        threads.close()
        threads.assertClean()
    }

    /** `asyncio.run(main())`: main runs in a copy of the caller's context, as asyncio.run does. */
    private fun <T> asyncioRun(main: suspend CoroutineScope.() -> T): T =
        runBlocking(threads.dispatcher + Context.copyCurrent().asContextElement(), main)

    // ---- Article 001, "2) Context in async tasks" -------------------------------------------

    private val user = ContextVar.of("user", "anonymous")

    private suspend fun worker(name: String, delayMs: Long) {
        val token = user.set(name)            // each task can set its own user
        delay(delayMs)
        out.print("Task $name: user=${user.get()}")
        user.reset(token)
    }

    @Test
    @DisplayName("001 async tasks: alice and bob each see their own user across the sleep")
    fun article001_gatherWorkers_eachTaskSeesItsOwnUser() {
        asyncioRun {
            awaitAll(async { worker("alice", 200) }, async { worker("bob", 100) })
        }
        assertThat(out.lines()).containsExactly("Task bob: user=bob", "Task alice: user=alice")
    }

    // ---- Article 001, "4) Request-scoped context in a web app" (the async view) --------------

    private val requestId = ContextVar.of<String?>("request_id", null)
    private val dbSessionCtx = ContextVar.of<AsyncSession?>("db_session", null)

    /** Stands for SQLAlchemy's AsyncSession: execute() awaits I/O and reads the context. */
    private inner class AsyncSession : AutoCloseable {
        var closed = false
        suspend fun execute(): List<String> {
            delay(20)
            return listOf("item of ${requestId.get()}, session in context: ${dbSessionCtx.get() === this}")
        }

        override fun close() {
            closed = true
        }
    }

    private suspend fun items(headers: Map<String, String>): Map<String, List<String>> {
        val token = requestId.set(headers["X-Request-Id"] ?: "unknown")
        var dbToken: Token<AsyncSession?>? = null
        try {
            AsyncSession().use { session ->
                dbToken = dbSessionCtx.set(session)
                val result = session.execute()
                return mapOf("items" to result)
            }
        } finally {
            requestId.reset(token)
            dbToken?.let { dbSessionCtx.reset(it) }
        }
    }

    @Test
    @DisplayName("001 web app: two concurrent async views each read their own request id and session")
    fun article001_asyncView_eachRequestSeesItsOwnIdAndSession() {
        val responses = asyncioRun {
            awaitAll(async { items(mapOf("X-Request-Id" to "r-1")) }, async { items(emptyMap()) })
        }
        assertThat(responses).containsExactly(
            mapOf("items" to listOf("item of r-1, session in context: true")),
            mapOf("items" to listOf("item of unknown, session in context: true")))
    }

    // ---- Article 002, "The Problem" (with the ContextVar the article introduces) -------------

    private val requestIdNone = ContextVar.of("request_id", "none")

    private suspend fun handleRequestWithPayment(reqId: String) {
        requestIdNone.set(reqId)
        fetchUserData()
        processPayment()
        out.print("Request ${requestIdNone.get()} completed")
    }

    private suspend fun fetchUserData() {
        out.print("Fetching data for ${requestIdNone.get()}")
        delay(100)
    }

    private suspend fun processPayment() {
        out.print("Processing payment for ${requestIdNone.get()}")
        delay(100)
    }

    @Test
    @DisplayName("002 the problem: interleaved requests keep their own id where a global is overwritten")
    fun article002_problem_interleavedRequestsKeepTheirIds() {
        asyncioRun {
            awaitAll(async { handleRequestWithPayment("req-123") }, async { handleRequestWithPayment("req-456") })
        }
        for (id in listOf("req-123", "req-456")) {
            assertThat(out.lines().filter { it.contains(id) })
                .containsExactly("Fetching data for $id", "Processing payment for $id", "Request $id completed")
        }
        assertThat(out.lines()).hasSize(6)
    }

    // ---- Article 002, "Introducing ContextVar" ----------------------------------------------

    private suspend fun fetchData() {
        out.print("Fetching data for ${requestIdNone.get()}")   // each task sees its own value
        delay(100)
    }

    private suspend fun handleRequest(reqId: String) {
        val token = requestIdNone.set(reqId)
        try {
            fetchData()
            fetchData()
        } finally {
            requestIdNone.reset(token)
        }
    }

    @Test
    @DisplayName("002 ContextVar: each request maintains its own request_id")
    fun article002_introducingContextVar_eachRequestItsOwnId() {
        asyncioRun {
            awaitAll(async { handleRequest("req-123") }, async { handleRequest("req-456") })
        }
        // the stated output, once per fetch_data call; the two tasks run side by side
        val lines = out.lines()
        assertThat(lines).hasSize(4)
        assertThat(lines.subList(0, 2)).containsExactlyInAnyOrder("Fetching data for req-123", "Fetching data for req-456")
        assertThat(lines.subList(2, 4)).containsExactlyInAnyOrder("Fetching data for req-123", "Fetching data for req-456")
    }

    // ---- Article 002, "Setting and Getting Values": the temporary override ------------------

    private val userContext = ContextVar.of<Map<String, Any>>("user_context", mapOf("guest" to true))

    private suspend fun withAdminPrivileges() {
        val token = userContext.set(mapOf("user" to "admin", "role" to "admin"))
        try {
            doAdminStuff()
        } finally {
            userContext.reset(token)
        }
    }

    private suspend fun doAdminStuff() {
        delay(20)
        out.print("admin stuff as ${userContext.get()}")
    }

    @Test
    @DisplayName("002 token reset: the admin override lasts across the await and is undone after it")
    fun article002_withAdminPrivileges_overrideUndoneAfterAwait() {
        asyncioRun {
            out.print(userContext.get().toString())
            withAdminPrivileges()
            out.print(userContext.get().toString())
        }
        assertThat(out.lines()).containsExactly("{guest=true}", "admin stuff as {user=admin, role=admin}", "{guest=true}")
    }

    // ---- Article 002, "Using copy_context()" ------------------------------------------------

    private val traceId = ContextVar.of("trace_id", "")

    private suspend fun childTask() {
        out.print("Child sees trace_id: ${traceId.get()}")     // runs in a copy of the parent's context
        delay(100)
    }

    @Test
    @DisplayName("002 copy_context: a child task run in the copied context sees the parent's trace id")
    fun article002_copyContext_childSeesParentsTraceId() {
        asyncioRun {
            traceId.set("abc-123")
            val ctx = Context.copyCurrent()
            awaitAll(async(ctx.asContextElement()) { childTask() })
        }
        assertThat(out.lines()).containsExactly("Child sees trace_id: abc-123")
    }

    // ---- Article 002, "ContextVars with asyncio": create_task inherits -----------------------

    private val requestIdNull = ContextVar.of<String?>("request_id", null)

    private fun logRequest() {
        out.print("Logging request: ${requestIdNull.get()}")    // runs in the task's context
    }

    private suspend fun handleRequestWithTask(reqId: String) {
        requestIdNull.set(reqId)
        val task = launch(threads.dispatcher) { logRequest() }  // creating a task inherits the context
        task.join()
    }

    @Test
    @DisplayName("002 create_task: a task created by each request logs that request's id")
    fun article002_createTask_taskInheritsRequestId() {
        asyncioRun {
            awaitAll(async { handleRequestWithTask("req-1") }, async { handleRequestWithTask("req-2") })
        }
        assertThat(out.lines()).containsExactlyInAnyOrder("Logging request: req-1", "Logging request: req-2")
    }

    private suspend fun launch(dispatcher: kotlinx.coroutines.CoroutineDispatcher, block: suspend CoroutineScope.() -> Unit) =
        kotlinx.coroutines.coroutineScope { launch(dispatcher, block = block) }

    // ---- Article 002, "Thread Safety" -------------------------------------------------------

    private val threadLocalVar = ContextVar.of("thread_local_var", "default")

    private fun threadWorker() {
        out.print("Thread ${Thread.currentThread().name}: ${threadLocalVar.get()}")
    }

    private suspend fun asyncWorker() {
        threadLocalVar.set("async value")
        delay(1)
        out.print("Async task: ${threadLocalVar.get()}")
    }

    @Test
    @DisplayName("002 thread safety: the async task's value does not reach a new thread")
    fun article002_threadSafety_asyncAndThreadContextsSeparate() {
        asyncioRun {
            asyncWorker()
            val thread = Thread(::threadWorker, "Thread-1")
            thread.start()
            thread.join()
        }
        assertThat(out.lines()).containsExactly("Async task: async value", "Thread Thread-1: default")
    }

    // ---- Article 002, "Request ID Middleware" -----------------------------------------------

    private suspend fun middlewareHandler(request: String): Map<String, String?> {
        val reqId = UUID.randomUUID().toString().substring(0, 8)
        val token = requestIdNull.set(reqId)
        try {
            return routeHandler(request)
        } finally {
            requestIdNull.reset(token)
        }
    }

    private suspend fun routeHandler(request: String): Map<String, String?> {
        val reqId = requestIdNull.get()          // the request id anywhere in the call chain
        processRequest(request)
        return mapOf("request_id" to reqId)
    }

    private suspend fun processRequest(@Suppress("UNUSED_PARAMETER") request: String) {
        delay(10)                                // stands for the request's I/O
        out.print("Processing ${requestIdNull.get()}")
    }

    @Test
    @DisplayName("002 middleware: each response carries the id its processing printed")
    fun article002_middleware_responseIdMatchesProcessedId() {
        val responses = asyncioRun {
            (1..4).map { async { middlewareHandler("GET /$it") } }.awaitAll()
        }
        assertThat(out.lines()).containsExactlyInAnyOrderElementsOf(responses.map { "Processing ${it["request_id"]}" })
        assertThat(responses.map { it["request_id"] }).doesNotContainNull().doesNotHaveDuplicates()
    }

    // ---- Article 002, "Authentication Context" ----------------------------------------------

    private val currentUser = ContextVar.of<String?>("current_user", null)

    private fun getCurrentUser(): String? = currentUser.get()

    private suspend fun authenticate(request: String): String {
        delay(10)
        return request.substringAfter("user=")
    }

    private fun requireAuth(handler: suspend (String) -> String): suspend (String) -> String = { request ->
        val u = authenticate(request)
        val token = currentUser.set(u)
        try {
            handler(request)
        } finally {
            currentUser.reset(token)
        }
    }

    @Test
    @DisplayName("002 authentication: the handler behind require_auth sees its own request's user")
    fun article002_requireAuth_handlerSeesItsUser() {
        val hello = requireAuth { delay(10); "hello ${getCurrentUser()}" }
        val responses = asyncioRun {
            awaitAll(async { hello("GET /?user=alice") }, async { hello("GET /?user=bob") })
        }
        assertThat(responses).containsExactly("hello alice", "hello bob")
    }

    // ---- Article 002, "Tracing and Logging": the ContextFilter is the MDC bridge ------------

    private val traceIdVar = ContextVar.of("trace_id", "no-trace")

    @Test
    @DisplayName("002 tracing: every log line of a request carries its trace id, across awaits")
    fun article002_tracingAndLogging_linesCarryTheirTraceId() {
        ContextMdc.expose("trace_id", traceIdVar)
        val printed = ByteArrayOutputStream()
        val logger = captureLogger(printed)
        try {
            suspend fun handle() {
                traceIdVar.set(UUID.randomUUID().toString())
                logger.info("Starting request")
                delay(10)                                  // do_work()
                logger.info("Request complete")
            }
            asyncioRun { awaitAll(async { handle() }, async { handle() }) }
        } finally {
            ContextMdc.unexpose("trace_id")
        }
        val lines = printed.toString().lines().filter { it.isNotEmpty() }.map { it.split("|") }
        assertThat(lines).hasSize(4)
        val byTrace = lines.groupBy({ it[0] }, { it[1] })
        assertThat(byTrace).hasSize(2)
        byTrace.forEach { (trace, messages) ->
            assertThat(trace).isNotEqualTo("no-trace")
            assertThat(messages).containsExactly("Starting request", "Request complete")
        }
    }

    private fun captureLogger(sink: ByteArrayOutputStream): org.slf4j.Logger {
        val lc = LoggerFactory.getILoggerFactory() as LoggerContext
        val encoder = PatternLayoutEncoder().apply {
            context = lc
            pattern = "%X{trace_id}|%msg%n"
            start()
        }
        val appender = OutputStreamAppender<ILoggingEvent>().apply {
            context = lc
            setEncoder(encoder)
            outputStream = sink
            start()
        }
        return lc.getLogger("asyncio.tracing").apply {
            isAdditive = false
            detachAndStopAllAppenders()
            addAppender(appender)
        }
    }
}
