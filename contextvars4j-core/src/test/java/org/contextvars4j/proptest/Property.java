package org.contextvars4j.proptest;

import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.contextvars4j.ContextLeakGuard;

/**
 * A small property-based test runner on plain JUnit 5: seeded generation, replay of a seed, and
 * integrated shrinking of a failing case.
 *
 * <p>{@link #check(int, Function, Consumer)} generates {@code tries} cases, each from its own
 * seed, and runs the property on each. Every run (tries and shrinking replays alike) goes through
 * {@link ContextLeakGuard#guardTry(Runnable)}, so a property that leaves the test thread's context
 * changed fails like one whose assertion fails. On the first failure the case is shrunk: the
 * choices its generator made ({@link Draws}) are edited (runs of them dropped, runs set to zero,
 * single ones lowered) and replayed, and an edit is kept when the case still fails with the same
 * kind of exception and is simpler (fewer choices, or the same number with smaller ones). The
 * {@link AssertionError} thrown then names the property, the try and its seed, the shrunk case and
 * the command line that replays it; its cause is the shrunk case's failure.
 *
 * <h2>Replaying</h2>
 * {@code -Dcontextvars4j.seed=0x...} runs each property once, with that seed instead of
 * {@code tries} fresh ones, and shrinks again if it fails: shrinking is deterministic, so a
 * replay reports the same shrunk case. Combine it with {@code -Dtest=Class#method}.
 */
public final class Property {

    /** The system property that replays one seed. */
    public static final String SEED_PROPERTY = "contextvars4j.seed";

    /** Replays shrinking may spend on one failure: enough for sequences of a few hundred choices. */
    private static final int SHRINK_BUDGET = 20_000;

    private Property() {
    }

    /**
     * Runs {@code property} on {@code tries} generated cases, or on the one case of the seed given
     * by {@value #SEED_PROPERTY}.
     *
     * @param tries how many cases to generate
     * @param generator draws one case
     * @param property checks one case; fails by throwing
     * @param <T> the case type
     * @throws AssertionError describing the shrunk case, when a case fails
     */
    public static <T> void check(int tries, Function<Draws, T> generator, Consumer<? super T> property) {
        String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null) {
            long seed = Long.parseUnsignedLong(replay.toLowerCase(Locale.ROOT).replaceFirst("^0x", ""), 16);
            checkOne(seed, 1, 1, generator, property);
            return;
        }
        SplittableRandom seeds = new SplittableRandom();
        for (int i = 1; i <= tries; i++) {
            checkOne(seeds.nextLong(), i, tries, generator, property);
        }
    }

    /** Runs try {@code number} of {@code tries}, generated from {@code seed}; shrinks and reports a failure. */
    static <T> void checkOne(long seed, int number, int tries, Function<Draws, T> generator,
            Consumer<? super T> property) {
        Draws draws = Draws.generating(seed);
        Throwable failure = run(draws, generator, property);
        if (failure == null) {
            return;
        }
        Shrinker<T> shrinker = new Shrinker<>(generator, property, failure.getClass());
        long[] shrunk = shrinker.shrink(draws.choices());
        T minimalCase = generator.apply(Draws.replaying(shrunk));
        Throwable minimalFailure = run(Draws.replaying(shrunk), generator, property);
        String test = callerName();
        String seedText = String.format("0x%016x", seed);
        throw new AssertionError(String.format(
                "property %s failed on try %d of %d (seed %s)%n"
                + "  shrunk case (%d choices, from %d, in %d replays): %s%n"
                + "  fails with: %s%n"
                + "  first failure: %s%n"
                + "  replay with: -D%s=%s -Dtest=%s",
                test, number, tries, seedText, shrunk.length, draws.choices().length, shrinker.replays, minimalCase,
                minimalFailure == null ? "nothing: it passes when replayed alone (state left by an earlier run?)"
                        : oneLine(minimalFailure), oneLine(failure), SEED_PROPERTY, seedText, test),
                minimalFailure == null ? failure : minimalFailure);
    }

    /** Generates a case from {@code draws} and runs the property, under the leak guard; returns what it threw. */
    private static <T> Throwable run(Draws draws, Function<Draws, T> generator, Consumer<? super T> property) {
        try {
            T value = generator.apply(draws);
            ContextLeakGuard.guardTry(() -> property.accept(value));
            return null;
        } catch (OutOfMemoryError e) {
            throw e;
        } catch (Throwable e) {   // any exception or error of the property is a failing case
            return e;
        }
    }

    /** {@return the exception and its message on one line, at most about 300 characters} */
    private static String oneLine(Throwable t) {
        String message = String.valueOf(t).replaceAll("\\s+", " ").strip();
        return message.length() <= 300 ? message : message.substring(0, 300) + " ...";
    }

    /** {@return {@code Class#method} of the test that called check} */
    private static String callerName() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().startsWith("org.contextvars4j.")
                        && !f.getClassName().equals(Property.class.getName()) && !f.getMethodName().startsWith("lambda$"))
                .findFirst()
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "#" + f.getMethodName())
                .orElse("?"));
    }

    /** Minimises a failing choice sequence; deterministic for a given start. */
    private static final class Shrinker<T> {
        private final Function<Draws, T> generator;
        private final Consumer<? super T> property;
        private final Class<?> failureKind;
        private long[] best;
        int replays;

        Shrinker(Function<Draws, T> generator, Consumer<? super T> property, Class<?> failureKind) {
            this.generator = generator;
            this.property = property;
            this.failureKind = failureKind;
        }

        long[] shrink(long[] failing) {
            best = failing;
            boolean progress = true;
            while (progress && replays < SHRINK_BUDGET) {
                progress = false;
                for (int k : new int[] {16, 8, 7, 6, 5, 4, 3, 2, 1}) {   // drop runs of choices: elements, parts of them
                    for (int i = best.length - k; i >= 0 && replays < SHRINK_BUDGET; i = Math.min(i - 1, best.length - k)) {
                        long[] candidate = new long[best.length - k];
                        System.arraycopy(best, 0, candidate, 0, i);
                        System.arraycopy(best, i + k, candidate, i, best.length - i - k);
                        progress |= accept(candidate);
                    }
                }
                for (int k : new int[] {8, 4, 2, 1}) {            // set runs of choices to their simplest
                    for (int i = best.length - k; i >= 0 && replays < SHRINK_BUDGET; i = Math.min(i - 1, best.length - k)) {
                        if (Arrays.stream(best, i, i + k).anyMatch(v -> v != 0)) {
                            long[] candidate = best.clone();
                            Arrays.fill(candidate, i, i + k, 0);
                            progress |= accept(candidate);
                        }
                    }
                }
                for (int i = 0; i < best.length && replays < SHRINK_BUDGET; i++) {   // lower single choices
                    long lo = 0;
                    long hi = best[i];
                    while (lo < hi && i < best.length && replays < SHRINK_BUDGET) {
                        long mid = lo + (hi - lo) / 2;
                        long[] candidate = best.clone();
                        candidate[i] = mid;
                        if (accept(candidate)) {
                            progress = true;
                            hi = mid;
                        } else {
                            lo = mid + 1;
                        }
                    }
                }
            }
            return best;
        }

        /** Replays {@code candidate}; keeps what it used when it fails the same way and is simpler. */
        private boolean accept(long[] candidate) {
            replays++;
            Draws draws = Draws.replaying(candidate);
            Throwable failure = run(draws, generator, property);
            long[] used = draws.choices();
            if (failure != null && failure.getClass() == failureKind && simpler(used, best)) {
                best = used;
                return true;
            }
            return false;
        }

        private static boolean simpler(long[] a, long[] b) {
            return a.length != b.length ? a.length < b.length : Arrays.compare(a, b) < 0;
        }
    }
}
