package org.contextvars4j.web.testing;

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
