package org.contextvars4j.demo;

/**
 * A request the filter let in: its id (echoed or generated), its user, its trace id and the
 * service instance serving it, with that instance's connection pool.
 */
record Admission(String requestId, User user, String traceId, String service, Db.Pool pool) {
}
