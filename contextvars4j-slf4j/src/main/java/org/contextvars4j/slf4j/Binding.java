package org.contextvars4j.slf4j;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.spi.MDCAdapter;

/**
 * What the MDC bound by SLF4J means for this module, checked once, the first time
 * {@link ContextMdc#expose} or {@link ContextMdc#putCloseable} is called, and said once:
 * <ul>
 *   <li>the context-backed MDC ({@code -Dslf4j.provider=...ContextLogbackServiceProvider}):
 *       nothing to say;</li>
 *   <li>Logback's own provider: its default {@code LoggerContext} gets an
 *       {@link ExposingMdcAdapter}, so exposed vars print with no system property; one WARN says
 *       that {@code MDC.put} stays thread-local and names the property that changes it;</li>
 *   <li>anything else (another SLF4J binding): exposed vars and {@code ContextMdc.putCloseable}
 *       cannot reach its events; one WARN names the property.</li>
 * </ul>
 * SLF4J 2 takes its provider from {@code slf4j.provider} or, without it, the first
 * {@code SLF4JServiceProvider} that {@link java.util.ServiceLoader} finds on the class path, and
 * {@code org.slf4j.MDC} keeps that provider's adapter; Logback's provider always makes its own
 * thread-local adapter. So the static {@code MDC} can follow contexts only through the property.
 */
final class Binding {

    private static volatile boolean checked;

    private Binding() {
    }

    /** Checks the binding, once per JVM; cheap afterwards. */
    static void check() {
        if (!checked) {
            checkOnce();
        }
    }

    private static synchronized void checkOnce() {
        if (checked) {
            return;
        }
        checked = true;
        report(MDC.getMDCAdapter(), LoggerFactory.getILoggerFactory(), LoggerFactory.getLogger(ContextMdc.class));
    }

    /**
     * Makes exposed vars reach the events of {@code factory} if it can, and says what holds to
     * {@code log}.
     */
    static void report(MDCAdapter bound, ILoggerFactory factory, Logger log) {
        if (bound == ContextMdcAdapter.INSTANCE) {
            return;
        }
        if (factory instanceof LoggerContext) {
            LoggerContext logback = (LoggerContext) factory;
            MDCAdapter adapter = logback.getMDCAdapter();
            if (adapter == ContextMdcAdapter.INSTANCE || adapter instanceof ExposingMdcAdapter) {
                return;
            }
            if (adapter instanceof LogbackMDCAdapter) {
                logback.setMDCAdapter(new ExposingMdcAdapter((LogbackMDCAdapter) adapter));
                log.warn("contextvars4j: exposed context vars print through Logback's own MDC; MDC.put"
                        + " entries stay thread-local and do not follow contexts. For the context-backed"
                        + " MDC start the JVM with -D{}={}", PROVIDER_PROPERTY, ContextLogbackServiceProvider.NAME);
                return;
            }
        }
        log.warn("contextvars4j: SLF4J is bound to {} ({}), not to the context-backed MDC: exposed context"
                + " vars and ContextMdc.putCloseable entries will not appear in log events. Start the JVM"
                + " with -D{}={}", factory.getClass().getName(), bound == null ? "no mdc adapter"
                : bound.getClass().getName(), PROVIDER_PROPERTY, ContextLogbackServiceProvider.NAME);
    }

    /** The system property SLF4J 2.0.9+ reads to select its provider. */
    static final String PROVIDER_PROPERTY = "slf4j.provider";
}
