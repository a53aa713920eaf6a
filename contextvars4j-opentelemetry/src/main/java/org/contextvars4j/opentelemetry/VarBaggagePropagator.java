package org.contextvars4j.opentelemetry;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.contextvars4j.ContextVar;

/**
 * A {@link TextMapPropagator} that carries chosen contextvars4j vars across process boundaries in
 * the W3C {@code baggage} header, next to OpenTelemetry's own baggage.
 *
 * <h2>What travels</h2>
 *
 * <p>Only the vars on the allow-list given to the {@link Builder}, each as the baggage entry
 * {@code <prefix><var name>=<percent-encoded text>}, the text made by the var's {@link VarCodec}.
 * A var with no value, or with a null value, is not sent. The prefix (default {@code "cv."}) tells
 * our entries from other baggage: entries without it are left to OpenTelemetry's baggage and never
 * counted as drops. Entries with the prefix are the vars' alone: when they arrive, OpenTelemetry's
 * baggage propagator may put them in {@code Baggage}, but they are never sent on from there.
 *
 * <h2>Composing with OpenTelemetry's propagators</h2>
 *
 * <p>List it after {@code W3CBaggagePropagator}:
 * {@code TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(),
 * W3CBaggagePropagator.getInstance(), vars)}. Injecting, it writes one {@code baggage} header
 * holding OpenTelemetry's baggage entries and the vars' entries, which replaces the header the
 * baggage propagator wrote before it (the carrier's setter must replace, as OpenTelemetry's
 * setters do; {@link HttpClientPropagation} does). Extracting, it leaves the header to
 * {@code W3CBaggagePropagator} for OpenTelemetry's baggage and reads only the vars.
 *
 * <h2>Inbound text is never trusted</h2>
 *
 * <p>{@link #extract} never throws because of the carrier's content and never sets a var that is
 * not on the allow-list. It drops, counts ({@link #dropCount(DropReason)}) and logs (rate-limited,
 * logger {@code org.contextvars4j.opentelemetry.VarBaggagePropagator}, WARNING) each of: more than
 * one {@code baggage} header, a header longer than 8,192 characters or with more than 64
 * list-members (the whole header is ignored), a malformed entry (key, characters,
 * percent-encoding, UTF-8, control characters), a name with our prefix that is not allowed, a value
 * the codec rejects, and a var's second entry.
 *
 * <h2>Where extracted vars go</h2>
 *
 * <p>{@link #extract} returns an OpenTelemetry context that carries a copy of the contextvars4j
 * context with the decoded vars set. Making it current (with the bridge
 * {@link ContextVarsStorageProvider} installed) runs the scope in that copy: the vars are visible
 * until the scope closes, and the thread's own context is untouched afterwards. The inbound
 * helpers ({@link HttpServerPropagationFilter}, {@link ServletPropagationFilter}) do exactly that.
 *
 * @implNote Thread-safe and immutable but for its drop counters; share one instance.
 */
public final class VarBaggagePropagator implements TextMapPropagator {

    private static final List<String> FIELDS = List.of(W3cBaggage.HEADER);

    private final String prefix;
    private final Entry<?>[] entries;
    private final Map<String, Entry<?>> byKey;
    private final DropReport drops = new DropReport();

    private VarBaggagePropagator(String prefix, Collection<Entry<?>> entries) {
        this.prefix = prefix;
        this.entries = entries.toArray(new Entry<?>[0]);
        Map<String, Entry<?>> keys = new LinkedHashMap<>();
        for (int i = 0; i < this.entries.length; i++) {
            this.entries[i].index = i;
            keys.put(this.entries[i].key, this.entries[i]);
        }
        this.byKey = Map.copyOf(keys);
    }

    /** {@return a builder with an empty allow-list and the key prefix {@code "cv."}} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the one header this propagator reads and writes, {@code baggage}} */
    @Override
    public Collection<String> fields() {
        return FIELDS;
    }

    /**
     * Writes the {@code baggage} header: the baggage entries of {@code context} but those whose
     * key starts with our prefix (that namespace is the vars': an entry of it that arrived as
     * OpenTelemetry baggage is never passed on), then an entry for each allowed var that has a
     * non-null value, as long as the header stays within 64 list-members and 8,192 characters.
     *
     * <p>The vars are read from the snapshot {@code context} carries when it came from
     * {@code Context.current()} with the bridge installed, else from the current contextvars4j
     * context.
     *
     * @param context the context to propagate; nothing is written when null
     * @param carrier the carrier, handed to the setter
     * @param setter writes the header; nothing is written when null
     */
    @Override
    public <C> void inject(Context context, C carrier, TextMapSetter<C> setter) {
        if (context == null || setter == null) {
            return;
        }
        org.contextvars4j.Context vars = CarryingContext.varsOf(context);
        StringBuilder header = new StringBuilder(64);
        int[] members = {0};
        Baggage baggage = Baggage.fromContext(CarryingContext.unwrap(context));
        if (!baggage.isEmpty()) {
            baggage.forEach((key, entry) -> {
                if (!key.startsWith(prefix)) {
                    separate(header, members);
                    header.append(key).append('=');
                    W3cBaggage.appendEncoded(header, entry.getValue());
                    String metadata = entry.getMetadata().getValue();
                    if (!metadata.isEmpty()) {
                        header.append(';').append(metadata);
                    }
                }
            });
        }
        for (Entry<?> entry : entries) {
            appendVar(header, members, entry, vars);
        }
        // Also when empty, if there is baggage: the header W3CBaggagePropagator wrote before us
        // may hold entries of our prefix, which only the vars may send.
        if (header.length() > 0 || !baggage.isEmpty()) {
            setter.set(carrier, W3cBaggage.HEADER, header.toString());
        }
    }

    private static void separate(StringBuilder header, int[] members) {
        if (members[0]++ > 0) {
            header.append(',');
        }
    }

    private <T> void appendVar(StringBuilder header, int[] members, Entry<T> entry, org.contextvars4j.Context vars) {
        T value = vars.get(entry.var);
        if (value == null) {
            return;
        }
        String text;
        try {
            text = Objects.requireNonNull(entry.codec.encode(value), "encoded text");
        } catch (RuntimeException e) {
            drops.drop(DropReason.ENCODER_FAILED, entry.key + ": " + e);
            return;
        }
        int mark = header.length();
        if (members[0] > 0) {
            header.append(',');
        }
        header.append(entry.key).append('=');
        W3cBaggage.appendEncoded(header, text);
        if (members[0] + 1 > W3cBaggage.MAX_MEMBERS || header.length() > W3cBaggage.MAX_LENGTH) {
            header.setLength(mark);
            drops.drop(DropReason.OUTBOUND_LIMIT, entry.key + " does not fit in the baggage header");
            return;
        }
        members[0]++;
    }

    /**
     * Reads the allowed vars from the {@code baggage} header. Everything that is not well formed,
     * too large, duplicated, not allowed or rejected by its codec is dropped and reported.
     *
     * @param context the context to extend; the root context when null
     * @param carrier the carrier, handed to the getter
     * @param getter reads the header; {@code context} is returned when null
     * @return {@code context} when no var was read, else a context that also carries a copy of the
     *         contextvars4j context (taken from {@code context} or the current one) with the vars set
     */
    @Override
    public <C> Context extract(Context context, C carrier, TextMapGetter<C> getter) {
        if (context == null) {
            context = Context.root();
        }
        if (getter == null) {
            return context;
        }
        Iterator<String> headers = getter.getAll(carrier, W3cBaggage.HEADER);
        if (headers == null || !headers.hasNext()) {
            return context;
        }
        String header = headers.next();
        if (headers.hasNext()) {
            drops.drop(DropReason.DUPLICATE, "more than one baggage header");
            return context;
        }
        if (header == null || header.isEmpty()) {
            return context;
        }
        if (header.length() > W3cBaggage.MAX_LENGTH) {
            drops.drop(DropReason.OVERSIZED_HEADER, "baggage header of " + header.length() + " chars");
            return context;
        }
        int commas = 0;
        for (int i = 0; i < header.length(); i++) {
            if (header.charAt(i) == ',') {
                commas++;
            }
        }
        if (commas + 1 > W3cBaggage.MAX_MEMBERS) {
            drops.drop(DropReason.TOO_MANY_ENTRIES, "baggage header with " + (commas + 1) + " list-members");
            return context;
        }
        Object[] values = parse(header);
        if (values == null) {
            return context;
        }
        return withVars(context, values);
    }

    /** Sentinel of a var whose entry came twice. */
    private static final Object TWICE = new Object();

    /** {@return the decoded value per entry index (null where none), or null when there is none} */
    private Object[] parse(String header) {
        Object[] values = null;
        int n = header.length();
        int start = 0;
        while (start <= n) {
            int end = header.indexOf(',', start);
            if (end < 0) {
                end = n;
            }
            values = member(header, start, end, values);
            start = end + 1;
        }
        if (values == null) {
            return null;
        }
        boolean any = false;
        for (int i = 0; i < values.length; i++) {
            if (values[i] == TWICE) {
                values[i] = null;
            } else {
                any |= values[i] != null;
            }
        }
        return any ? values : null;
    }

    private Object[] member(String header, int from, int to, Object[] values) {
        while (from < to && W3cBaggage.isWhitespace(header.charAt(from))) {
            from++;
        }
        int semicolon = header.indexOf(';', from);
        if (semicolon >= 0 && semicolon < to) {
            to = semicolon;
        }
        while (to > from && W3cBaggage.isWhitespace(header.charAt(to - 1))) {
            to--;
        }
        if (from == to || !header.startsWith(prefix, from)) {
            return values;
        }
        int eq = header.indexOf('=', from);
        if (eq < 0 || eq >= to) {
            drops.drop(DropReason.MALFORMED, "entry without '=': " + header.substring(from, to));
            return values;
        }
        int keyEnd = eq;
        while (keyEnd > from && W3cBaggage.isWhitespace(header.charAt(keyEnd - 1))) {
            keyEnd--;
        }
        if (!W3cBaggage.isToken(header, from, keyEnd)) {
            drops.drop(DropReason.MALFORMED, "entry key is not a token: " + header.substring(from, keyEnd));
            return values;
        }
        String key = header.substring(from, keyEnd);
        Entry<?> entry = byKey.get(key);
        if (entry == null) {
            drops.drop(DropReason.NOT_ALLOWED, key + " is not on the allow-list");
            return values;
        }
        if (values == null) {
            values = new Object[entries.length];
        }
        if (values[entry.index] != null) {
            values[entry.index] = TWICE;
            drops.drop(DropReason.DUPLICATE, key + " appears twice");
            return values;
        }
        int valueFrom = eq + 1;
        while (valueFrom < to && W3cBaggage.isWhitespace(header.charAt(valueFrom))) {
            valueFrom++;
        }
        String text = W3cBaggage.decode(header, valueFrom, to);
        if (text == null) {
            drops.drop(DropReason.MALFORMED, "value of " + key + ": " + header.substring(valueFrom, to));
            return values;
        }
        Object value;
        try {
            value = entry.codec.decode(text);
        } catch (RuntimeException e) {
            value = null;
        }
        if (value == null) {
            values[entry.index] = TWICE;
            drops.drop(DropReason.REJECTED_BY_CODEC, "value of " + key + ": " + text);
            return values;
        }
        values[entry.index] = value;
        return values;
    }

    private Context withVars(Context context, Object[] values) {
        org.contextvars4j.Context vars = CarryingContext.varsOf(context).copy();
        vars.run(() -> {
            // A context of its own: the bridge must enter it, even on the thread it came from.
            BridgeStorage.CURRENT.set(null);
            for (int i = 0; i < values.length; i++) {
                if (values[i] != null) {
                    entries[i].setUnchecked(values[i]);
                }
            }
        });
        return new CarryingContext(CarryingContext.unwrap(context), vars);
    }

    /**
     * {@return how many times baggage was dropped for {@code reason} by this propagator}
     *
     * @param reason the reason
     * @throws NullPointerException if {@code reason} is null
     */
    public long dropCount(DropReason reason) {
        return drops.count(Objects.requireNonNull(reason, "reason"));
    }

    /** {@return how many times baggage was dropped by this propagator, for any reason} */
    public long dropCount() {
        return drops.total();
    }

    /** {@return the prefix and the allow-list} */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder("VarBaggagePropagator[prefix=").append(prefix).append(", allow=");
        for (int i = 0; i < entries.length; i++) {
            out.append(i == 0 ? "" : ",").append(entries[i].var.name());
        }
        return out.append(']').toString();
    }

    /** One allowed var: its baggage key and codec. */
    private static final class Entry<T> {
        final ContextVar<T> var;
        final VarCodec<T> codec;
        final String key;
        int index;

        Entry(ContextVar<T> var, VarCodec<T> codec, String key) {
            this.var = var;
            this.codec = codec;
            this.key = key;
        }

        @SuppressWarnings("unchecked")
        void setUnchecked(Object value) {
            var.set((T) value);
        }
    }

    /**
     * Builds a {@link VarBaggagePropagator}: the allow-list, a codec per var, the key prefix.
     * Refused calls change nothing.
     */
    public static final class Builder {

        private final Map<String, Entry<?>> byName = new LinkedHashMap<>();
        private String prefix = "cv.";

        private Builder() {
        }

        /**
         * Sets the prefix of our entries' keys; the default is {@code "cv."}. An empty prefix
         * makes every baggage entry ours, so every unknown name is reported as not allowed.
         *
         * @param prefix the prefix, made of RFC 7230 token characters
         * @return this builder
         * @throws NullPointerException if {@code prefix} is null
         * @throws IllegalArgumentException if {@code prefix} holds a character a baggage key cannot hold
         */
        public Builder prefix(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            if (!prefix.isEmpty() && !W3cBaggage.isToken(prefix, 0, prefix.length())) {
                throw new IllegalArgumentException("prefix \"" + prefix + "\" is not a valid start of a baggage key");
            }
            this.prefix = prefix;
            return this;
        }

        /**
         * Allows a string var to travel, its value as the text.
         *
         * @param var the var; its name, after the prefix, is the baggage key
         * @return this builder
         * @throws NullPointerException if {@code var} is null
         * @throws IllegalArgumentException as {@link #allow(ContextVar, VarCodec)}
         */
        public Builder allow(ContextVar<String> var) {
            return allow(var, VarCodec.string());
        }

        /**
         * Allows {@code var} to travel, encoded by {@code codec}.
         *
         * @param var the var; its name, after the prefix, is the baggage key
         * @param codec turns its values into text and back
         * @param <T> the value type
         * @return this builder
         * @throws NullPointerException if an argument is null
         * @throws IllegalArgumentException if the var's name is not an RFC 7230 token (it would not
         *         be a valid baggage key), or a var of that name is already allowed
         */
        public <T> Builder allow(ContextVar<T> var, VarCodec<T> codec) {
            Objects.requireNonNull(var, "var");
            Objects.requireNonNull(codec, "codec");
            String name = var.name();
            if (!W3cBaggage.isToken(name, 0, name.length())) {
                throw new IllegalArgumentException("var name \"" + name + "\" is not a valid baggage key");
            }
            if (byName.containsKey(name)) {
                throw new IllegalArgumentException("a var named " + name + " is already on the allow-list");
            }
            byName.put(name, new Entry<>(var, codec, name));
            return this;
        }

        /** {@return a propagator of the vars allowed so far, with the prefix set so far} */
        public VarBaggagePropagator build() {
            List<Entry<?>> list = new java.util.ArrayList<>();
            for (Entry<?> entry : byName.values()) {
                list.add(rekey(entry, prefix));
            }
            return new VarBaggagePropagator(prefix, list);
        }

        private static <T> Entry<T> rekey(Entry<T> entry, String prefix) {
            return new Entry<>(entry.var, entry.codec, prefix + entry.var.name());
        }
    }
}
