package org.contextvars4j.web;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Request ids: which inbound ids are kept, and fresh ones.
 *
 * <p>A valid id has 1 to {@value #MAX_LENGTH} characters, each from {@code [A-Za-z0-9._:-]}.
 * That alphabet covers UUIDs, ULIDs, W3C trace ids and the usual {@code host:pid:counter}
 * shapes, and it is safe everywhere the id travels: in a response header, a log line, a JSON
 * string, a URL.
 */
public final class RequestIds {

    /** The longest inbound id that is kept. */
    public static final int MAX_LENGTH = 128;

    /** How many characters of a rejected id the log may show, escaped. */
    static final int EXCERPT_LENGTH = 16;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The id alphabet {@code [A-Za-z0-9._:-]} as two 64-bit masks: characters 0-63 and 64-127. */
    private static final long ALLOWED_LOW = mask(0);
    private static final long ALLOWED_HIGH = mask(64);

    /** {@return the bits of the id alphabet's characters from {@code from} to {@code from + 63}} */
    private static long mask(int from) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
        long bits = 0;
        for (int i = 0; i < alphabet.length(); i++) {
            int c = alphabet.charAt(i);
            if (c >= from && c < from + 64) {
                bits |= 1L << (c - from);
            }
        }
        return bits;
    }

    private RequestIds() {
    }

    /**
     * {@return whether {@code id} is kept as a request id: 1 to 128 characters from
     * {@code [A-Za-z0-9._:-]}}
     *
     * @param id the candidate; null is not valid
     */
    public static boolean isValid(CharSequence id) {
        if (id == null || id.length() == 0 || id.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            // One shift and mask per character: bit c of ALLOWED_LOW (c < 64) or ALLOWED_HIGH (64-127).
            long allowed = c < 64 ? ALLOWED_LOW : c < 128 ? ALLOWED_HIGH : 0L;
            if ((allowed & (1L << c)) == 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Returns a fresh id: 32 lowercase hex digits (128 random bits).
     *
     * @return the id
     * @implNote Drawn from {@link ThreadLocalRandom}: unique enough to correlate log lines, cheap
     * under contention, and not a secret (an id is echoed to the client and logged).
     */
    public static String generate() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        char[] out = new char[32];
        long hi = random.nextLong();
        long lo = random.nextLong();
        for (int i = 0; i < 16; i++) {
            out[i] = HEX[(int) (hi >>> (60 - 4 * i)) & 0xf];
            out[16 + i] = HEX[(int) (lo >>> (60 - 4 * i)) & 0xf];
        }
        return new String(out);
    }

    /**
     * A loggable excerpt of a rejected id: its length and at most {@value #EXCERPT_LENGTH}
     * characters, every character outside the valid alphabet written as {@code \\uXXXX}, so
     * that a CR/LF or a terminal escape cannot forge a log line.
     */
    static String excerpt(String rejected) {
        StringBuilder sb = new StringBuilder(EXCERPT_LENGTH * 2 + 24);
        sb.append(rejected.length()).append(" chars, starting \"");
        int n = Math.min(rejected.length(), EXCERPT_LENGTH);
        for (int i = 0; i < n; i++) {
            char c = rejected.charAt(i);
            if (isValid(String.valueOf(c))) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.append(n < rejected.length() ? "\"..." : "\"").toString();
    }
}
