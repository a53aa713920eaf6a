/**
 * Spring Boot auto-configuration for contextvars4j. Each auto-configuration switches on when its
 * classes are present, can be switched off with a {@code contextvars4j.*.enabled} property, and
 * backs off when the application defines the bean itself:
 * <ul>
 *   <li>{@link org.contextvars4j.spring.boot.autoconfigure.ContextVarsServletAutoConfiguration}:
 *       the request filter of {@code contextvars4j-servlet};</li>
 *   <li>{@link org.contextvars4j.spring.boot.autoconfigure.ContextVarsExecutorAutoConfiguration}:
 *       the task decorator Boot applies to its executors and schedulers;</li>
 *   <li>{@link org.contextvars4j.spring.boot.autoconfigure.ContextVarsLoggingAutoConfiguration}:
 *       the MDC carried with the context, and the request id and user in every log line.</li>
 * </ul>
 * The settings are in {@link org.contextvars4j.spring.boot.autoconfigure.ContextVarsProperties};
 * {@code docs/spring-boot.md} is the user's guide.
 */
package org.contextvars4j.spring.boot.autoconfigure;
