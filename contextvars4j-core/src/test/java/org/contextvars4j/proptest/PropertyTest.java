package org.contextvars4j.proptest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.contextvars4j.Context;
import org.contextvars4j.ContextLeakGuard;
import org.contextvars4j.ContextVar;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The property runner itself: a failing property is reported shrunk, with its seed and the
 * command that replays it; a try that leaves a value in the current context fails through the
 * leak guard; a seed replays to the same report; a passing property runs every try.
 */
@ExtendWith(ContextLeakGuard.class)
class PropertyTest {

    /** Lists of up to 50 numbers below 1,000; the property fails when one of them is 100 or more. */
    private static final Function<Draws, List<Integer>> NUMBERS = d -> d.listOf(50, dd -> dd.below(1000));
    private static final Consumer<List<Integer>> ALL_BELOW_100 = list -> {
        for (int n : list) {
            if (n >= 100) {
                throw new AssertionError(n + " is not below 100");
            }
        }
    };

    @Test
    @DisplayName("a failing property is shrunk to its smallest case and reported with its seed")
    void check_failingProperty_reportsShrunkCaseSeedAndReplay() {
        AssertionError report = catchThrowableOfType(AssertionError.class,
                () -> Property.check(200, NUMBERS, ALL_BELOW_100));

        assertThat(report.getMessage())
                .startsWith("property PropertyTest#check_failingProperty_reportsShrunkCaseSeedAndReplay failed on try ")
                .contains("): [100]")
                .contains("fails with: java.lang.AssertionError: 100 is not below 100")
                .containsPattern("\\(seed (0x[0-9a-f]{16})\\)(?s).*replay with: -Dcontextvars4j\\.seed=\\1 "
                        + "-Dtest=PropertyTest#check_failingProperty_reportsShrunkCaseSeedAndReplay");
        assertThat(report.getCause()).hasMessage("100 is not below 100");
    }

    @Test
    @DisplayName("a seed replays to the same shrunk case")
    void checkOne_sameSeed_sameReport() {
        long seed = 0x5eed_0000_0000_0001L;
        Function<Draws, List<Integer>> big = d -> d.listOf(50, dd -> 100 + dd.below(900));   // always fails
        String first = catchThrowableOfType(AssertionError.class,
                () -> Property.checkOne(seed, 1, 1, big, ALL_BELOW_100)).getMessage();
        String second = catchThrowableOfType(AssertionError.class,
                () -> Property.checkOne(seed, 1, 1, big, ALL_BELOW_100)).getMessage();

        assertThat(second).isEqualTo(first).contains("(seed 0x5eed000000000001)").contains("): [100]");
    }

    @Test
    @DisplayName("a try that leaves a value in the current context fails through the leak guard")
    void check_tryLeavesValueSet_failsAndShrinks() {
        ContextVar<Integer> leaked = ContextVar.of("leaked");
        Context sandbox = new Context();    // the leaks stay in here, not on the test thread

        sandbox.run(() -> assertThatThrownBy(() -> Property.check(200, NUMBERS, list -> {
            if (list.size() >= 3) {
                leaked.set(list.size());     // no reset: the leak guard must notice
            }
        })).isInstanceOf(AssertionError.class)
                .hasMessageContaining("): [0, 0, 0]")
                .hasMessageContaining("test left values in the current context"));
    }

    @Test
    @DisplayName("a passing property runs every try, each with a fresh case")
    void check_passingProperty_runsEveryTry() {
        AtomicInteger runs = new AtomicInteger();

        Property.check(300, NUMBERS, list -> runs.incrementAndGet());

        assertThat(runs).hasValue(300);
    }
}
