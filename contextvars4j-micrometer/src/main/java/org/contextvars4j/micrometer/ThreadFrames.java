package org.contextvars4j.micrometer;

import java.util.Arrays;

/*
 * ThreadFrames: what the accessors of this package opened on one thread, innermost last.
 *
 * Micrometer calls an accessor's setValue when a scope starts and its restore when the scope
 * closes, on the same thread, scopes nested (ContextSnapshot.Scope is closed in reverse
 * registration order, and every caller in Micrometer, Reactor and Spring closes it in a finally
 * block). So the work a restore must undo is always the innermost frame of this thread: a
 * contextvars4j Scope (ContextThreadLocalAccessor) or a Token (ContextVarAccessor). Each frame
 * records the accessor that opened it, and a restore by another accessor, or with no frame
 * open, is refused and changes nothing.
 *
 * One mutable stack per thread, kept in one ThreadLocal and grown on demand: push and pop
 * allocate nothing after the first few frames. Popped slots are cleared, so an idle pooled
 * thread keeps an empty stack and no reference to a finished context (S11).
 */
final class ThreadFrames {

    private static final ThreadLocal<ThreadFrames> CURRENT = ThreadLocal.withInitial(ThreadFrames::new);

    private Object[] owners = new Object[4];
    private Object[] frames = new Object[4];
    private int size;

    private ThreadFrames() {
    }

    /** {@return the calling thread's frames} */
    static ThreadFrames current() {
        return CURRENT.get();
    }

    /** Opens {@code frame} for {@code owner} as the innermost frame. */
    void push(Object owner, Object frame) {
        if (size == frames.length) {
            owners = Arrays.copyOf(owners, size * 2);
            frames = Arrays.copyOf(frames, size * 2);
        }
        owners[size] = owner;
        frames[size] = frame;
        size++;
    }

    /**
     * {@return the innermost frame, which {@code owner} must have opened}
     *
     * @throws IllegalStateException if no frame is open on this thread, or the innermost one
     *         belongs to another accessor
     */
    Object innermost(Object owner) {
        if (size == 0) {
            throw new IllegalStateException("cannot restore: " + owner + " has no open setValue on thread "
                    + Thread.currentThread().getName());
        }
        if (owners[size - 1] != owner) {
            throw new IllegalStateException("cannot restore: " + owner + " is not the innermost open accessor on thread "
                    + Thread.currentThread().getName() + " (" + owners[size - 1] + " is); scopes close in LIFO order");
        }
        return frames[size - 1];
    }

    /** Drops the innermost frame, after {@link #innermost} returned it and it was closed. */
    void pop() {
        size--;
        owners[size] = null;
        frames[size] = null;
    }

    /** {@return the number of open frames on this thread} */
    int depth() {
        return size;
    }
}
