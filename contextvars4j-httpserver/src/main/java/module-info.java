/**
 * contextvars4j httpserver: a {@code com.sun.net.httpserver} filter that runs each exchange in a
 * fresh context, with a request id and an authentication hook.
 */
module org.contextvars4j.httpserver {
    requires transitive org.contextvars4j.web;
    requires transitive jdk.httpserver;

    exports org.contextvars4j.httpserver;
}
