package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

import org.contextvars4j.web.Authenticator;
import org.contextvars4j.web.RequestPolicy;
import org.springframework.beans.factory.ObjectProvider;

/** Shapes a request policy from {@code contextvars4j.web.*}, for the servlet and the WebFlux filter alike. */
final class RequestPolicies {

    private RequestPolicies() {
    }

    /** The name of the {@code Supplier<String>} bean that, when defined, generates the request ids. */
    static final String GENERATOR_BEAN = "contextVarsRequestIdGenerator";

    /**
     * Applies the settings, the application's authenticator, if it defines exactly one, and its
     * id generator bean, if it defines one.
     *
     * @throws IllegalArgumentException if a setting is malformed (the message names it)
     */
    static <R, F> F build(RequestPolicy.Builder<R, F> builder, ContextVarsProperties.Web web,
            ObjectProvider<Authenticator<R>> authenticator, ObjectProvider<Supplier<String>> generator) {
        builder.requestIdHeader(web.getRequestIdHeader()).challenge(web.getAuthScheme(), web.getRealm());
        authenticator.ifUnique(builder::authenticator);
        web.getRequireUser().forEach(builder::requireUser);
        for (Map.Entry<String, String> rule : web.getRequireRole().entrySet()) {
            builder.requireRole(rule.getKey(), rule.getValue());
        }
        web.getPublicPaths().forEach(builder::publicPath);
        if (web.getRequestIdPattern() != null) {
            builder.requestIdPattern(web.getRequestIdPattern());
        }
        builder.requestIdMaxLength(web.getRequestIdMaxLength()).rejectInvalidRequestIds(web.isRejectInvalidRequestId());
        Supplier<String> bean = generator.getIfAvailable();
        if (bean != null) {
            builder.requestIdGenerator(bean);
        } else {
            switch (web.getRequestIdGenerator()) {
                case "random" -> { }
                case "uuid" -> builder.requestIdGenerator(UuidIds.INSTANCE);
                default -> throw new IllegalArgumentException("contextvars4j.web.request-id-generator is not random or uuid: \""
                        + web.getRequestIdGenerator() + "\"");
            }
        }
        return builder.build();
    }

    /** Random UUIDs, as request ids. */
    enum UuidIds implements Supplier<String> {
        INSTANCE;

        @Override
        public String get() {
            return UUID.randomUUID().toString();
        }
    }
}
