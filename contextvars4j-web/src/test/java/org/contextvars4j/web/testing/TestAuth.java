package org.contextvars4j.web.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.User;

/**
 * The tests' authentication scheme: {@code Authorization: Bearer <name>} or
 * {@code Bearer <name>:<role>+<role>}. No header is anonymous; anything else is refused.
 */
public final class TestAuth {

    private static final Pattern TOKEN = Pattern.compile("Bearer ([a-z0-9-]{1,40})(?::([a-z]+(?:\\+[a-z]+)*))?");

    private TestAuth() {
    }

    /**
     * The check for request {@code i} of the interleaved role run: even requests come from an
     * admin and see their own secret, odd ones from a plain user and get a 403 that shows nothing
     * of anybody.
     *
     * @return null when right, else what is wrong
     */
    public static String adminOrForbidden(int i, HttpResponse<String> r) {
        boolean ok = i % 2 == 0
                ? r.statusCode() == 200 && r.body().equals("secret of admin-" + i)
                : r.statusCode() == 403 && r.body().startsWith("{\"error\":\"forbidden\"") && !r.body().contains("admin")
                        && r.headers().firstValue("WWW-Authenticate").isEmpty();
        return ok ? null : r.statusCode() + " " + r.body();
    }

    /** {@return the Authorization header of request {@code i} of the interleaved role run} */
    public static String adminOrUser(int i) {
        return i % 2 == 0 ? "Bearer admin-" + i + ":admin" : "Bearer user-" + i;
    }

    /** Asserts a 401 for a request sent with id {@code id}: challenge, JSON body naming only the id, id echoed. */
    public static void assertUnauthorized(HttpResponse<String> r, String id) {
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"contextvars4j\"");
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(r.headers().firstValue("X-Request-Id")).contains(id);
        assertThat(r.body()).isEqualTo("{\"error\":\"unauthorized\",\"request_id\":\"" + id + "\"}");
    }

    /** {@return what the {@code Authorization} header value says; null means no header} */
    public static Authentication fromAuthorization(String header) {
        if (header == null) {
            return Authentication.anonymous();
        }
        Matcher m = TOKEN.matcher(header);
        if (!m.matches()) {
            return Authentication.refused("malformed token");
        }
        String[] roles = m.group(2) == null ? new String[0] : m.group(2).split("\\+");
        return Authentication.of(User.of(m.group(1), roles));
    }
}
