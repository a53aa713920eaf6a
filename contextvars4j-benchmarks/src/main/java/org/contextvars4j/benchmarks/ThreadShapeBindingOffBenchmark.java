package org.contextvars4j.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/** {@link ThreadShapeBenchmark} with the {@code ScopedValue} binding switched off: the A/B baseline of issue 26. */
@Fork(value = 2, jvmArgsAppend = "-Dcontextvars4j.scopedValues=off")
public class ThreadShapeBindingOffBenchmark extends ThreadShapeBenchmark {
}
