package org.contextvars4j.proptest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * The source of every random decision a generator makes, recorded as a sequence of choices.
 *
 * <p>A generator never touches a {@code Random}: it asks for choices ({@link #below(long)},
 * {@link #weighted(int...)}, {@link #listOf(int, Function)}), and this class records each one as
 * a number in {@code [0, bound)}. Generating a case draws the numbers from a seeded random source;
 * replaying reads them back from a recording. Shrinking ({@link Property}) edits the recording
 * (drops runs of choices, lowers them towards zero) and replays it, so every generator shrinks
 * without a shrinker of its own, dependent generators included.
 *
 * <p>Two conventions make that work, and generators follow them: choice 0 is the simplest outcome
 * (the first, most common kind; the smallest number; "no more elements"), and a replay that runs
 * past the end of its recording gets 0 for every further choice. A recorded number that no longer
 * fits its bound (because an earlier edited choice changed what is asked) is taken modulo the bound.
 */
public final class Draws {

    private final SplittableRandom random;     // null when replaying
    private final long[] replay;
    private long[] used = new long[64];
    private int count;

    private Draws(SplittableRandom random, long[] replay) {
        this.random = random;
        this.replay = replay;
    }

    static Draws generating(long seed) {
        return new Draws(new SplittableRandom(seed), null);
    }

    static Draws replaying(long[] choices) {
        return new Draws(null, choices);
    }

    /** {@return the choices made so far, as they were used (each below its bound)} */
    long[] choices() {
        return Arrays.copyOf(used, count);
    }

    /**
     * {@return a number in {@code [0, bound)}}
     *
     * @param bound the exclusive upper bound, positive
     */
    public long below(long bound) {
        return choose(bound, random == null ? 0 : random.nextLong(bound));
    }

    /**
     * {@return an int in {@code [0, bound)}}
     *
     * @param bound the exclusive upper bound, positive
     */
    public int below(int bound) {
        return (int) below((long) bound);
    }

    /**
     * {@return an int in {@code [min, max]}; shrinks towards {@code min}}
     *
     * @param min the smallest result
     * @param max the largest result, at least {@code min}
     */
    public int between(int min, int max) {
        return min + (int) below((long) max - min + 1);
    }

    /**
     * {@return {@code true} with probability {@code percent / 100}; shrinks towards {@code false}}
     *
     * @param percent the chance of {@code true}, 0 to 100
     */
    public boolean percent(int percent) {
        return below(100) >= 100 - percent;
    }

    /**
     * Picks an index with the given relative weights, for example the kind of the next operation.
     *
     * @param weights the weight of each index, non-negative, at least one positive
     * @return an index into {@code weights}; shrinks towards 0, so put the simplest outcome first
     */
    public int weighted(int... weights) {
        int total = Arrays.stream(weights).sum();
        long pick = below(total);
        int i = 0;
        while (pick >= weights[i]) {
            pick -= weights[i++];
        }
        return i;
    }

    /**
     * {@return one of {@code values}; shrinks towards the first}
     *
     * @param values the candidates
     * @param <T> their type
     */
    @SafeVarargs
    public final <T> T oneOf(T... values) {
        return values[below(values.length)];
    }

    /**
     * A list of up to {@code maxSize} elements. Each element is preceded by a "one more" choice,
     * so that dropping an element's choices from a recording drops just that element, and a "no
     * more" ends the list there. Lengths are drawn from the whole range, with short lists (and the
     * empty list) more often than uniform.
     *
     * @param maxSize the largest length
     * @param element draws one element
     * @param <E> the element type
     * @return the list, mutable
     */
    public <E> List<E> listOf(int maxSize, Function<Draws, E> element) {
        int target = 0;
        if (random != null) {
            target = random.nextInt(8) == 0 ? random.nextInt(Math.min(4, maxSize + 1)) : random.nextInt(maxSize + 1);
        }
        List<E> list = new ArrayList<>();
        while (list.size() < maxSize && choose(2, list.size() < target ? 1 : 0) == 1) {
            list.add(element.apply(this));
        }
        return list;
    }

    /** Records one choice: the generated value, or when replaying the recorded one. */
    private long choose(long bound, long generated) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long value = generated;
        if (random == null) {
            value = count < replay.length ? replay[count] % bound : 0;
        }
        if (count == used.length) {
            used = Arrays.copyOf(used, count * 2);
        }
        used[count++] = value;
        return value;
    }
}
