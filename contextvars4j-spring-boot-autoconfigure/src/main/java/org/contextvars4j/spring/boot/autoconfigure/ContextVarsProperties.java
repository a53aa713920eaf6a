package org.contextvars4j.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The settings of contextvars4j in a Spring Boot application, under {@code contextvars4j.*}.
 * Every piece is on by default when its classes are present; each {@code enabled} switch turns
 * one off. {@code docs/spring-boot.md} lists them all.
 */
@ConfigurationProperties("contextvars4j")
public final class ContextVarsProperties {

    /** The order of the request filter unless {@code contextvars4j.web.filter-order} says otherwise. */
    public static final int DEFAULT_FILTER_ORDER = Integer.MIN_VALUE + 10;

    private final Web web = new Web();
    private final Executors executors = new Executors();
    private final Logging logging = new Logging();
    private final Security security = new Security();
    private final Baggage baggage = new Baggage();

    /** For Spring's binder. */
    public ContextVarsProperties() {
    }

    /** {@return the request filter's settings} */
    public Web getWeb() {
        return web;
    }

    /** {@return the executors' settings} */
    public Executors getExecutors() {
        return executors;
    }

    /** {@return the logging settings} */
    public Logging getLogging() {
        return logging;
    }

    /** {@return the Spring Security settings} */
    public Security getSecurity() {
        return security;
    }

    /** {@return the baggage settings} */
    public Baggage getBaggage() {
        return baggage;
    }

    /** The request filter: {@code contextvars4j.web.*}. */
    public static final class Web {

        /** Whether to register the request filter in a servlet application. */
        private boolean enabled = true;

        /**
         * The order of the request filter among the servlet filters. The default runs it before
         * Spring Security's chain (-100) and Spring's own request filters, so that every other
         * filter already sees the request id.
         */
        private int filterOrder = DEFAULT_FILTER_ORDER;

        /** The header that carries the request id, inbound and outbound. */
        private String requestIdHeader = "X-Request-Id";

        /**
         * Path patterns that require an authenticated user ({@code /*}, {@code /prefix/*} or an
         * exact path): a request without one is answered with 401 by the filter.
         */
        private List<String> requireUser = new ArrayList<>();

        /**
         * Path patterns that require a role, as pattern=role: a request without a user gets
         * 401, a user without the role 403.
         */
        private Map<String, String> requireRole = new LinkedHashMap<>();

        /**
         * Path patterns ({@code /*}, {@code /prefix/*} or an exact path) that skip
         * authentication: the authenticator is not called, the request is anonymous, and
         * require-user and require-role do not apply.
         */
        private List<String> publicPaths = new ArrayList<>();

        /**
         * A regular expression that inbound request ids must match in full to be kept. It can
         * only narrow the built-in rule (1 to 128 characters from [A-Za-z0-9._:-]).
         */
        private String requestIdPattern;

        /** The longest inbound request id that is kept, from 1 to 128. */
        private int requestIdMaxLength = 128;

        /**
         * Whether a request whose request-id header is invalid or repeated is answered 400 (and
         * logged at INFO) instead of getting a generated id (logged at DEBUG).
         */
        private boolean rejectInvalidRequestId;

        /**
         * Where generated request ids come from: "random" (32 hex digits) or "uuid". A
         * Supplier&lt;String&gt; bean named contextVarsRequestIdGenerator takes precedence.
         */
        private String requestIdGenerator = "random";

        /** The authentication scheme named in the WWW-Authenticate challenge of a 401. */
        private String authScheme = "Bearer";

        /** The realm named in the WWW-Authenticate challenge of a 401. */
        private String realm = "contextvars4j";

        /**
         * Whether RestClient and RestTemplate calls send the current request id in the
         * request-id header, so that the called service continues it.
         */
        private boolean propagateRequestId = true;

        /** For Spring's binder. */
        public Web() {
        }

        /** {@return whether the request filter is registered} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether the request filter is registered.
         *
         * @param enabled whether the request filter is registered
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** {@return the request filter's order} */
        public int getFilterOrder() {
            return filterOrder;
        }

        /**
         * Sets the request filter's order.
         *
         * @param filterOrder the request filter's order
         */
        public void setFilterOrder(int filterOrder) {
            this.filterOrder = filterOrder;
        }

        /** {@return the request id header} */
        public String getRequestIdHeader() {
            return requestIdHeader;
        }

        /**
         * Sets the request id header.
         *
         * @param requestIdHeader the request id header
         */
        public void setRequestIdHeader(String requestIdHeader) {
            this.requestIdHeader = requestIdHeader;
        }

        /** {@return the patterns that require a user} */
        public List<String> getRequireUser() {
            return requireUser;
        }

        /**
         * Sets the patterns that require a user.
         *
         * @param requireUser the patterns that require a user
         */
        public void setRequireUser(List<String> requireUser) {
            this.requireUser = requireUser;
        }

        /** {@return the patterns that require a role, with the role} */
        public Map<String, String> getRequireRole() {
            return requireRole;
        }

        /**
         * Sets the patterns that require a role, with the role.
         *
         * @param requireRole the patterns that require a role, with the role
         */
        public void setRequireRole(Map<String, String> requireRole) {
            this.requireRole = requireRole;
        }

        /** {@return the patterns of the paths that skip authentication} */
        public List<String> getPublicPaths() {
            return publicPaths;
        }

        /**
         * Sets the patterns of the paths that skip authentication.
         *
         * @param publicPaths the patterns
         */
        public void setPublicPaths(List<String> publicPaths) {
            this.publicPaths = publicPaths;
        }

        /** {@return the pattern inbound request ids must match, or null} */
        public String getRequestIdPattern() {
            return requestIdPattern;
        }

        /**
         * Sets the pattern inbound request ids must match.
         *
         * @param requestIdPattern a regular expression
         */
        public void setRequestIdPattern(String requestIdPattern) {
            this.requestIdPattern = requestIdPattern;
        }

        /** {@return the longest inbound request id that is kept} */
        public int getRequestIdMaxLength() {
            return requestIdMaxLength;
        }

        /**
         * Sets the longest inbound request id that is kept.
         *
         * @param requestIdMaxLength from 1 to 128
         */
        public void setRequestIdMaxLength(int requestIdMaxLength) {
            this.requestIdMaxLength = requestIdMaxLength;
        }

        /** {@return whether an invalid request id is answered 400} */
        public boolean isRejectInvalidRequestId() {
            return rejectInvalidRequestId;
        }

        /**
         * Sets whether an invalid request id is answered 400.
         *
         * @param rejectInvalidRequestId whether an invalid request id is answered 400
         */
        public void setRejectInvalidRequestId(boolean rejectInvalidRequestId) {
            this.rejectInvalidRequestId = rejectInvalidRequestId;
        }

        /** {@return where generated request ids come from: random or uuid} */
        public String getRequestIdGenerator() {
            return requestIdGenerator;
        }

        /**
         * Sets where generated request ids come from.
         *
         * @param requestIdGenerator random or uuid
         */
        public void setRequestIdGenerator(String requestIdGenerator) {
            this.requestIdGenerator = requestIdGenerator;
        }

        /** {@return the challenge's scheme} */
        public String getAuthScheme() {
            return authScheme;
        }

        /**
         * Sets the challenge's scheme.
         *
         * @param authScheme the challenge's scheme
         */
        public void setAuthScheme(String authScheme) {
            this.authScheme = authScheme;
        }

        /** {@return whether outbound calls send the request id} */
        public boolean isPropagateRequestId() {
            return propagateRequestId;
        }

        /**
         * Sets whether outbound calls send the request id.
         *
         * @param propagateRequestId whether outbound calls send the request id
         */
        public void setPropagateRequestId(boolean propagateRequestId) {
            this.propagateRequestId = propagateRequestId;
        }

        /** {@return the challenge's realm} */
        public String getRealm() {
            return realm;
        }

        /**
         * Sets the challenge's realm.
         *
         * @param realm the challenge's realm
         */
        public void setRealm(String realm) {
            this.realm = realm;
        }
    }

    /** The executors: {@code contextvars4j.executors.*}. */
    public static final class Executors {

        /**
         * Whether to contribute the TaskDecorator that Boot applies to its task executors and
         * schedulers and to those built with its builders.
         */
        private boolean enabled = true;

        /** For Spring's binder. */
        public Executors() {
        }

        /** {@return whether the task decorator is contributed} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether the task decorator is contributed.
         *
         * @param enabled whether the task decorator is contributed
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    /** Logging: {@code contextvars4j.logging.*}. */
    public static final class Logging {

        /**
         * Whether to put the request id and user into the MDC of every request, carry the MDC
         * with the context, and print both in Boot's default log pattern.
         */
        private boolean enabled = true;

        /**
         * The default of logging.pattern.correlation (Boot's default patterns print it after the
         * thread name); an explicit logging.pattern.correlation wins.
         */
        private String pattern = "[%X{request_id} %X{user}] ";

        /** For Spring's binder. */
        public Logging() {
        }

        /** {@return whether the logging bridge is on} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether the logging bridge is on.
         *
         * @param enabled whether the logging bridge is on
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** {@return the default correlation pattern} */
        public String getPattern() {
            return pattern;
        }

        /**
         * Sets the default correlation pattern.
         *
         * @param pattern the default correlation pattern
         */
        public void setPattern(String pattern) {
            this.pattern = pattern;
        }
    }

    /** Spring Security: {@code contextvars4j.security.*}. */
    public static final class Security {

        /** Whether the authenticated principal of Spring Security becomes the request's user var. */
        private boolean enabled = true;

        /**
         * The order of the filter that makes the principal the user var: right after Spring
         * Security's filter chain (-100).
         */
        private int filterOrder = -99;

        /**
         * Where Spring Security keeps its security context: "thread-local" leaves Spring
         * Security's own holder; "context-var" installs ContextVarSecurityContextHolderStrategy,
         * so the security context follows every contextvars4j hand-off and ends with the request.
         */
        private String contextHolder = "thread-local";

        /** For Spring's binder. */
        public Security() {
        }

        /** {@return whether the principal becomes the user var} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether the principal becomes the user var.
         *
         * @param enabled whether the principal becomes the user var
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** {@return the principal filter's order} */
        public int getFilterOrder() {
            return filterOrder;
        }

        /**
         * Sets the principal filter's order.
         *
         * @param filterOrder the principal filter's order
         */
        public void setFilterOrder(int filterOrder) {
            this.filterOrder = filterOrder;
        }

        /** {@return where the security context is kept: thread-local or context-var} */
        public String getContextHolder() {
            return contextHolder;
        }

        /**
         * Sets where the security context is kept: thread-local or context-var.
         *
         * @param contextHolder where the security context is kept: thread-local or context-var
         */
        public void setContextHolder(String contextHolder) {
            this.contextHolder = contextHolder;
        }
    }

    /** Vars in W3C baggage, with OpenTelemetry: {@code contextvars4j.baggage.*}. */
    public static final class Baggage {

        /**
         * Whether to register the baggage propagator, send the allowed vars on RestClient and
         * RestTemplate calls and read them from inbound requests.
         */
        private boolean enabled = true;

        /**
         * The names of the vars that cross services in the baggage header: each must be the
         * name of a ContextVar&lt;String&gt; bean of the application.
         */
        private List<String> allow = new ArrayList<>();

        /** The prefix of the vars' baggage entries, which tells them from other baggage. */
        private String prefix = "cv.";

        private final WebClient webClient = new WebClient();

        /** For Spring's binder. */
        public Baggage() {
        }

        /** {@return whether the baggage propagator is registered} */
        public boolean isEnabled() {
            return enabled;
        }

        /**
         * Sets whether the baggage propagator is registered.
         *
         * @param enabled whether the baggage propagator is registered
         */
        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }

        /** {@return the names of the vars that cross services} */
        public List<String> getAllow() {
            return allow;
        }

        /**
         * Sets the names of the vars that cross services.
         *
         * @param allow the var names
         */
        public void setAllow(List<String> allow) {
            this.allow = allow;
        }

        /** {@return the prefix of the vars' baggage entries} */
        public String getPrefix() {
            return prefix;
        }

        /**
         * Sets the prefix of the vars' baggage entries.
         *
         * @param prefix the prefix
         */
        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }

        /** {@return the WebClient settings} */
        public WebClient getWebClient() {
            return webClient;
        }

        /** WebClient calls: {@code contextvars4j.baggage.web-client.*}. */
        public static final class WebClient {

            /** Whether WebClient builders from Boot get the filter that sends the allowed vars. */
            private boolean enabled = true;

            /** For Spring's binder. */
            public WebClient() {
            }

            /** {@return whether WebClient builders get the baggage filter} */
            public boolean isEnabled() {
                return enabled;
            }

            /**
             * Sets whether WebClient builders get the baggage filter.
             *
             * @param enabled whether WebClient builders get the baggage filter
             */
            public void setEnabled(boolean enabled) {
                this.enabled = enabled;
            }
        }
    }
}
