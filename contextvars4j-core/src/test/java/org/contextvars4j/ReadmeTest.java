package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The README is a front door: short, the two commands first, the quickstart, every module, one performance line. */
@ExtendWith(ContextLeakGuard.class)
class ReadmeTest {

    private static final Path ROOT = Path.of("..");

    @Test
    @DisplayName("about two screens; the demo and the test commands are the first two blocks; every module listed; figures linked out")
    void readme_isAFrontDoor() throws Exception {
        String readme = Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
        assertThat(readme.lines().count()).as("README lines").isLessThanOrEqualTo(160);

        List<String> blocks = new ArrayList<>();
        Matcher m = Pattern.compile("```(\\w*)\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        while (m.find()) {
            blocks.add(m.group(2).strip());
        }
        assertThat(blocks).hasSizeGreaterThanOrEqualTo(3);
        assertThat(blocks.subList(0, 2)).containsExactly("./demo.sh", "mvn -B -ntp clean verify");
        String quickstart = Files.readString(Path.of("src/test/java/org/contextvars4j/QuickstartTest.java"), StandardCharsets.UTF_8);
        assertThat(blocks).as("the quickstart is QuickstartTest's code").anySatisfy(b -> assertThat(quickstart)
                .contains(b.lines().filter(l -> l.contains("REQUEST_ID.set(\"r-42\")")).findFirst().orElse("absent")));

        File[] modules = ROOT.toFile().listFiles(f -> f.isDirectory() && new File(f, "pom.xml").isFile());
        assertThat(modules).isNotEmpty();
        for (File module : modules) {
            assertThat(readme).as("module row for " + module.getName()).contains("| [`" + module.getName() + "`](" + module.getName() + ")");
        }

        String performance = readme.substring(readme.indexOf("## Performance"));
        performance = performance.substring(0, performance.indexOf("\n## ", 3));
        assertThat(performance).contains("docs/benchmarks.md").doesNotContain("|---");
        String benchmarks = Files.readString(ROOT.resolve("docs/benchmarks.md"), StandardCharsets.UTF_8);
        for (String figure : List.of("2.55 ns", "**1.19 ns**", "0.97-1.01x", "120 vs 120 B", "| 28.50 | 72 |", "**2.17x / 2.09x**")) {
            assertThat(benchmarks).as("docs/benchmarks.md keeps " + figure).contains(figure);
        }
    }
}
