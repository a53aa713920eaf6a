package org.contextvars4j.spring.boot.autoconfigure;

import java.io.IOException;

import org.contextvars4j.web.RequestVars;
import org.springframework.http.HttpRequest;
import org.springframework.http.client.ClientHttpRequestExecution;
import org.springframework.http.client.ClientHttpRequestInterceptor;
import org.springframework.http.client.ClientHttpResponse;

/**
 * Sends the current request id on outbound {@code RestClient} and {@code RestTemplate} calls, in
 * the request-id header, unless the call sets that header itself. The next service's request
 * filter takes a valid inbound id as its own, so one id follows the call across services.
 */
final class RequestIdInterceptor implements ClientHttpRequestInterceptor {

    private final String header;

    RequestIdInterceptor(String header) {
        this.header = header;
    }

    @Override
    public ClientHttpResponse intercept(HttpRequest request, byte[] body, ClientHttpRequestExecution execution)
            throws IOException {
        String id = RequestVars.REQUEST_ID.orElse(null);
        if (id != null && !request.getHeaders().containsHeader(header)) {
            request.getHeaders().set(header, id);
        }
        return execution.execute(request, body);
    }

    @Override
    public String toString() {
        return "RequestIdInterceptor[" + header + "]";
    }
}
