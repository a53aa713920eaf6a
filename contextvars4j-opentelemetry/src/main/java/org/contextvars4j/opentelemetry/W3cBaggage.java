package org.contextvars4j.opentelemetry;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The text rules of the W3C Baggage header: which characters keys and values may hold, and the
 * percent-encoding of values (UTF-8). Decoding is strict: anything not allowed returns null.
 */
final class W3cBaggage {

    static final String HEADER = "baggage";
    /** The limits the W3C Baggage specification asks every platform to accept. */
    static final int MAX_MEMBERS = 64;
    static final int MAX_LENGTH = 8192;

    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private W3cBaggage() {
    }

    /** {@return whether {@code c} is an RFC 7230 token character} */
    static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || TCHAR_SYMBOLS.indexOf(c) >= 0;
    }

    static boolean isToken(CharSequence s, int from, int to) {
        if (from >= to) {
            return false;
        }
        for (int i = from; i < to; i++) {
            if (!isTokenChar(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** {@return whether {@code c} is a baggage-octet: printable ASCII but space, {@code " , ; \}} */
    static boolean isValueChar(char c) {
        return c > 0x20 && c < 0x7f && c != '"' && c != ',' && c != ';' && c != '\\';
    }

    static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /** Appends {@code value} percent-encoded: every char outside the baggage-octets, and {@code %}. */
    static void appendEncoded(StringBuilder out, String value) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            char c = value.charAt(i);
            if (isValueChar(c) && c != '%') {
                out.append(c);
                i++;
                continue;
            }
            int cp = value.codePointAt(i);
            int cpLen = Character.charCount(cp);
            byte[] bytes = value.substring(i, i + cpLen).getBytes(StandardCharsets.UTF_8);
            for (byte b : bytes) {
                out.append('%').append(HEX[(b >> 4) & 0xF]).append(HEX[b & 0xF]);
            }
            i += cpLen;
        }
    }

    /**
     * Decodes the value in {@code s[from, to)}.
     *
     * @return the decoded text, or null when it holds a character that is not a baggage-octet, a
     *         bad {@code %} escape, invalid UTF-8, or decodes to a control character
     */
    static String decode(String s, int from, int to) {
        boolean escaped = false;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!isValueChar(c)) {
                return null;
            }
            escaped |= c == '%';
        }
        if (!escaped) {
            return s.substring(from, to);
        }
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= to) {
                    return null;
                }
                int hi = Character.digit(s.charAt(i + 1), 16);
                int lo = Character.digit(s.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                bytes[n++] = (byte) c;
            }
        }
        String text;
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, 0, n));
            text = chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                return null;
            }
        }
        return text;
    }
}
