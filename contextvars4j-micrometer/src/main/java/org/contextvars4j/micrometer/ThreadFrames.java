package org.contextvars4j.micrometer;

import java.util.Arrays;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Scope;
import org.contextvars4j.Token;

/*
 * ThreadFrames: what the accessors of this package opened on one thread, innermost last.
 *
 * Micrometer calls an accessor's setValue when a scope starts and its restore when the scope
 * closes, on the same thread. Within one Micrometer scope it does NOT restore in reverse: its
 * DefaultScope.close() walks the registry in registration order, the same order as setValue. So
 * with two accessors of this package registered (ContextThreadLocalAccessor and a
 * ContextVarAccessor), the first restore can belong to the outer frame while the inner one is
 * still open. Undoing the outer frame first would be wrong either way: closing the scope before
 * the inner token is reset strands the token, and resetting a token while an inner scope is
 * current refuses (S5).
 *
 * So a restore only marks its accessor's innermost open frame as done. Frames are then undone
 * from the top of the stack while the top is marked: in LIFO order, whatever order Micrometer
 * restores in, and by the time Micrometer's scope is closed, every frame it opened is undone.
 * A restore by an accessor with no open frame is refused and changes nothing.
 *
 * The set order is Micrometer's too: a ContextVarAccessor may set its var before the
 * ContextThreadLocalAccessor of the same snapshot enters the carried context, which would hide
 * the var. So a context about to be entered first takes the values of the var frames opened in
 * the context it replaces (carryInto), and the var reads the same in either order.
 *
 * Undoing a frame closes its contextvars4j Scope (ContextThreadLocalAccessor) or resets its
 * Token (ContextVarAccessor). If that is refused (a context entered inside by user code is still
 * entered, S8), the refusal is thrown, the frame stays open, and the restore that asked for it
 * may be repeated.
 *
 * One mutable stack per thread, kept in one ThreadLocal and grown on demand: push and pop
 * allocate nothing after the first few frames. Popped slots are cleared, so an idle pooled
 * thread keeps an empty stack and no reference to a finished context (S11).
 */
final class ThreadFrames {

    /** Stands in the stack for a setValue() that changed nothing: undoing it does nothing. */
    static final Object UNCHANGED = new Object();

    private static final ThreadLocal<ThreadFrames> CURRENT = ThreadLocal.withInitial(ThreadFrames::new);

    private Object[] owners = new Object[4];
    private Object[] frames = new Object[4];
    private boolean[] done = new boolean[4];
    private int size;

    private ThreadFrames() {
    }

    /** {@return the calling thread's frames} */
    static ThreadFrames current() {
        return CURRENT.get();
    }

    /** Opens {@code frame} (a {@link Scope}, a {@link Token} or {@link #UNCHANGED}) for {@code owner} as the innermost frame. */
    void push(Object owner, Object frame) {
        if (size == frames.length) {
            owners = Arrays.copyOf(owners, size * 2);
            frames = Arrays.copyOf(frames, size * 2);
            done = Arrays.copyOf(done, size * 2);
        }
        owners[size] = owner;
        frames[size] = frame;
        done[size] = false;
        size++;
    }

    /**
     * Marks the innermost open frame of {@code owner} as done, then undoes the frames at the top
     * of the stack that are marked, innermost first.
     *
     * @throws IllegalStateException if {@code owner} has no open frame on this thread (nothing
     *         changes), or if undoing a frame is refused (that frame stays open)
     * @throws IllegalArgumentException if resetting a token is refused (S5; that frame stays open)
     */
    void restore(Object owner) {
        int mine = size - 1;
        while (mine >= 0 && (owners[mine] != owner || done[mine])) {
            mine--;
        }
        if (mine < 0) {
            throw new IllegalStateException("cannot restore: " + owner + " has no open setValue on thread "
                    + Thread.currentThread().getName());
        }
        done[mine] = true;
        while (size > 0 && done[size - 1]) {
            int top = size - 1;
            try {
                undo(frames[top]);
            } catch (RuntimeException e) {
                if (top == mine) {
                    done[mine] = false;   // refused: this restore changed nothing and may be repeated
                }
                throw e;
            }
            size = top;
            owners[top] = null;
            frames[top] = null;
            done[top] = false;
        }
    }

    /**
     * {@return {@code context} with the values of the vars that var frames set in the current
     * context since the innermost scope frame}, so that entering it does not hide them
     */
    Context carryInto(Context context) {
        Context carried = context;
        for (int i = size - 1; i >= 0 && !(frames[i] instanceof Scope); i--) {
            if (frames[i] instanceof Token<?> token && !done[i]) {
                carried = withCurrentValue(carried, token.var());
            }
        }
        return carried;
    }

    private static <T> Context withCurrentValue(Context context, ContextVar<T> var) {
        return context.with(var, var.orElse(null));
    }

    private static void undo(Object frame) {
        if (frame instanceof Scope scope) {
            scope.close();
        } else if (frame instanceof Token<?> token) {
            token.close();
        }
    }

    /** {@return the number of open frames on this thread, done or not} */
    int depth() {
        return size;
    }
}
