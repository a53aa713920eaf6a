package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("CallerSite: reports start at the user's frame")
class CallerSiteTest {

    @Test
    @DisplayName("every top-level class of the library is in the list of library frames, and nothing else is")
    void libraryClasses_matchCompiledMainClasses() throws IOException, URISyntaxException {
        Path classes = Path.of(CallerSite.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path root = classes.resolve("org/contextvars4j");
        Set<String> compiled = new TreeSet<>();
        try (Stream<Path> files = Files.walk(root)) {
            files.map(root::relativize)
                    .map(p -> p.toString().replace('\\', '/'))
                    .filter(p -> p.endsWith(".class") && !p.contains("$") && !p.endsWith("package-info.class"))
                    .forEach(p -> compiled.add(p.substring(0, p.length() - ".class".length()).replace('/', '.')));
        }
        assertThat(new TreeSet<>(CallerSite.LIBRARY_CLASSES)).isEqualTo(compiled);
    }

    @Test
    @DisplayName("a site created through library code starts at this test's frame")
    void of_calledFromLibrary_startsAtCaller() {
        CallerSite site = CallerSite.of("token");
        assertThat(site.getStackTrace()[0].getClassName()).isEqualTo(CallerSiteTest.class.getName());
    }
}
