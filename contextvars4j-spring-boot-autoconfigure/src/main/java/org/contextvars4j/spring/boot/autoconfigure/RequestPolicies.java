package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Map;

import org.contextvars4j.web.Authenticator;
import org.contextvars4j.web.RequestPolicy;
import org.springframework.beans.factory.ObjectProvider;

/** Shapes a request policy from {@code contextvars4j.web.*}, for the servlet and the WebFlux filter alike. */
final class RequestPolicies {

    private RequestPolicies() {
    }

    /**
     * Applies the settings and the application's authenticator, if it defines exactly one.
     *
     * @throws IllegalArgumentException if a setting is malformed (the message names it)
     */
    static <R, F> F build(RequestPolicy.Builder<R, F> builder, ContextVarsProperties.Web web,
            ObjectProvider<Authenticator<R>> authenticator) {
        builder.requestIdHeader(web.getRequestIdHeader()).challenge(web.getAuthScheme(), web.getRealm());
        authenticator.ifUnique(builder::authenticator);
        web.getRequireUser().forEach(builder::requireUser);
        for (Map.Entry<String, String> rule : web.getRequireRole().entrySet()) {
            builder.requireRole(rule.getKey(), rule.getValue());
        }
        return builder.build();
    }
}
