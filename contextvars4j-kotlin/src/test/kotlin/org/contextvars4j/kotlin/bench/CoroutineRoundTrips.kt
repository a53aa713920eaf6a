package org.contextvars4j.kotlin.bench

import kotlin.coroutines.CoroutineContext
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.yield

/**
 * The Kotlin half of contextvars4j-benchmarks' CoroutineBenchmark, shipped in this module's test
 * jar (the benchmarks module is Java): suspend/resume round trips a Java benchmark can call.
 */
public object CoroutineRoundTrips {

    /**
     * Runs one coroutine under [context] on the calling thread's event loop and suspends and
     * resumes it [n] times (`yield()`: a dispatch and a resumption each, so each round trip
     * restores and updates every thread context element once). Returns [n].
     */
    @JvmStatic
    public fun yields(context: CoroutineContext, n: Int): Int = runBlocking(context) {
        var done = 0
        while (done < n) {
            yield()
            done++
        }
        done
    }
}
