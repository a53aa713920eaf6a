package org.contextvars4j.slf4j;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.status.StatusUtil;
import ch.qos.logback.core.util.StatusPrinter2;
import org.slf4j.ILoggerFactory;
import org.slf4j.IMarkerFactory;
import org.slf4j.helpers.BasicMarkerFactory;
import org.slf4j.helpers.Reporter;
import org.slf4j.spi.MDCAdapter;
import org.slf4j.spi.SLF4JServiceProvider;

/**
 * The SLF4J provider for Logback with the MDC backed by the current context: Logback's own
 * provider in every respect (the default {@link LoggerContext}, configured from
 * {@code logback.xml} / {@code logback-test.xml} as usual) except the MDC adapter, which is
 * {@link ContextMdc#mdcAdapter()} both for {@code org.slf4j.MDC} and for the logger context that
 * fills each event's MDC.
 *
 * <p>Select it with the system property that SLF4J 2.0.9+ reads before it looks for providers:
 * <pre>{@code
 * -Dslf4j.provider=org.contextvars4j.slf4j.ContextLogbackServiceProvider
 * }</pre>
 * It is deliberately not registered as a service: Logback registers its own provider, and with
 * two registered SLF4J takes the first one on the class path.
 *
 * @apiNote SLF4J creates the provider reflectively, hence the public constructor; applications
 * never call it.
 */
public final class ContextLogbackServiceProvider implements SLF4JServiceProvider {

    /** The fully qualified name to give to {@code -Dslf4j.provider}. */
    public static final String NAME = "org.contextvars4j.slf4j.ContextLogbackServiceProvider";

    private final LoggerContext loggerContext = new LoggerContext();
    private final IMarkerFactory markerFactory = new BasicMarkerFactory();

    /** Creates the provider; SLF4J calls it, then {@link #initialize()}. */
    public ContextLogbackServiceProvider() {
    }

    /**
     * Names the default logger context, gives it the context-backed MDC adapter, configures it
     * the way Logback does (reporting configuration errors and warnings on the console unless a
     * status listener is configured) and starts it.
     */
    @Override
    public void initialize() {
        loggerContext.setName(CoreConstants.DEFAULT_CONTEXT_NAME);
        ContextMdc.install(loggerContext);
        try {
            new ContextInitializer(loggerContext).autoConfig();
        } catch (JoranException e) {
            Reporter.error("failed to auto-configure the default logger context", e);
        }
        if (!StatusUtil.contextHasStatusListener(loggerContext)) {
            new StatusPrinter2().printInCaseOfErrorsOrWarnings(loggerContext);
        }
        loggerContext.start();
    }

    /** {@return the default logger context} */
    @Override
    public ILoggerFactory getLoggerFactory() {
        return loggerContext;
    }

    /** {@return the marker factory} */
    @Override
    public IMarkerFactory getMarkerFactory() {
        return markerFactory;
    }

    /** {@return the MDC adapter backed by the current context} */
    @Override
    public MDCAdapter getMDCAdapter() {
        return ContextMdc.mdcAdapter();
    }

    /** {@return the SLF4J API version this provider is built for} */
    @Override
    public String getRequestedApiVersion() {
        return "2.0.99";
    }
}
