/**
 * The contextvars4j Java agent ({@code -javaagent:contextvars4j-agent.jar}): plain JDK executors,
 * {@code CompletableFuture}, fork/join tasks and thread-per-task executors follow the
 * propagation rules (P2, P4, P5) without code changes. {@link org.contextvars4j.agent.ContextAgent}
 * is the entry point; the advice and the option parsing are package-private, and the classes JDK
 * code calls live in {@link org.contextvars4j.agent.bootstrap}.
 */
package org.contextvars4j.agent;
