package org.contextvars4j.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.Authenticator;
import org.contextvars4j.web.User;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The {@code contextvars4j.web.*} settings for id validation, generated ids and public paths, in
 * a Boot application on Tomcat driven by a real HTTP client: every path needs a user but
 * {@code /health}; ids must be lowercase words of at most 40 characters, and an invalid one is
 * refused with 400 and an INFO line; generated ids are UUIDs.
 */
@SpringBootTest(classes = {WebSettingsAppTest.App.class, TomcatLoadTest.Tomcat.class},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.main.banner-mode=off", "contextvars4j.web.require-user=/*", "contextvars4j.web.public-paths=/health",
                "contextvars4j.web.request-id-pattern=[a-z0-9-]+", "contextvars4j.web.request-id-max-length=40",
                "contextvars4j.web.reject-invalid-request-id=true", "contextvars4j.web.request-id-generator=uuid"})
@ExtendWith(ContextLeakGuard.class)
class WebSettingsAppTest {

    private static final String UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

    @Value("${local.server.port}")
    int port;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private HttpResponse<String> get(String path, String id, String user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path)).timeout(Duration.ofSeconds(30));
        if (id != null) {
            request.header("X-Request-Id", id);
        }
        if (user != null) {
            request.header("X-User", user);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void webSettings_validOrMissingId_keptOrAUuid() throws Exception {
        HttpResponse<String> kept = get("/me", "abc-1", "alice");
        assertThat(kept.statusCode()).isEqualTo(200);
        assertThat(kept.body()).isEqualTo("abc-1|alice");
        HttpResponse<String> generated = get("/me", null, "alice");
        assertThat(generated.body()).matches(UUID + "\\|alice");
        assertThat(generated.headers().firstValue("X-Request-Id")).hasValueSatisfying(id -> assertThat(id).matches(UUID));
    }

    @Test
    void webSettings_invalidId_400WithJsonAndAnInfoLine() throws Exception {
        ServletLoadTestBase.Capture capture = ServletLoadTestBase.Capture.attach("org.contextvars4j.web", "%level %msg");
        List<HttpResponse<String>> refused;
        try {
            refused = List.of(get("/me", "ABC", "alice"), get("/health", "a".repeat(41), null));
        } finally {
            capture.detach();
        }
        for (HttpResponse<String> r : refused) {
            String id = r.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(id).matches(UUID);
            assertThat(r.body()).isEqualTo("{\"error\":\"bad_request\",\"request_id\":\"" + id + "\"}");
        }
        assertThat(List.copyOf(capture.lines)).containsExactly(
                "INFO refused an invalid X-Request-Id (3 chars, starting \"ABC\") with 400; request id "
                        + refused.get(0).headers().firstValue("X-Request-Id").orElseThrow(),
                "INFO refused an invalid X-Request-Id (41 chars, starting \"aaaaaaaaaaaaaaaa\"...) with 400; request id "
                        + refused.get(1).headers().firstValue("X-Request-Id").orElseThrow());
    }

    @Test
    void webSettings_publicPath_anonymousWithoutAuthentication_otherPaths401() throws Exception {
        HttpResponse<String> health = get("/health", "h-1", "mallory");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).as("the authenticator did not run: no user").isEqualTo("h-1|-");
        HttpResponse<String> anonymous = get("/me", "m-1", null);
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"contextvars4j\"");
    }

    /** An application that answers "id|user" on /me and /health. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({LoadApp.PermitAll.class, App.Endpoints.class})
    static class App {

        /** The user named by {@code X-User}. */
        @Bean
        Authenticator<HttpServletRequest> headerAuthenticator() {
            return request -> {
                String name = request.getHeader("X-User");
                return name == null ? Authentication.anonymous() : Authentication.of(User.of(name));
            };
        }

        /** The endpoints. */
        @RestController
        public static class Endpoints {

            /** @return id|user */
            @GetMapping({"/me", "/health"})
            public String me() {
                return LoadApp.here();
            }
        }
    }
}
