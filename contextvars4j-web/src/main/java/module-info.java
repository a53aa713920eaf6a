/**
 * contextvars4j web: the server-neutral half of the web request scope, shared by the Servlet
 * filter ({@code org.contextvars4j.servlet}) and the JDK HttpServer filter
 * ({@code org.contextvars4j.httpserver}). Depends on the core only.
 */
module org.contextvars4j.web {
    requires transitive org.contextvars4j;

    exports org.contextvars4j.web;
}
