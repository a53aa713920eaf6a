package org.contextvars4j.spring.boot.autoconfigure;

import java.util.Objects;
import java.util.function.Supplier;

import org.contextvars4j.ContextVar;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.core.context.SecurityContextImpl;

/**
 * A {@link SecurityContextHolderStrategy} whose storage is a {@link ContextVar}: the security
 * context is a value of the current {@link org.contextvars4j.Context}, so it follows every
 * contextvars4j hand-off ({@code @Async}, Boot's schedulers, {@code ContextExecutors},
 * {@code ContextCompletableFuture}, virtual threads) with no {@code DelegatingSecurityContext*}
 * wrapper, and it goes away with the request's context: a pooled thread never keeps the
 * previous request's principal, whatever the code forgot to clear.
 *
 * <p>Spring Security's own holder is a {@code ThreadLocal}; where this strategy is installed,
 * {@link #setContext} is a {@code set} in the current context. Code that runs outside any
 * context a contextvars4j filter or hand-off entered (a thread the application started by hand)
 * sets it in that thread's own context, as the thread-local would, until
 * {@link #clearContext()}.
 */
public final class ContextVarSecurityContextHolderStrategy implements SecurityContextHolderStrategy {

    private static final ContextVar<Supplier<SecurityContext>> CONTEXT = ContextVar.of("spring.security.context", null);

    private static final ContextVarSecurityContextHolderStrategy INSTANCE = new ContextVarSecurityContextHolderStrategy();

    private ContextVarSecurityContextHolderStrategy() {
    }

    /** {@return the strategy; its state is the current context, so there is one} */
    public static ContextVarSecurityContextHolderStrategy create() {
        return INSTANCE;
    }

    @Override
    public void clearContext() {
        if (CONTEXT.orElse(null) != null) {
            CONTEXT.set(null);
        }
    }

    @Override
    public SecurityContext getContext() {
        return getDeferredContext().get();
    }

    @Override
    public Supplier<SecurityContext> getDeferredContext() {
        Supplier<SecurityContext> result = CONTEXT.orElse(null);
        if (result == null) {
            SecurityContext context = createEmptyContext();
            result = () -> context;
            CONTEXT.set(result);
        }
        return result;
    }

    /**
     * Sets the security context in the current context.
     *
     * @param context the security context
     * @throws NullPointerException if {@code context} is null
     */
    @Override
    public void setContext(SecurityContext context) {
        Objects.requireNonNull(context, "context");
        CONTEXT.set(() -> context);
    }

    /**
     * Sets the security context, resolved on first use, in the current context.
     *
     * @param deferredContext supplies the security context
     * @throws NullPointerException if {@code deferredContext} is null
     */
    @Override
    public void setDeferredContext(Supplier<SecurityContext> deferredContext) {
        Objects.requireNonNull(deferredContext, "deferredContext");
        Supplier<SecurityContext> notNull = () -> Objects.requireNonNull(deferredContext.get(),
                "deferred security context supplied null");
        CONTEXT.set(notNull);
    }

    @Override
    public SecurityContext createEmptyContext() {
        return new SecurityContextImpl();
    }

    @Override
    public String toString() {
        return "ContextVarSecurityContextHolderStrategy[" + CONTEXT.name() + "]";
    }
}
