package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.context.ContextExecutorService;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshotFactory;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.util.context.Context;

/** The examples of docs/micrometer-reactor.md, compiled and run; the page copies them verbatim. */
@ExtendWith(ContextLeakGuard.class)
@DisplayName("docs/micrometer-reactor.md examples (P2, P6)")
class DocsExamplesTest {

    static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");
    static final ContextVar<String> TENANT = ContextVar.of("tenant", "none");

    @BeforeEach
    void setUp() {
        Hooks.enableAutomaticContextPropagation();          // once, at application start-up
    }

    @AfterEach
    void tearDown() throws Exception {
        Hooks.disableAutomaticContextPropagation();
        // let the scheduler threads close their scopes before the registry changes
        ReactorPropagationTest.awaitSchedulersIdle();
        ContextRegistry.getInstance().removeThreadLocalAccessor("tenant");
    }

    @Test
    @DisplayName("P2: a Reactor pipeline that hops threads sees the subscriber's vars")
    void reactor_automaticPropagation_pipelineSeesVars() {
        // tag::reactor[]
        try (Token<String> t = REQUEST_ID.set("r-42")) {
            String seen = Mono.fromCallable(() -> "handled " + REQUEST_ID.get())   // runs on boundedElastic
                    .subscribeOn(Schedulers.boundedElastic())
                    .publishOn(Schedulers.parallel())
                    .map(s -> s + " for " + REQUEST_ID.get())                         // runs on parallel
                    .block(Duration.ofSeconds(10));
            assertThat(seen).isEqualTo("handled r-42 for r-42");
        }
        // end::reactor[]
    }

    @Test
    @DisplayName("P6: a contextWrite entry surfaces as a ContextVar")
    void reactor_contextWriteEntry_surfacesAsVar() {
        // tag::context-write[]
        ContextRegistry.getInstance().registerThreadLocalAccessor(ContextVarAccessor.of("tenant", TENANT));

        String tenant = Mono.fromCallable(TENANT::get)
                .subscribeOn(Schedulers.parallel())
                .contextWrite(Context.of("tenant", "acme"))      // upstream operators see TENANT = acme
                .block(Duration.ofSeconds(10));
        assertThat(tenant).isEqualTo("acme");
        assertThat(TENANT.get()).isEqualTo("none");              // the subscriber's thread is untouched
        // end::context-write[]
    }

    @Test
    @DisplayName("P2: Micrometer's ContextExecutorService carries the context without a contextvars4j wrapper")
    void contextExecutorService_task_seesSubmittersVars() throws Exception {
        // tag::executor[]
        ExecutorService executor = ContextExecutorService.wrap(Executors.newFixedThreadPool(4),
                ContextSnapshotFactory.builder().build());
        try (Token<String> t = REQUEST_ID.set("r-7")) {
            assertThat(executor.submit(() -> REQUEST_ID.get()).get()).isEqualTo("r-7");
        }
        // end::executor[]
        executor.shutdown();
        assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    }
}
