/**
 * Log4j 2's thread context and context data backed by the current
 * {@link org.contextvars4j.Context}.
 *
 * <h2>What changes</h2>
 * Log4j's thread context ({@code ThreadContext.put}, its MDC) is thread-local by default: it
 * stays behind when work moves to a pool thread, a {@code CompletableFuture} stage or a virtual
 * thread, and it leaks into the next task of a pooled thread unless cleared. This package offers
 * two pieces, usable together or apart:
 * <ul>
 *   <li>{@link org.contextvars4j.log4j2.ContextThreadContextMap}: the thread context kept in the
 *       current context, the default as soon as this module is on the path (a Log4j API
 *       provider of the module selects it; no property needed). Every propagation point
 *       of the core then carries the entries with no copying;</li>
 *   <li>{@link org.contextvars4j.log4j2.ContextLog4j#expose ContextLog4j.expose}: any
 *       {@code ContextVar} printed as context data ({@code %X{user}}), read when the event is
 *       created. A {@code ContextDataProvider} registered as a service does this; it needs no
 *       configuration.</li>
 * </ul>
 * Both are read on the logging thread when Log4j creates the event, so async loggers and async
 * appenders print the values the event was logged with.
 *
 * <h2>Modules</h2>
 * On the module path Log4j finds the provider through this module's {@code provides} clause
 * ({@code log4j-core} declares {@code uses ContextDataProvider}); on the class path through
 * {@code META-INF/services}. The thread-context map is created by class name, which the exported
 * package allows.
 */
package org.contextvars4j.log4j2;
