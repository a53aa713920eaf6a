package org.contextvars4j.kotlin

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.assertj.core.api.Assertions.assertThat
import org.contextvars4j.Context
import org.contextvars4j.ContextVar
import org.contextvars4j.testsupport.ContextLeakGuard
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.extension.ExtendWith

/** The quick start of docs/kotlin.md, line for line. */
@ExtendWith(ContextLeakGuard::class)
class KotlinQuickstartTest {

    private val printed = Printed()

    private fun println(line: String) = printed.print(line)

    // ---- docs/kotlin.md, quick start ----
    val REQUEST_ID = ContextVar.of("request_id", "none")
    val USER = ContextVar.of<String>("user")

    suspend fun handle(id: String) = coroutineScope {
        REQUEST_ID.set(id)                               // this coroutine's own context
        delay(10)                                        // resumes on any thread: still its id
        val audit = launch { println("audit $id: ${REQUEST_ID.get()}") }    // a child: a copy
        withContext(Dispatchers.IO) { println("io $id: ${REQUEST_ID.get()}") }
        withContextVar(USER, "alice") { println("as ${USER.get()}: ${REQUEST_ID.get()}") }
        audit.join()
    }

    fun main() = runBlocking(Dispatchers.Default + Context.copyCurrent().asContextElement()) {
        listOf("r-1", "r-2").map { async { handle(it) } }.awaitAll()
        println("main: ${REQUEST_ID.get()}")             // none: the requests' sets stayed in them
    }
    // ---- end of quick start ----

    @Test
    fun quickstart_twoRequests_eachSeesItsOwnId() {
        main()
        val lines = printed.lines()
        assertThat(lines.filter { it.contains("r-1") }).containsExactlyInAnyOrder("audit r-1: r-1", "io r-1: r-1", "as alice: r-1")
        assertThat(lines.filter { it.contains("r-2") }).containsExactlyInAnyOrder("audit r-2: r-2", "io r-2: r-2", "as alice: r-2")
        assertThat(lines.last()).isEqualTo("main: none")
    }
}
