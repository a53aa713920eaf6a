package org.contextvars4j.web.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.contextvars4j.web.RequestIds;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile request-id headers, as raw header lines, each with a marker that must appear neither
 * in the response nor in the log.
 */
public final class HostileIds {

    /**
     * One hostile case: a name, the raw header lines to send, the marker that must not come back
     * (null for the empty id), and whether it puts a raw CR or line folding on the wire, which a
     * strict HTTP/1.1 parser (Jetty's) refuses with {@code 400} before any filter runs.
     */
    public record Case(String name, List<byte[]> lines, String marker, boolean rawCr) {
        @Override
        public String toString() {
            return name;
        }
    }

    private HostileIds() {
    }

    /** {@return the cases for the default header, X-Request-Id (a JUnit method source)} */
    public static List<Case> defaultHeaderCases() {
        return cases("X-Request-Id");
    }

    /** {@return the cases, for a header named {@code header}} */
    public static List<Case> cases(String header) {
        String prefix = header + ": ";
        // Every marker sits past the 16 characters a log excerpt may show.
        String pad = "p".repeat(20);
        return List.of(
                new Case("10 KB", List.of(ascii(prefix + pad + "markerLong" + "B".repeat(10 * 1024))), "markerLong", false),
                new Case("CR/LF folded into the value", List.of(ascii(prefix + pad + "\r\n markerFold")), "markerFold", true),
                new Case("bare CR", List.of(ascii(prefix + pad + "\rSet-Cookie: markerCr")), "markerCr", true),
                new Case("percent-encoded CR/LF", List.of(ascii(prefix + pad + "%0d%0aSet-Cookie:markerPct")), "markerPct", false),
                new Case("control character (tab)", List.of(ascii(prefix + pad + "\tmarkerTab")), "markerTab", false),
                new Case("non-ASCII", List.of(concat(ascii(prefix), (pad + "r\u00e9q-\u00fc-markerUtf").getBytes(StandardCharsets.UTF_8))),
                        "markerUtf", false),
                new Case("empty", List.of(ascii(prefix)), null, false),
                new Case("repeated", List.of(ascii(prefix + "markerFirst"), ascii(prefix + "markerSecond")), "marker", false),
                new Case("129 characters", List.of(ascii(prefix + pad + "markerLen" + "x".repeat(100))), "markerLen", false));
    }

    /**
     * Asserts that a raw response to {@code hostile} succeeded with a fresh id, read by the
     * handler ({@link Deep#everywhere}), and that neither the response nor the log holds the
     * marker; the log holds exactly one escaped line saying the id was replaced.
     *
     * @return the fresh id
     */
    public static String assertReplaced(Case hostile, String response, LogCapture log) {
        assertThat(response).startsWith("HTTP/1.1 200 ");
        String id = RawHttp.header(response, "X-Request-Id");
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(RequestIds.isValid(id)).isTrue();
        assertThat(response).endsWith(Deep.expected(id, "-"));
        if (hostile.marker() != null) {
            assertThat(response).doesNotContain(hostile.marker());
            assertThat(log.text()).doesNotContain(hostile.marker());
        }
        assertThat(log.messages()).hasSize(1);
        assertThat(log.text()).startsWith("FINE replaced ").endsWith(" with " + id).doesNotContain("\r", "\n");
        return id;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }
}
