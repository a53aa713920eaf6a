package org.contextvars4j.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import org.contextvars4j.Context;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.contextvars4j.web.testing.Deep;
import org.contextvars4j.web.testing.Tracked;

/** The servlets the tests talk to. */
final class FixtureServlets {

    private FixtureServlets() {
    }

    private static void write(HttpServletResponse response, String body) throws IOException {
        response.setContentType("text/plain");
        response.getWriter().write(body);
    }

    /** Reads id and user several calls deep, after an executor hop and in a ContextCompletableFuture stage. */
    static final class Echo extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final transient ExecutorService wrapped;
        private final transient ExecutorService raw;

        Echo(ExecutorService pool) {
            this.wrapped = ContextExecutors.wrap(pool);
            this.raw = pool;
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            try {
                write(response, Deep.everywhere(wrapped, raw));
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** A page with one user's data. */
    static final class Secret extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            write(response, "secret of " + RequestVars.currentUser().map(User::name).orElseThrow());
        }
    }

    /** Outside the filter: what the container thread holds. */
    static final class Probe extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            Context current = Context.copyCurrent();
            write(response, current.isEmpty() ? "clean" : "dirty " + current.keySet() + " id=" + RequestVars.REQUEST_ID.orElse("none"));
        }
    }

    /** {@return "" when the scope's resource here is {@code expected} and still open, else what is wrong} */
    static String sameOpen(Object expected) {
        Tracked here = Tracked.RESOURCE.get();
        return here != expected ? " another resource" : here.isClosed() ? " resource closed" : "";
    }

    /**
     * startAsync, then AsyncContext.start on a container thread, then dispatch back to this
     * servlet; a listener records what it sees at completion, keyed by the request id the
     * client sent.
     */
    static final class Async extends HttpServlet {
        private static final long serialVersionUID = 1L;
        static final Map<String, String> COMPLETED = new ConcurrentHashMap<>();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            if (request.getDispatcherType() == DispatcherType.ASYNC) {
                write(response, request.getAttribute("inStart") + "|" + Deep.describe() + sameOpen(request.getAttribute("tracked")));
                return;
            }
            String sent = request.getHeader("X-Request-Id");
            Tracked tracked = Tracked.RESOURCE.get();          // opened in the request's scope
            request.setAttribute("tracked", tracked);
            AsyncContext async = request.startAsync();
            async.addListener(new AsyncListener() {
                @Override
                public void onComplete(AsyncEvent event) {
                    COMPLETED.put(sent, Deep.describe() + (tracked.isClosed() ? " closed before the listeners ran" : ""));
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                }

                @Override
                public void onError(AsyncEvent event) {
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                }
            });
            async.start(() -> {
                request.setAttribute("inStart", Deep.describe() + sameOpen(tracked));
                async.dispatch();
            });
        }
    }
}
