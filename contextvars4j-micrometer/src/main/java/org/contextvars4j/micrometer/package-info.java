/**
 * The current contextvars4j {@link org.contextvars4j.Context} carried by Micrometer's
 * context-propagation library, and so by everything built on it: Reactor's automatic context
 * propagation ({@code Hooks.enableAutomaticContextPropagation()}), Spring's
 * {@code ContextPropagatingTaskDecorator}, Micrometer's {@code ContextExecutorService},
 * {@code ContextScheduledExecutorService} and {@code ContextSnapshot}.
 *
 * <p>{@link org.contextvars4j.micrometer.ContextThreadLocalAccessor} is found by Micrometer's
 * {@code ContextRegistry} through {@link java.util.ServiceLoader}: adding this module to an
 * application is all it takes. Every snapshot Micrometer takes then holds an O(1) copy of the
 * current context, and every scope Micrometer opens from it makes a fresh copy current and puts
 * the previous context back when it closes, in LIFO order with the other registered accessors.
 * No executor needs a second, contextvars4j wrapper.
 *
 * <p>{@link org.contextvars4j.micrometer.ContextVarAccessor} goes the other way: it shows one entry
 * of a Reactor {@code Context} (written with {@code contextWrite}) as a
 * {@link org.contextvars4j.ContextVar}, and captures the var's value under that entry's key.
 *
 * <p>The page {@code docs/micrometer-reactor.md} has the setup for Reactor, Spring and plain
 * executors, taken from the module's tests.
 */
package org.contextvars4j.micrometer;
