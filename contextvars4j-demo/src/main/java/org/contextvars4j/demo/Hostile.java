package org.contextvars4j.demo;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

/** The bad input mixed into the load, each with the 4xx it must get. */
enum Hostile {
    HOSTILE_REQUEST_ID(400),
    FORGED_BAGGAGE(400),
    OVERSIZED_BAGGAGE(431),
    MISSING_TOKEN(401),
    WRONG_TOKEN(401),
    OTHER_USERS_ORDERS(403),
    UNKNOWN_ROUTE(404),
    HUGE_BODY(413);

    private static final List<String> BAD_IDS = List.of("../../etc/passwd", "<script>alert(1)</script>",
            "x".repeat(300), "id with spaces", "%0d%0aSet-Cookie: a=b", "' OR 1=1 --", "\u00e9t\u00e9");
    private static final byte[] HUGE = new byte[1024 * 1024];

    final int expected;

    Hostile(int expected) {
        this.expected = expected;
    }

    /** The request: {@code caller} is a real user, {@code other} another one, {@code n} varies the input. */
    HttpRequest.Builder request(URI base, String requestId, User caller, User other, int n) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve("/api/dashboard"));
        String token = "Bearer " + caller.token();
        switch (this) {
            case HOSTILE_REQUEST_ID -> b.header(AdmissionFilter.REQUEST_ID, BAD_IDS.get(n % BAD_IDS.size()))
                    .header("Authorization", token);
            case FORGED_BAGGAGE -> b.header(AdmissionFilter.REQUEST_ID, requestId).header("Authorization", token)
                    .header("baggage", "cv.user_id=" + other.id() + ",cv.request_id=stolen-" + n);
            case OVERSIZED_BAGGAGE -> {
                StringBuilder baggage = new StringBuilder();
                for (int i = 0; i < 40; i++) {
                    baggage.append(i == 0 ? "" : ",").append("k").append(i).append('=').append("v".repeat(60));
                }
                b.header(AdmissionFilter.REQUEST_ID, requestId).header("Authorization", token)
                        .header("baggage", baggage.toString());
            }
            case MISSING_TOKEN -> b.header(AdmissionFilter.REQUEST_ID, requestId);
            case WRONG_TOKEN -> b.header(AdmissionFilter.REQUEST_ID, requestId)
                    .header("Authorization", "Bearer tok-" + Integer.toHexString(n) + "-forged");
            case OTHER_USERS_ORDERS -> b.uri(base.resolve("/api/orders?owner=" + other.id()))
                    .header(AdmissionFilter.REQUEST_ID, requestId).header("Authorization", token);
            case UNKNOWN_ROUTE -> b.uri(base.resolve("/api/admin/users/" + other.id()))
                    .header(AdmissionFilter.REQUEST_ID, requestId).header("Authorization", token);
            case HUGE_BODY -> b.uri(base.resolve("/api/notes")).header("Content-Type", "application/octet-stream")
                    .header(AdmissionFilter.REQUEST_ID, requestId).header("Authorization", token)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(HUGE));
            default -> throw new AssertionError(this);
        }
        return b;
    }

    String label() {
        return name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ');
    }
}
