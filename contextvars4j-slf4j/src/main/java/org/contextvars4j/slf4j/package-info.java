/**
 * SLF4J's MDC backed by the current {@link org.contextvars4j.Context}, for Logback 1.5.
 *
 * <h2>What changes</h2>
 * The stock MDC is a thread-local map: it stays behind when work moves to a pool thread, a
 * {@code CompletableFuture} stage or a virtual thread, unless someone copies it by hand, and it
 * leaks into the next task a pooled thread runs unless someone clears it. Here the MDC entries
 * are the value of a {@link org.contextvars4j.ContextVar} holding an immutable map, so:
 * <ul>
 *   <li>{@code MDC.put}, {@code get}, {@code remove}, {@code clear}, {@code setContextMap},
 *       {@code getCopyOfContextMap} and the deques of {@code pushByKey} / {@code popByKey} read
 *       and write the current context. A put is a {@code set}: copies of the context taken
 *       earlier keep what they had, and {@code clear} empties the current context only;</li>
 *   <li>every propagation point of the core ({@code ContextExecutors}, {@code ContextThreads},
 *       {@code ContextCompletableFuture}, {@code Context.wrap}) carries the MDC with no copying,
 *       and a pooled thread starts each task with the MDC of the task's context, never the
 *       previous task's;</li>
 *   <li>{@code %X{key}} in a Logback pattern prints the value in the context the event was
 *       logged in, also through an {@code AsyncAppender} (which takes the event's MDC on the
 *       logging thread);</li>
 *   <li>{@link org.contextvars4j.slf4j.ContextMdc#expose ContextMdc.expose} prints any
 *       {@code ContextVar} under an MDC key, read live, never copied.</li>
 * </ul>
 *
 * <h2>Switching it on</h2>
 * Depend on {@code org.contextvars4j:contextvars4j-slf4j} (it brings Logback) and start the JVM
 * with
 * <pre>{@code
 * -Dslf4j.provider=org.contextvars4j.slf4j.ContextLogbackServiceProvider
 * }</pre>
 * SLF4J 2.0.9+ then instantiates {@link org.contextvars4j.slf4j.ContextLogbackServiceProvider}
 * instead of looking for providers, and Logback configures itself as usual. Without the
 * property, Logback's own provider and its thread-local MDC stay in charge of
 * {@code org.slf4j.MDC}; the first {@link org.contextvars4j.slf4j.ContextMdc#expose
 * ContextMdc.expose} then gives Logback's default {@code LoggerContext} the exposed vars (they
 * print with no property) and says once, at WARN, that {@code MDC.put} stays thread-local; with
 * any other SLF4J binding it says once, at WARN, that exposed vars cannot print. Both lines name
 * the property.
 *
 * <h2>Serialization</h2>
 * Events keep the context's MDC map by reference; it Java-serializes as a plain
 * {@code HashMap}, so a {@code SocketAppender} sends it and Logback's hardened receiver reads it.
 *
 * <h2>Where Logback reads the MDC</h2>
 * Logback's events take their MDC from the adapter of their {@code LoggerContext}
 * ({@code LoggingEvent.getMDCPropertyMap}, lazily, on the logging thread; {@code AsyncAppender}
 * forces it before queueing); its turbo filters ({@code MDCFilter},
 * {@code DynamicThresholdFilter}) and {@code MDCInsertingServletFilter} go through the static
 * {@code org.slf4j.MDC}. Both lead here once the provider is selected; nothing in Logback reads
 * its own thread-local adapter directly. A {@code LoggerContext} built by hand needs
 * {@link org.contextvars4j.slf4j.ContextMdc#install ContextMdc.install}.
 *
 * <h2>Differences from the stock MDC</h2>
 * <ul>
 *   <li>{@code org.slf4j.MDC.putCloseable} is implemented inside {@code slf4j-api} as a put
 *       whose close calls {@code MDC.remove}: it removes the key, as with stock Logback.
 *       {@link org.contextvars4j.slf4j.ContextMdc#putCloseable ContextMdc.putCloseable}
 *       restores the previous value instead.</li>
 *   <li>{@code getCopyOfContextMap} and {@code getKeys} never return null (an empty map or
 *       set); both include the exposed vars.</li>
 *   <li>With the core's leak detection on, a {@code put} in a task that never removes it is
 *       reported as a token not reset (harmless here: the task's context copy is discarded).</li>
 * </ul>
 */
package org.contextvars4j.slf4j;
