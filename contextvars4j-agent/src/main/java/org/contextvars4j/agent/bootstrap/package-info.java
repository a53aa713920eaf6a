/**
 * The few classes of the contextvars4j agent that instrumented JDK code calls: the agent puts
 * them on the bootstrap class path, where {@code ThreadPoolExecutor}, {@code CompletableFuture}
 * and the other JDK classes can see them. Not for application use: nothing here is a stable API.
 */
package org.contextvars4j.agent.bootstrap;
