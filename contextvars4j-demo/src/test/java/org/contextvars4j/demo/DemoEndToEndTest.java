package org.contextvars4j.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo run end to end, as the README's first command runs it but with a short load: the
 * library run must report zero everywhere, the naive run must report mismatches and leaks (so a
 * demo that checked nothing would fail here).
 */
@ExtendWith(ContextLeakGuard.class)
class DemoEndToEndTest {

    private static final int REQUESTS = 2_000;
    private static final int CONCURRENCY = 100;

    @Test
    @DisplayName("S5/P1-P4: under load, no request sees another's id, user or rows; no connection or thread is left holding anything")
    void run_libraryMode_reportsZeroMismatchesAndLeaks(@TempDir Path out) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Demo.Outcome o = Demo.run(Options.parse("--requests", "" + REQUESTS, "--concurrency", "" + CONCURRENCY,
                "--users", "50", "--out", out.toString()), new PrintStream(console, true, StandardCharsets.UTF_8));
        String report = console.toString(StandardCharsets.UTF_8);

        assertThat(o.load.sent).as(report).isEqualTo(REQUESTS);
        assertThat(o.load.checked).as(report).isEqualTo(REQUESTS - REQUESTS / LoadRun.HOSTILE_EVERY);
        assertThat(o.load.mismatches).as(report).isZero();
        assertThat(o.load.lostContext).as(report).isZero();
        assertThat(o.load.memoNotOnce).as(report).isZero();
        assertThat(o.load.errors).as(report).isEmpty();
        assertThat(o.leaks.leakedConnections()).as(report).isZero();
        assertThat(o.leaks.threadsHolding).as(report).isEmpty();
        assertThat(o.leaks.threadsChecked).as(report).isGreaterThanOrEqualTo(Demo.FANOUT_THREADS + Demo.CLIENT_THREADS);
        assertThat(o.hostileFailures()).as(report).isZero();
        assertThat(o.load.hostile).as(report).hasSize(Hostile.values().length);
        assertThat(o.clean()).as(report).isTrue();

        // The printed report says the same.
        assertThat(count(report, "mismatches")).isZero();
        assertThat(count(report, "DB conns leaked")).isZero();
        assertThat(count(report, "threads holding")).isZero();
        assertThat(report).contains("RESULT: PASS");

        // One request's log lines: its id and user on several threads and in the downstream instance.
        String id = String.valueOf(o.load.sample.get("requestId"));
        assertThat(o.journeyLogLines).as(report).allSatisfy(line -> assertThat(line)
                .contains("rid=" + id + " ").contains("user=" + o.load.sampleUser.name() + " "));
        assertThat(o.journeyLogLines).anySatisfy(line -> assertThat(line).contains("svc=ledger"));
        assertThat(o.journeyLogLines).anySatisfy(line -> assertThat(line).contains("[fanout-"));
        assertThat(o.journeyLogLines.stream().map(l -> l.replaceAll(".*\\[([^\\]]+)\\].*", "$1")).distinct().count())
                .isGreaterThanOrEqualTo(4);

        checkHtml(out.resolve("report.html"), o);
    }

    @Test
    @DisplayName("the naive run (plain ThreadLocals) reports the mismatches and leaks the library prevents, and fails")
    void run_naiveMode_reportsMismatchesAndLeaks(@TempDir Path out) throws Exception {
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        Demo.Outcome o = Demo.run(Options.parse("--naive", "--requests", "" + REQUESTS, "--concurrency", "" + CONCURRENCY,
                "--out", out.toString()), new PrintStream(console, true, StandardCharsets.UTF_8));
        String report = console.toString(StandardCharsets.UTF_8);

        assertThat(o.load.mismatches).as(report).isPositive();
        assertThat(o.load.sawOtherRequestId + o.load.sawOtherUser + o.load.sawOtherUsersRows).as(report).isPositive();
        assertThat(o.leaks.leakedConnections()).as(report).isPositive();
        assertThat(o.leaks.threadsHolding).as(report).isNotEmpty();
        assertThat(o.clean()).isFalse();
        assertThat(count(report, "mismatches")).isPositive();
        assertThat(report).contains("RESULT: FAIL");
    }

    /** The HTML report is self-contained and shows the counts, the latency histogram and the journey timeline. */
    private static void checkHtml(Path html, Demo.Outcome o) throws Exception {
        String page = Files.readString(html, StandardCharsets.UTF_8);
        assertThat(page).startsWith("<!DOCTYPE html>").contains("PASS");
        assertThat(page).doesNotContain("<script", "<link", "src=\"http", "href=\"http", "url(");
        assertThat(tagCount(page, "<svg ")).isEqualTo(2);
        assertThat(tagCount(page, "</svg>")).isEqualTo(2);
        assertThat(page).contains("id=\"latency\"", "id=\"timeline\"", "id=\"journey-log\"");
        int bars = tagCount(section(page, "id=\"latency\""), "<rect ");
        assertThat(bars).isEqualTo(40);
        // One bar per part of the sampled request, plus the client's.
        assertThat(tagCount(section(page, "id=\"timeline\""), "<rect class=\"step\"")).isEqualTo(LoadRun.POINTS.size() + 1);
        assertThat(count(page, "data-count=\"mismatches\"")).isZero();
        assertThat(count(page, "data-count=\"leaked connections\"")).isZero();
        assertThat(count(page, "data-count=\"threads holding a context\"")).isZero();
        assertThat(count(page, "data-count=\"requests\"")).isEqualTo(o.load.sent);
    }

    private static String section(String page, String id) {
        int start = page.indexOf(id);
        return page.substring(start, page.indexOf("</svg>", start));
    }

    private static int tagCount(String s, String tag) {
        int n = 0;
        for (int i = s.indexOf(tag); i >= 0; i = s.indexOf(tag, i + 1)) {
            n++;
        }
        return n;
    }

    /** The first number after {@code label} in the text or in the HTML cell labelled so. */
    private static int count(String text, String label) {
        Matcher m = Pattern.compile(Pattern.quote(label) + "\"?>?\\s*([0-9,]+)").matcher(text);
        assertThat(m.find()).as("'" + label + "' in the report").isTrue();
        return Integer.parseInt(m.group(1).replace(",", ""));
    }

    @Test
    @DisplayName("a bad command line is refused naming the culprit, and nothing runs")
    void parse_badOptions_refusedWithMessage() {
        for (List<String> bad : List.of(List.of("--requests", "0"), List.of("--users", "1"), List.of("--frobnicate"),
                List.of("--concurrency"))) {
            org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
                    .isThrownBy(() -> Options.parse(bad.toArray(String[]::new)))
                    .withMessageContaining(bad.get(0));
        }
    }
}
