package org.contextvars4j.opentelemetry;

import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The real OpenTelemetry SDK with an exporter that collects finished spans in memory (the SDK's
 * own in-memory exporter lives in opentelemetry-sdk-testing, which also installs a context
 * storage of its own: see the POM).
 */
final class Tracing implements AutoCloseable {

    private final ConcurrentLinkedQueue<SpanData> finished = new ConcurrentLinkedQueue<>();
    private final SdkTracerProvider provider = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    finished.addAll(spans);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            }))
            .build();

    Tracer tracer(String name) {
        return provider.get(name);
    }

    List<SpanData> finishedSpans() {
        return new ArrayList<>(finished);
    }

    SpanData span(String name) {
        return finished.stream().filter(s -> s.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no finished span named " + name + " in " + finished));
    }

    @Override
    public void close() {
        provider.close();
    }
}
