package org.contextvars4j;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.contextvars4j.internal.VarMap;

/**
 * A context variable: a key whose value lives in the current {@link Context}, the way a value of
 * Python's {@code contextvars.ContextVar} does.
 *
 * <h2>Reading and writing</h2>
 * {@link #get()} reads the value in the current context. {@link #set(Object)} changes it in the
 * current context only and returns a {@link Token} that undoes the change; a
 * {@linkplain Context#copy() copy} taken earlier keeps the old value (copy-on-write). The usual
 * shape is a temporary override:
 * <pre>{@code
 * static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");
 *
 * try (Token<String> t = REQUEST_ID.set("r-42")) {
 *     handle();                 // everything called from here sees "r-42"
 * }                             // the previous value (or absence) is restored
 * }</pre>
 *
 * <h2>Identity</h2>
 * Vars are identity keys: two vars with the same name are two different vars (S10). Create each
 * var once, typically in a {@code static final} field. A var's id is never reused, so a program
 * that creates vars without bound makes the contexts' tries deeper (see {@code @implNote}).
 *
 * <h2>Null</h2>
 * Null is a legal value and a legal default, distinct from "not set". Unless otherwise
 * specified, passing a null <em>argument</em> other than a value (a name, a token) throws
 * {@link NullPointerException} naming the parameter (S9).
 *
 * <p>Rule numbers in parentheses, such as (S7), refer to the
 * <a href="package-summary.html#rules">rules in the package overview</a>.
 *
 * <p>Vars are immutable and safe to share between threads.
 *
 * @param <T> the type of the value
 * @implNote {@link #get()} costs one {@code ThreadLocal.get} plus a few dependent loads and
 * allocates nothing; the loads grow with log32 of the largest var id in the context (one level
 * for the first 32 vars a program creates, two up to 1,024), not with the number or position of
 * vars. {@link #set(Object)} copies one small array per level and allocates the {@link Token}.
 */
public final class ContextVar<T> {

    static final AtomicInteger IDS = new AtomicInteger();

    /**
     * When the JVM has created more vars than this, one warning is logged: vars are meant to be
     * created once each, and ids are never reused.
     */
    static final int MANY_VARS = 10_000;

    /** The marker {@link VarMap#get} returns for "absent" on the read path. */
    private static final Object ABSENT = new Object();

    /** The vars whose {@link #toString()} is running on this thread (recursion guard, toString only). */
    private static final ThreadLocal<Set<ContextVar<?>>> PRINTING = new ThreadLocal<>();

    final int id;
    private final String name;
    private final boolean hasDefault;
    private final T defaultValue;

    private ContextVar(String name, boolean hasDefault, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        int next = IDS.getAndIncrement();
        if (next > VarMap.MAX_ID) {
            IDS.decrementAndGet();
            throw new IllegalStateException("cannot create ContextVar " + name + ": more than "
                    + VarMap.MAX_ID + " vars were created in this JVM");
        }
        this.id = next;
        this.hasDefault = hasDefault;
        this.defaultValue = defaultValue;
        if (next == MANY_VARS) {
            warnManyVars(name);
        }
    }

    /** Logs, once per JVM, that more than {@link #MANY_VARS} vars exist, with the creating frame. */
    private static void warnManyVars(String name) {
        System.getLogger(ContextVar.class.getName()).log(System.Logger.Level.WARNING,
                "more than " + MANY_VARS + " ContextVars were created in this JVM; a var's id is never reused, so "
                + "creating vars per request or per object makes every context slower and keeps them alive: "
                + "create each var once, in a static final field (this one, " + name + ", was created at the "
                + "frame below)", CallerSite.of("ContextVar " + name + " was created here"));
    }

    /**
     * Creates a variable without a default value: {@link #get()} throws when it is not set.
     * Create each variable once, typically in a {@code static final} field: when a JVM has
     * created more than 10,000 variables, a warning is logged once (through
     * {@link System.Logger}, logger {@code org.contextvars4j.ContextVar}) with the stack of the
     * creation that crossed the line.
     *
     * @param name a name for messages and {@code toString()}; not an identity
     * @param <T> the type of the value
     * @return a new variable, different from every other
     * @throws NullPointerException if {@code name} is null
     */
    public static <T> ContextVar<T> of(String name) {
        return new ContextVar<>(name, false, null);
    }

    /**
     * Creates a variable with a default value, returned by {@link #get()} when the variable is not
     * set in the current context.
     *
     * @param name a name for messages and {@code toString()}; not an identity
     * @param defaultValue the default, may be null
     * @param <T> the type of the value
     * @return a new variable, different from every other
     * @throws NullPointerException if {@code name} is null
     */
    public static <T> ContextVar<T> of(String name, T defaultValue) {
        return new ContextVar<>(name, true, defaultValue);
    }

    /** {@return the name given at creation} */
    public String name() {
        return name;
    }

    /** {@return whether this variable has a default value} */
    public boolean hasDefault() {
        return hasDefault;
    }

    /**
     * Returns the value in the current context, else the default (S2).
     *
     * @return the value set in the current context (possibly null), else the variable's default
     * @throws NoSuchElementException if the variable is not set in the current context and has no
     *         default; the message names the variable
     */
    @SuppressWarnings("unchecked")
    public T get() {
        Object v = lookup();
        if (v != ABSENT) {
            return (T) v;
        }
        if (hasDefault) {
            return defaultValue;
        }
        throw new NoSuchElementException(this + " has no value in the current context");
    }

    /**
     * Returns the value in the current context, else {@code fallback} (Python's
     * {@code var.get(default)}): the variable's own default is not consulted (S2).
     *
     * @apiNote Named as {@code ScopedValue.orElse} names it, and not {@code get(T)}: an overload
     * of {@code get} would make {@code executor.submit(VAR::get)} ambiguous.
     * @param fallback what to return when the variable is not set; may be null
     * @return the value set in the current context (possibly null), else {@code fallback}
     */
    @SuppressWarnings("unchecked")
    public T orElse(T fallback) {
        Object v = lookup();
        return v != ABSENT ? (T) v : fallback;
    }

    /** The read path: this var's value in the current context, or {@link #ABSENT}. */
    private Object lookup() {
        Context c = Storage.currentOrNull();
        return c == null ? ABSENT : VarMap.find(c.root, c.shift, id, ABSENT);
    }

    /**
     * Sets the value in the current context (S3). Copies taken earlier do not see the change.
     *
     * @param value the new value; null is a legal value, distinct from "not set"
     * @return a token that {@linkplain #reset(Token) resets} the variable to its previous state;
     *         closing it does the same, so it fits try-with-resources
     */
    public Token<T> set(T value) {
        // Kept small on purpose (issue 15): the trie copy is a call (see VarMap.with) and the
        // base context is created out of line, so this method compiles under C2's inlining
        // limits, and a caller that closes the token in the same method (try-with-resources)
        // lets escape analysis drop the token.
        Context c = Storage.current();
        if (c.borrowed) {
            // A hand-off runs in this context in place of a copy (see Propagation): make the
            // copy now, at the first set, and set there.
            c = c.copyForBorrow();
        }
        Object[] before = c.root;
        Object[] after = VarMap.with(before, id, this, value);
        c.setMap(after);
        Token<T> token = new Token<>(this, c, before, after);
        if (LeakDetection.active) {
            LeakDetection.onCreate(token);
        }
        return token;
    }

    /**
     * Runs {@code action} with this variable set to {@code value} in the current context, and
     * resets it afterwards, also when the action throws: the one-line form of
     * {@code try (Token<T> t = var.set(value)) { action.run(); }} (like
     * {@code ScopedValue.where(var, value).run(action)}).
     * <pre>{@code
     * REQUEST_ID.runWith("r-1", () -> handle());
     * }</pre>
     *
     * @param value the value while the action runs; may be null
     * @param action what to run
     * @throws NullPointerException if {@code action} is null (nothing is set)
     */
    @SuppressWarnings("try")   // the token is the point: closing it resets the var
    public void runWith(T value, Runnable action) {
        Objects.requireNonNull(action, "action");
        try (Token<T> token = set(value)) {
            action.run();
        }
    }

    /**
     * Gets a value from {@code action} with this variable set to {@code value} in the current
     * context, and resets it afterwards, also when the action throws; otherwise as
     * {@link #runWith(Object, Runnable)}.
     *
     * @param value the value while the action runs; may be null
     * @param action what to get the result from
     * @param <R> the result type
     * @return the action's result
     * @throws NullPointerException if {@code action} is null (nothing is set)
     */
    @SuppressWarnings("try")   // the token is the point: closing it resets the var
    public <R> R supplyWith(T value, Supplier<R> action) {
        Objects.requireNonNull(action, "action");
        try (Token<T> token = set(value)) {
            return action.get();
        }
    }

    /**
     * Restores the value this variable had before the {@link #set(Object)} that returned
     * {@code token}, or removes it from the current context if it had none (S5). A refused call
     * changes nothing.
     *
     * @param token the token returned by {@code set}
     * @throws NullPointerException if {@code token} is null
     * @throws IllegalStateException if the token was already used
     * @throws IllegalArgumentException if the token was created by a different variable, or in a
     *         different context than the current one
     * @implNote O(1) and allocation-free when nothing was set in the context since the token's
     * {@code set} (the try-with-resources case): the context gets back the very map it had
     * before. Otherwise the old value is written back, as a {@code set} would.
     */
    public void reset(Token<T> token) {
        Context c = Storage.currentOrNull();
        // One test for every refusal, the messages built out of line: keeps reset small enough
        // to be inlined with set (see set).
        // c.borrowed: a hand-off runs in c in place of a copy, so a token of c is one of a
        // different context from the task's point of view (S5), as it would be with the copy.
        if (token == null || token.used || token.var != this || token.context != c || c.borrowed) {
            throw refusal(token, c);
        }
        Object[] m = c.root;
        if (m == token.after) {
            // Nothing was set in this context since: the map before the set is exactly the map
            // to go back to (the common try-with-resources case, O(1), no allocation).
            c.setMap(token.before);
        } else {
            c.setMap(restore(m, token.before));
        }
        token.used = true;
    }

    /** {@code m} with this var as it is in {@code before}: its old value written back, or removed. */
    private Object[] restore(Object[] m, Object[] before) {
        Object old = VarMap.get(before, id, Token.MISSING);
        return old == Token.MISSING ? VarMap.without(m, id) : VarMap.with(m, id, this, old);
    }

    /** {@return why {@code token} cannot reset this var in {@code current}, checked in the documented order} */
    private RuntimeException refusal(Token<T> token, Context current) {
        Objects.requireNonNull(token, "token");
        if (token.used) {
            return new IllegalStateException(token + " has already been used once");
        }
        if (token.var != this) {
            return new IllegalArgumentException(token + " was created by a different ContextVar (reset called on "
                    + this + ")");
        }
        Thread owner = token.context.owner();
        Thread base = token.context.baseOf;
        return new IllegalArgumentException(token + " was created in a different Context (" + token.context
                + (owner != null ? ", entered on thread " + owner.getName() + ")"
                        : base != null ? ", the base context of thread " + base.getName() + ")"
                        : ", not entered on any thread)"));
    }

    /**
     * Returns a description: the name, the var's id after {@code #} (two vars with the same name
     * print differently, as Python's repr tells them apart by address) and the default, a string
     * default in double quotes. For example {@code ContextVar[request_id#3, no default]} and
     * {@code ContextVar[request_id#4, default="none"]}.
     *
     * @return the description
     */
    @Override
    public String toString() {
        String head = "ContextVar[" + name + "#" + id;
        if (!hasDefault) {
            return head + ", no default]";
        }
        // A default that contains this var (a list holding it) would recurse without end; print
        // "..." for the inner occurrence, as CPython's repr does. The set lives only while printing.
        Set<ContextVar<?>> printing = PRINTING.get();
        if (printing == null) {
            printing = Collections.newSetFromMap(new IdentityHashMap<>());
            PRINTING.set(printing);
        }
        if (!printing.add(this)) {
            return head + ", default=...]";
        }
        try {
            String shown = defaultValue instanceof CharSequence ? "\"" + defaultValue + "\"" : String.valueOf(defaultValue);
            return head + ", default=" + shown + "]";
        } finally {
            printing.remove(this);
            if (printing.isEmpty()) {
                PRINTING.remove();
            }
        }
    }
}
