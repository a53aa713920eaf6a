package org.contextvars4j.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/** {@link ThreadShapeBenchmark} with the opt-in {@code ScopedValue} binding of issue 26 switched on (JDK 25). */
@Fork(value = 2, jvmArgsAppend = "-Dcontextvars4j.scopedValues=on")
public class ThreadShapeBindingOnBenchmark extends ThreadShapeBenchmark {
}
