package org.contextvars4j.opentelemetry;

/**
 * Why {@link VarBaggagePropagator} dropped baggage instead of setting or sending a var. Each drop
 * increments {@link VarBaggagePropagator#dropCount(DropReason)} and is logged, rate-limited.
 */
public enum DropReason {
    /** Inbound: the {@code baggage} header is longer than 8,192 characters; none of it is read. */
    OVERSIZED_HEADER,
    /** Inbound: the header has more than 64 list-members; none of it is read. */
    TOO_MANY_ENTRIES,
    /** Inbound: more than one {@code baggage} header, or one var's entry twice; none of them is read. */
    DUPLICATE,
    /**
     * Inbound: an entry for a var that is not well formed: a key that is not a token, a character
     * that is not allowed (controls, spaces, quotes), bad percent-encoding or invalid UTF-8, or a
     * decoded value with control characters.
     */
    MALFORMED,
    /** Inbound: an entry with the propagator's key prefix whose name is not on the allow-list. */
    NOT_ALLOWED,
    /** Inbound: the var's codec threw on the value or returned null. */
    REJECTED_BY_CODEC,
    /** Outbound: the var's codec threw on the value; the var is not sent. */
    ENCODER_FAILED,
    /** Outbound: sending the var would exceed the W3C limits (64 list-members, 8,192 characters). */
    OUTBOUND_LIMIT
}
