/**
 * contextvars4j servlet: a Jakarta Servlet 6.0 filter that runs each request in a fresh
 * context, with a request id, an authentication hook and async support. The Servlet API is
 * provided by the container.
 */
module org.contextvars4j.servlet {
    requires transitive org.contextvars4j.web;
    requires transitive jakarta.servlet;

    exports org.contextvars4j.servlet;
}
