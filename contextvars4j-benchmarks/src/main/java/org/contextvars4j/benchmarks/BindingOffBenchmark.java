package org.contextvars4j.benchmarks;

import org.openjdk.jmh.annotations.Fork;

/** {@link BindingBenchmark} with the {@code ScopedValue} binding off (the default): the A/B baseline. */
@Fork(value = 1, jvmArgsAppend = "-Dcontextvars4j.scopedValues=off")
public class BindingOffBenchmark extends BindingBenchmark {
}
