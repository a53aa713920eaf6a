package org.contextvars4j.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("RequestIds: which inbound ids are kept, fresh ids, loggable excerpts")
class RequestIdsTest {

    @Test
    void isValid_alphabetUpTo128_true() {
        assertThat(RequestIds.isValid("a")).isTrue();
        assertThat(RequestIds.isValid("4bf92f35-77b3.4da6_a3ce:929d0e0e4736")).isTrue();
        assertThat(RequestIds.isValid("Z".repeat(128))).isTrue();
    }

    @Test
    void isValid_anythingElse_false() {
        assertThat(RequestIds.isValid(null)).isFalse();
        assertThat(RequestIds.isValid("")).isFalse();
        assertThat(RequestIds.isValid("Z".repeat(129))).isFalse();
        for (String bad : new String[] {"a b", "a\r\nb", "a\tb", "r\u00e9q", "a,b", "a/b", "a\"b", "a%0d", "\u0000"}) {
            assertThat(RequestIds.isValid(bad)).as(bad).isFalse();
        }
    }

    @Test
    void isValid_everyCharacterUpToU0800_keptExactlyWhenInTheAlphabet() {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-";
        for (char c = 0; c < 0x800; c++) {
            boolean expected = alphabet.indexOf(c) >= 0;
            assertThat(RequestIds.isValid(String.valueOf(c))).as("U+%04X", (int) c).isEqualTo(expected);
            assertThat(RequestIds.isValid("a" + c + "b")).as("a U+%04X b", (int) c).isEqualTo(expected);
        }
        // a character whose low 6 bits are those of an allowed one, above the masks' range
        assertThat(RequestIds.isValid("\u0141")).isFalse();
        assertThat(RequestIds.isValid("\uffff")).isFalse();
    }

    @Test
    void generate_manyIds_validHexAndDistinct() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = RequestIds.generate();
            assertThat(id).matches("[0-9a-f]{32}");
            assertThat(RequestIds.isValid(id)).isTrue();
            seen.add(id);
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void excerpt_hostileValue_shortAndEscaped() {
        String hostile = "ab\r\nSet-Cookie: x=" + "y".repeat(10_000);
        String excerpt = RequestIds.excerpt(hostile);
        assertThat(excerpt).isEqualTo(hostile.length() + " chars, starting \"ab\\u000d\\u000aSet-Cookie:\\u0020\"...")
                .doesNotContain("\r", "\n", "x=y");
        assertThat(RequestIds.excerpt("\u00e9")).isEqualTo("1 chars, starting \"\\u00e9\"");
    }
}
