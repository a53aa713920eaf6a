package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * P6: accessors are discovered through {@link java.util.ServiceLoader}. This class runs in its
 * own surefire execution with the test classes on the class path, where
 * {@code META-INF/services/org.contextvars4j.ThreadLocalAccessor} is read (it lists
 * {@link TenantAccessor} and a class that does not exist).
 */
@ExtendWith(ContextLeakGuard.class)
class ServiceLoaderClasspathTest {

    static final ThreadLocal<String> TENANT = new ThreadLocal<>();

    /** Bridges {@link #TENANT}; registered only through the services file. */
    public static final class TenantAccessor implements ThreadLocalAccessor<String> {
        @Override
        public String capture() {
            return TENANT.get();
        }

        @Override
        public void restore(String value) {
            TENANT.set(value);
        }

        @Override
        public void reset() {
            TENANT.remove();
        }
    }

    /** What loading the providers logged: captured, not printed (the broken entry is there on purpose). */
    static List<LogRecord> loadLog;

    @BeforeAll
    static void loadProvidersWhileCapturingTheLog() {
        try (LogCapture log = LogCapture.of(ThreadLocalAccessors.class)) {
            ThreadLocalAccessors.registered();   // the first use loads the providers
            loadLog = log.records();
        }
    }

    @Test
    void loading_brokenEntry_loggedAtSevereNamingIt_P6() {
        assertThat(loadLog).singleElement().satisfies(r -> {
            assertThat(r.getLevel()).isEqualTo(Level.SEVERE);
            assertThat(r.getMessage()).isEqualTo("cannot load a ThreadLocalAccessor provider; it is skipped");
            assertThat(r.getThrown()).isInstanceOf(ServiceConfigurationError.class)
                    .hasMessageContaining("org.contextvars4j.NoSuchAccessorClass");
        });
    }

    @Test
    void registered_providerInServicesFile_isLoadedAndBrokenEntrySkipped_P6() {
        assertThat(ThreadLocalAccessors.registered())
                .as("the services file names one loadable provider and one missing class")
                .singleElement().isInstanceOf(TenantAccessor.class);
    }

    @Test
    void wrappedExecutor_serviceLoadedAccessor_carriesThreadLocalAndRestoresWorker_P6() throws Exception {
        ExecutorService raw = Executors.newSingleThreadExecutor();
        try {
            raw.submit(() -> TENANT.set("worker-own")).get(10, TimeUnit.SECONDS);
            ExecutorService pool = ContextExecutors.wrap(raw);
            TENANT.set("acme");
            try {
                assertThat(pool.submit(TENANT::get).get(10, TimeUnit.SECONDS)).isEqualTo("acme");
            } finally {
                TENANT.remove();
            }
            assertThat(raw.submit(TENANT::get).get(10, TimeUnit.SECONDS))
                    .as("the worker's own value is back after the task")
                    .isEqualTo("worker-own");
            raw.submit(() -> {
                TENANT.remove();
                ContextLeakGuard.assertThreadClean("worker");
            }).get(10, TimeUnit.SECONDS);
        } finally {
            raw.shutdownNow();
            assertThat(raw.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }
}
