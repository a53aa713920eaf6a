package org.contextvars4j.servlet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Set;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.RequestScope;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.Authenticator;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.testing.Deep;
import org.contextvars4j.web.testing.LoadRun;
import org.contextvars4j.web.testing.TestAuth;
import org.eclipse.jetty.ee10.servlet.ErrorPageErrorHandler;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("RequestScopeFilter setup: a fresh context whatever the container thread holds; init parameters")
class RequestScopeFilterSetupTest {

    private static final ContextVar<String> LEFT_BEHIND = ContextVar.of("left_behind");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(30)).build();

    private static void write(HttpServletResponse response, String body) throws IOException {
        response.getWriter().write(body);
    }

    /** Unfiltered, and badly behaved: sets a var on the container thread and never resets it. */
    static final class Polluter extends HttpServlet {
        private static final long serialVersionUID = 1L;
        static final Set<String> POLLUTED = ConcurrentHashMap.newKeySet();

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            LEFT_BEHIND.set("stale");
            POLLUTED.add(Thread.currentThread().getName());
            write(response, "ok");
        }
    }

    /** Unfiltered: what the container thread's context holds. */
    static final class Peek extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            write(response, LEFT_BEHIND.orElse("absent"));
        }
    }

    /** Filtered: shows every var of the current context and the serving thread. */
    static final class Show extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            write(response, Thread.currentThread().getName() + " " + Context.copyCurrent().keySet().size() + " "
                    + LEFT_BEHIND.orElse("absent"));
        }
    }

    @Test
    @DisplayName("S1/S6: a request never sees what the container thread held, and the thread gets it back afterwards")
    void doFilter_pollutedContainerThreads_requestSeesAFreshContext() throws Exception {
        try (JettyServer jetty = JettyServer.start(context -> {
            context.addFilter(new FilterHolder(RequestScopeFilter.builder().build()), "/show", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new Show()), "/show");
            context.addServlet(new ServletHolder(new Polluter()), "/pollute");
            context.addServlet(new ServletHolder(new Peek()), "/peek");
        })) {
            LoadRun pollute = LoadRun.run(client, 300, 60, i -> HttpRequest.newBuilder(jetty.uri("/pollute")).build(),
                    (i, r) -> r.statusCode() == 200 ? null : "status " + r.statusCode());
            assertThat(pollute.mismatches()).isEmpty();
            Set<String> served = ConcurrentHashMap.newKeySet();
            LoadRun show = LoadRun.run(client, 300, 60, i -> HttpRequest.newBuilder(jetty.uri("/show")).build(), (i, r) -> {
                String[] parts = r.body().split(" ");
                served.add(parts[0]);
                // request_id, user and the request scope: nothing of the thread's own context
                return r.statusCode() == 200 && parts[1].equals("3") && parts[2].equals("absent") ? null : r.body();
            });
            assertThat(show.mismatches()).isEmpty();
            served.retainAll(Polluter.POLLUTED);
            assertThat(served).as("filtered requests served on polluted threads").isNotEmpty();
            // The unfiltered servlet still finds the stale value: the filter put the thread's context back.
            Set<String> peeked = ConcurrentHashMap.newKeySet();
            LoadRun peek = LoadRun.run(client, 100, 20, i -> HttpRequest.newBuilder(jetty.uri("/peek")).build(), (i, r) -> {
                peeked.add(r.body());
                return null;
            });
            assertThat(peek.mismatches()).isEmpty();
            assertThat(peeked).contains("stale");
        }
    }

    /** Configured by class name through the {@code authenticator} init parameter. */
    public static final class HeaderAuthenticator implements Authenticator<HttpServletRequest> {
        /** Instantiated by the filter from its init parameter. */
        public HeaderAuthenticator() {
        }

        @Override
        public Authentication authenticate(HttpServletRequest request) {
            return TestAuth.fromAuthorization(request.getHeader("Authorization"));
        }
    }

    /** Filtered: the request id and the user. */
    static final class Who extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            write(response, RequestVars.REQUEST_ID.get() + " " + RequestVars.currentUser().orElseThrow().name());
        }
    }

    @Test
    void init_initParameters_configureHeaderAuthenticatorAndRules() throws Exception {
        // tag::init-parameters[]
        FilterHolder holder = new FilterHolder(RequestScopeFilter.class);
        holder.setInitParameter("requestIdHeader", "X-Correlation-Id");
        holder.setInitParameter("authenticator", HeaderAuthenticator.class.getName());
        holder.setInitParameter("requireUser", "/api/*");
        holder.setInitParameter("requireRole", "/api/admin/*=admin");
        holder.setInitParameter("realm", "shop");
        // end::init-parameters[]
        try (JettyServer jetty = JettyServer.start(context -> {
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new Who()), "/api/*");
        })) {
            HttpResponse<String> ok = client.send(HttpRequest.newBuilder(jetty.uri("/api/me"))
                    .header("X-Correlation-Id", "corr-1").header("Authorization", "Bearer ann").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ok.body()).isEqualTo("corr-1 ann");
            assertThat(ok.headers().firstValue("X-Correlation-Id")).contains("corr-1");
            assertThat(ok.headers().firstValue("X-Request-Id")).isEmpty();
            HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(jetty.uri("/api/me")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"shop\"");
            HttpResponse<String> forbidden = client.send(HttpRequest.newBuilder(jetty.uri("/api/admin/x"))
                    .header("Authorization", "Bearer ann").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(forbidden.statusCode()).isEqualTo(403);
        }
    }

    /** Filtered: fails. */
    static final class Boom extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) {
            throw new IllegalStateException("boom");
        }
    }

    /** The error page, reached through an ERROR dispatch on a thread outside the request's context. */
    static final class ErrorPage extends HttpServlet {
        private static final long serialVersionUID = 1L;

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            write(response, "error page " + Deep.describe() + " scope open: "
                    + RequestScope.current().map(RequestScope::isOpen).orElse(null));
        }
    }

    @Test
    @DisplayName("an ERROR dispatch after a failure sees the request's id and user; its scope ended with the failure (no longer bound)")
    void doFilter_errorDispatch_errorPageSeesTheRequest() throws Exception {
        try (JettyServer jetty = JettyServer.start(context -> {
            context.addFilter(new FilterHolder(RequestScopeFilter.builder()
                            .authenticator((HttpServletRequest r) -> TestAuth.fromAuthorization(r.getHeader("Authorization"))).build()),
                    "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.ERROR));
            context.addServlet(new ServletHolder(new Boom()), "/boom");
            context.addServlet(new ServletHolder(new ErrorPage()), "/error");
            ErrorPageErrorHandler errors = new ErrorPageErrorHandler();
            errors.addErrorPage(500, "/error");
            context.setErrorHandler(errors);
        })) {
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(jetty.uri("/boom"))
                    .header("X-Request-Id", "err-1").header("Authorization", "Bearer eve").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.headers().firstValue("X-Request-Id")).contains("err-1");
            assertThat(r.body()).isEqualTo("error page err-1/eve scope open: null");   // ended and unbound with the failure
        }
    }

    @Test
    void init_malformedInitParameter_refusedWithServletExceptionNamingFilterAndParameter() {
        FilterHolder holder = new FilterHolder(RequestScopeFilter.class);
        holder.setName("scope");
        holder.setInitParameter("requireRole", "/admin/*");
        assertThatThrownBy(() -> JettyServer.start(context -> {
            context.addFilter(holder, "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(new Who()), "/*");
        }).close())
                .hasStackTraceContaining("jakarta.servlet.ServletException: filter scope: requireRole entry is not pattern=role: \"/admin/*\"");
    }

    @Test
    @DisplayName("a filter a container never initialised refuses to decide requests, and stays refusing")
    void policy_beforeInit_refusedNamingTheFilter() {
        RequestScopeFilter filter = new RequestScopeFilter();
        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(filter::policy)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage("filter org.contextvars4j.servlet.RequestScopeFilter used before init");
        }
    }
}
