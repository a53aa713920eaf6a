package org.contextvars4j.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --serve} as a new user meets it: every printed example, run as printed by the shell,
 * gets the status its comment promises; {@code demo.log} fills while the service runs; a client
 * that cuts off an upload makes one INFO line and a count; {@code /stats} and the shutdown report
 * show leaks and hostile requests by kind.
 */
@ExtendWith(ContextLeakGuard.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServeModeTest {

    private static final Pattern EXAMPLE = Pattern.compile("^  (.*(?:curl) .*)   # (\\d{3}): (.*)$");

    private Path out;

    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private Thread server;
    private URI api;
    private String token;

    @BeforeAll
    void startServing(@TempDir Path dir) throws Exception {
        out = dir;
        PrintStream printed = new PrintStream(console, true, StandardCharsets.UTF_8);
        server = new Thread(() -> {
            try {
                Demo.run(Options.parse("--serve", "--out", out.toString()), printed, stop);
            } catch (Throwable t) {
                failed.set(t);
            }
        }, "serve-mode-test");
        server.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!printed().contains("Press Ctrl-C") && failed.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(failed.get()).isNull();
        assertThat(printed()).contains("Press Ctrl-C");
        Matcher m = Pattern.compile("service on (http://127\\.0\\.0\\.1:\\d+)").matcher(printed());
        assertThat(m.find()).isTrue();
        api = URI.create(m.group(1));
        Matcher t = Pattern.compile("Bearer (tok-[0-9a-f]+)").matcher(printed());
        assertThat(t.find()).isTrue();
        token = t.group(1);
    }

    @AfterAll
    void stopServing() throws Exception {
        stop.countDown();
        server.join(30_000);
        assertThat(server.isAlive()).isFalse();
        assertThat(failed.get()).isNull();
    }

    private String printed() {
        return console.toString(StandardCharsets.UTF_8);
    }

    private List<String[]> examples() {
        List<String[]> found = new ArrayList<>();
        for (String line : printed().split("\n")) {
            Matcher m = EXAMPLE.matcher(line);
            if (m.matches()) {
                found.add(new String[] {m.group(1), m.group(2), m.group(3)});
            }
        }
        return found;
    }

    @Test
    @Order(1)
    @DisplayName("every printed example, run as printed, gets the status its comment promises, and each refusal is logged at once")
    void printedExamples_doWhatTheirCommentsSay() throws Exception {
        assumeThat(Path.of("/usr/bin/curl").toFile().canExecute() || Path.of("/bin/curl").toFile().canExecute())
                .as("curl installed").isTrue();
        List<String[]> examples = examples();
        assertThat(examples).as(printed()).hasSizeGreaterThanOrEqualTo(10);
        assertThat(printed().lines().filter(l -> l.contains("curl ")).count()).as("every curl line is an example with its status")
                .isEqualTo(examples.size());
        String guide = Files.readString(Path.of("../docs/demo.md"), StandardCharsets.UTF_8);
        assertThat(guide).as("docs/demo.md names the real baggage keys only")
                .doesNotContain("user.id=", "request.id=", "`user.id`", "`request.id`");
        for (String[] e : examples) {
            assertThat(guide).as("docs/demo.md shows the printed example and its promise").contains("# " + e[1] + ": " + e[2]);
            Path body = Files.createTempFile(out, "answer", ".json");
            Process p = new ProcessBuilder("bash", "-c", e[0] + " -o '" + body + "' -w '%{http_code}'")
                    .redirectErrorStream(true).start();
            String status = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String answer = Files.readString(body, StandardCharsets.UTF_8);
            assertThat(status).as("%s%n  -> %s", e[0], answer).isEqualTo(e[1]);
            if (e[1].equals("200") && e[0].contains("/api/")) {
                // "every part saw request try-1 and user X" / "X's orders, and no one else's"
                String user = e[2].replaceAll(".* user (\\S+)$", "$1").replaceAll("^(\\S+)'s orders.*", "$1");
                assertThat(answer).as(e[0]).contains("\"user\":\"" + user + "\"");
                if (e[2].contains("try-1")) {
                    assertThat(answer).contains("\"requestId\":\"try-1\"").doesNotContain("\"requestId\":\"gen-");
                }
            } else if (!e[1].equals("200")) {
                assertThat(answer).as(e[0]).contains("\"error\":");
                String log = Files.readString(out.resolve("demo.log"), StandardCharsets.UTF_8);
                assertThat(log).as("demo.log while serving, after: " + e[0]).contains("rejected " + e[1] + " ");
            }
        }
    }

    @Test
    @Order(2)
    @DisplayName("a client that cuts off an upload: one INFO line, no stack trace, counted in /stats")
    void abortedUpload_oneInfoLineAndCounted() throws Exception {
        String before = Files.readString(out.resolve("demo.log"), StandardCharsets.UTF_8);
        try (Socket s = new Socket(api.getHost(), api.getPort())) {
            OutputStream o = s.getOutputStream();
            o.write(("POST /api/notes HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/octet-stream\r\nContent-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            o.write(new byte[1000]);
            o.flush();
            Thread.sleep(300);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String log = before;
        while (!log.contains("upload aborted") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            log = Files.readString(out.resolve("demo.log"), StandardCharsets.UTF_8);
        }
        String added = log.substring(before.length());
        assertThat(added.lines().filter(l -> l.contains("upload aborted"))).as(added).hasSize(1)
                .allSatisfy(l -> assertThat(l).contains(" INFO "));
        assertThat(added).as("no stack trace, no error").doesNotContain("\tat ", " ERROR ", "Exception:");
        assertThat(stats()).containsPattern("aborted upload \\(client disconnected\\) +1\\b");
    }

    @Test
    @Order(3)
    @DisplayName("bearer tokens: the scheme in any case, whitespace around the header ignored (HTTP strips it), inside refused")
    void bearerToken_decision() throws Exception {
        assertThat(rawStatus("Bearer " + token + "   ")).isEqualTo(200);
        assertThat(rawStatus("bearer " + token)).isEqualTo(200);
        assertThat(rawStatus("Bearer   " + token)).isEqualTo(200);
        assertThat(rawStatus("Bearer " + token + " extra")).isEqualTo(401);
        assertThat(rawStatus("Bearer\t" + token)).isEqualTo(401);
        assertThat(rawStatus("Bearer " + token + ",x")).isEqualTo(401);
        assertThat(AdmissionFilter.bearerToken("Bearer abc  ")).isEqualTo("abc");
        assertThat(AdmissionFilter.bearerToken("BEARER abc=")).isEqualTo("abc=");
        assertThat(AdmissionFilter.bearerToken("Bearer ab c")).isNull();
        assertThat(AdmissionFilter.bearerToken("Bearer ab\tc")).isNull();
        assertThat(AdmissionFilter.bearerToken("Bearer ")).isNull();
        assertThat(AdmissionFilter.bearerToken("Basic abc")).isNull();
        assertThat(AdmissionFilter.bearerToken(null)).isNull();
        assertThat(Files.readString(out.resolve("demo.log"), StandardCharsets.UTF_8))
                .contains("malformed bearer token").doesNotContain(token + " extra");
    }

    @Test
    @Order(4)
    @DisplayName("/stats and the shutdown report: leaked connections, threads holding a context, hostile requests by kind")
    void stats_andShutdownReport() throws Exception {
        String stats = stats();
        assertThat(stats).containsPattern("DB conns leaked +0 ").containsPattern("threads holding +0 of \\d+ worker threads checked")
                .containsPattern("400 forged baggage +2\\b").containsPattern("413 body too large +1\\b")
                .containsPattern("401 missing bearer token +1\\b").containsPattern("403 another user's orders +1\\b")
                .containsPattern("404 unknown route +1\\b").containsPattern("400 invalid request id +1\\b");
        stop.countDown();
        server.join(30_000);
        assertThat(printed()).contains("stopping; what the service saw since it started:")
                .containsPattern("DB conns leaked +0 ").containsPattern("aborted upload \\(client disconnected\\) +1\\b");
        String log = Files.readString(out.resolve("demo.log"), StandardCharsets.UTF_8);
        assertThat(log).doesNotContain(" ERROR ", "\tat ");
    }

    /** {@code GET /stats}, which must answer 200; its body. */
    private String stats() throws IOException {
        try (Socket s = new Socket(api.getHost(), api.getPort())) {
            s.getOutputStream().write("GET /stats HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 200 ");
            return response.substring(response.indexOf("\r\n\r\n") + 4);
        }
    }

    /** The status of {@code GET /api/orders} with this exact {@code Authorization} value, sent byte for byte. */
    private int rawStatus(String authorization) throws IOException {
        try (Socket s = new Socket(api.getHost(), api.getPort())) {
            s.getOutputStream().write(("GET /api/orders HTTP/1.1\r\nHost: localhost\r\nAuthorization: " + authorization
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = s.getInputStream();
            String status = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).lines().findFirst().orElse("");
            return Integer.parseInt(status.split(" ")[1]);
        }
    }
}
