package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The asyncio rows of the mapping (package javadoc, docs/propagation.md): each Java construct named
 * there does to the context what the asyncio one does.
 */
@ExtendWith(ContextLeakGuard.class)
class AsyncioMappingTest extends ScopePoolTestBase {

    static final ContextVar<String> REQUEST = ContextVar.of("request_id", "none");
    static final ContextVar<String> STEP = ContextVar.of("step", "none");

    AsyncioMappingTest() {
        super(2);
    }

    @Test
    @DisplayName("gather: each child runs in its own copy taken at start; no child's set reaches a sibling or the caller")
    void gather_childrenInOwnCopies() {
        REQUEST.runWith("r-1", () -> {
            CompletableFuture<String> a = ContextCompletableFuture.supplyAsync(() -> {
                STEP.set("a");
                return REQUEST.get() + "/" + STEP.get();
            }, pool);
            CompletableFuture<String> b = ContextCompletableFuture.supplyAsync(() -> REQUEST.get() + "/" + STEP.get(), pool);
            String both = ContextCompletableFuture.allOf(a, b).thenApply(v -> a.join() + " " + b.join() + " " + STEP.get()).join();
            assertThat(both).isEqualTo("r-1/a r-1/none none");
            assertThat(a.thenCombine(b, (x, y) -> List.of(x, y, REQUEST.get())).join()).containsExactly("r-1/a", "r-1/none", "r-1");
        });
    }

    @Test
    @DisplayName("asyncio.sleep: a delayed step runs later in a copy of the context current at the call")
    void sleep_delayedStepSeesCallersContext() {
        CompletableFuture<String> later = REQUEST.supplyWith("r-2", () -> {
            CompletableFuture<String> seen = new CompletableFuture<>();
            ContextCompletableFuture.runAsync(() -> seen.complete(REQUEST.get()),
                    ContextCompletableFuture.delayedExecutor(20, TimeUnit.MILLISECONDS));
            return seen;
        });
        assertThat(REQUEST.get()).isEqualTo("none");
        assertThat(later.orTimeout(10, TimeUnit.SECONDS).join()).isEqualTo("r-2");
    }

    @Test
    @DisplayName("async with: stages registered inside a block see its values after it ended; a scope ends in a completion stage")
    void asyncWith_stagesKeepBlockValues_scopeEndsOnCompletion() {
        CompletableFuture<String> gate = new CompletableFuture<>();
        ContextCompletableFuture<String> step;
        RequestScope scope;
        try (Scope entered = new Context().enter()) {
            scope = RequestScope.open();
            try (Token<String> t = REQUEST.set("r-3")) {
                step = ContextCompletableFuture.of(gate).thenApply(v -> v + " " + REQUEST.get()
                        + " " + RequestScope.current().orElseThrow().isOpen());
            }
            step.whenComplete((r, e) -> scope.close());
        }
        gate.complete("done");
        assertThat(step.join()).isEqualTo("done r-3 true");
        assertThat(scope.isOpen()).isFalse();
    }

    @Test
    @DisplayName("asyncio.timeout: orTimeout fails the future; stages after it still run in their registration context")
    void timeout_laterStagesKeepTheirContext() {
        CompletableFuture<String> recovered = REQUEST.supplyWith("r-4", () -> ContextCompletableFuture.of(new CompletableFuture<String>())
                .orTimeout(20, TimeUnit.MILLISECONDS)
                .exceptionally(e -> e.getClass().getSimpleName() + " in " + REQUEST.get()));
        assertThat(recovered.join()).isEqualTo("TimeoutException in r-4");
        assertThat(catchThrowable(() -> new CompletableFuture<String>().get(20, TimeUnit.MILLISECONDS)))
                .isInstanceOf(TimeoutException.class);
    }

    @Test
    @DisplayName("the package javadoc and docs/propagation.md map gather, asyncio.sleep, async with and asyncio.timeout")
    void docs_mapEveryAsyncioConstruct() throws Exception {
        String javadoc = Files.readString(Path.of("src/main/java/org/contextvars4j/package-info.java"), StandardCharsets.UTF_8);
        String propagation = Files.readString(Path.of("../docs/propagation.md"), StandardCharsets.UTF_8);
        for (String construct : List.of("asyncio.gather", "asyncio.sleep", "async with", "asyncio.timeout")) {
            assertThat(javadoc).as("package javadoc").contains(construct);
            assertThat(propagation).as("docs/propagation.md").contains(construct);
        }
    }
}
