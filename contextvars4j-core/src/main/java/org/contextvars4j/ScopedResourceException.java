package org.contextvars4j;

/**
 * A {@link ScopedResource} failed to open or to close with a checked exception, which is this
 * exception's {@linkplain #getCause() cause}. Unchecked failures are never wrapped: they reach the
 * caller as they were thrown.
 *
 * <p>When several resources of one {@link RequestScope} fail to close, the first failure is thrown
 * (wrapped in this exception if checked) and the others are
 * {@linkplain Throwable#getSuppressed() suppressed} into it.
 */
public final class ScopedResourceException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private ScopedResourceException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Returns {@code failure} itself when it is unchecked, else {@code failure} wrapped in a new
     * instance of this exception with {@code message}; throws {@code failure} when it is an Error.
     */
    static RuntimeException unchecked(Throwable failure, String message) {
        if (failure instanceof Error) {
            throw (Error) failure;
        }
        if (failure instanceof RuntimeException) {
            return (RuntimeException) failure;
        }
        return new ScopedResourceException(message + ": " + failure, failure);
    }
}
