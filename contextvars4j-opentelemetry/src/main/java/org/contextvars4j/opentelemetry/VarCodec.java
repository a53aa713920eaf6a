package org.contextvars4j.opentelemetry;

import java.util.Objects;
import java.util.function.Function;

/**
 * How a var's value becomes the text of a baggage entry, and back.
 *
 * <p>The text is any string: {@link VarBaggagePropagator} percent-encodes it on the way out and
 * decodes it on the way in. A decoder that throws a {@link RuntimeException} or returns null
 * rejects the inbound value: the entry is dropped and reported
 * ({@link DropReason#REJECTED_BY_CODEC}), never set. Decoders see text from outside the process, so
 * they should check it (range, format, length) as they would any request parameter.
 *
 * <p>Examples (from the tests): {@code VarCodec.of(UUID::toString, UUID::fromString)},
 * {@code VarCodec.of(String::valueOf, Long::valueOf)}, {@code VarCodec.of(Enum::name, Tier::valueOf)}.
 *
 * @param <T> the var's value type
 */
public final class VarCodec<T> {

    private static final VarCodec<String> STRING = new VarCodec<>(Function.identity(), Function.identity());

    private final Function<? super T, String> encoder;
    private final Function<String, ? extends T> decoder;

    private VarCodec(Function<? super T, String> encoder, Function<String, ? extends T> decoder) {
        this.encoder = encoder;
        this.decoder = decoder;
    }

    /** {@return the codec of string vars: the value is the text} */
    public static VarCodec<String> string() {
        return STRING;
    }

    /**
     * Returns a codec from two functions.
     *
     * @param encoder turns a value into text; a value it throws on is not sent
     * @param decoder turns inbound text into a value; throwing or returning null rejects the text
     * @param <T> the value type
     * @return the codec
     * @throws NullPointerException if an argument is null
     */
    public static <T> VarCodec<T> of(Function<? super T, String> encoder, Function<String, ? extends T> decoder) {
        return new VarCodec<>(Objects.requireNonNull(encoder, "encoder"), Objects.requireNonNull(decoder, "decoder"));
    }

    String encode(T value) {
        return encoder.apply(value);
    }

    T decode(String text) {
        return decoder.apply(text);
    }

    /** {@return a short description} */
    @Override
    public String toString() {
        return this == STRING ? "VarCodec[string]" : "VarCodec[" + encoder + ", " + decoder + "]";
    }
}
