package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextThreads;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
class BridgeVirtualThreadTest {

    private static final ContextVar<String> REQUEST = ContextVar.of("request_id");

    @Test
    @DisplayName("P3: virtual threads from our thread-factory wrapper see the parent span and our vars")
    void virtualThreads_wrappedFactory_childSpansLinked() throws Exception {
        try (Tracing tracing = new Tracing()) {
            Tracer tracer = tracing.tracer("vt");
            Span parent = tracer.spanBuilder("parent").startSpan();
            List<Future<String>> seen = new ArrayList<>();
            try (Token<String> t = REQUEST.set("r-vt"); Scope s = parent.makeCurrent();
                 ExecutorService virtual = Executors.newThreadPerTaskExecutor(
                         ContextThreads.wrap(Thread.ofVirtual().name("vt-", 0).factory()))) {
                for (int i = 0; i < 100; i++) {
                    int n = i;
                    seen.add(virtual.submit(() -> {
                        tracer.spanBuilder("child-" + n).startSpan().end();
                        return REQUEST.get();
                    }));
                }
            } finally {
                parent.end();
            }
            for (Future<String> f : seen) {
                assertThat(f.get(20, TimeUnit.SECONDS)).isEqualTo("r-vt");
            }
            SpanData parentData = tracing.span("parent");
            assertThat(tracing.finishedSpans()).filteredOn(span -> span.getName().startsWith("child-"))
                    .hasSize(100)
                    .allSatisfy(child -> BridgeStorageTest.assertChildOf(child, parentData));
        }
    }

    @Test
    @DisplayName("OpenTelemetry-wrapped tasks on a virtual-thread executor see our vars; the executor wrapper too")
    void virtualThreadExecutor_otelAndOurWrappers_varsVisible() throws Exception {
        try (Token<String> t = REQUEST.set("r-vt2");
             Scope s = Context.current().with(ContextKeys.KEY, "otel").makeCurrent();
             ExecutorService virtual = Executors.newVirtualThreadPerTaskExecutor()) {
            String viaOtel = Context.taskWrapping(virtual)
                    .submit(() -> REQUEST.get() + "/" + Context.current().get(ContextKeys.KEY)).get(20, TimeUnit.SECONDS);
            String viaOurs = ContextExecutors.wrap(virtual)
                    .submit(() -> REQUEST.get() + "/" + Context.current().get(ContextKeys.KEY)).get(20, TimeUnit.SECONDS);
            assertThat(viaOtel).isEqualTo("r-vt2/otel");
            assertThat(viaOurs).isEqualTo("r-vt2/otel");
        }
    }

    private static final class ContextKeys {
        static final io.opentelemetry.context.ContextKey<String> KEY = io.opentelemetry.context.ContextKey.named("vt-key");
    }
}
