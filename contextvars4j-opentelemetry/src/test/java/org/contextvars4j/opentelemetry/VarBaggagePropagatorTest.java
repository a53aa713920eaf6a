package org.contextvars4j.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
class VarBaggagePropagatorTest {

    enum Tier { FREE, GOLD }

    static final ContextVar<String> TENANT = ContextVar.of("tenant");
    static final ContextVar<UUID> SESSION = ContextVar.of("session");
    static final ContextVar<Long> USER_ID = ContextVar.of("user_id");
    static final ContextVar<Tier> TIER = ContextVar.of("tier");
    static final ContextVar<String> SECRET = ContextVar.of("secret");

    // setup: codecs
    static VarBaggagePropagator typedVars() {
        return VarBaggagePropagator.builder()
                .allow(TENANT)                                                    // strings: the text itself
                .allow(SESSION, VarCodec.of(UUID::toString, UUID::fromString))    // throws on bad input: rejected
                .allow(USER_ID, VarCodec.of(String::valueOf, Long::valueOf))
                .allow(TIER, VarCodec.of(Enum::name, Tier::valueOf))
                .build();
    }
    // end setup: codecs

    /** A multi-valued header map, as HTTP carriers are. */
    static final TextMapGetter<Map<String, List<String>>> GETTER = new TextMapGetter<>() {
        @Override
        public String get(Map<String, List<String>> carrier, String key) {
            List<String> values = carrier.get(key);
            return values == null ? null : values.get(0);
        }

        @Override
        public Iterator<String> getAll(Map<String, List<String>> carrier, String key) {
            return carrier.getOrDefault(key, List.of()).iterator();
        }
    };

    static Map<String, List<String>> inject(TextMapPropagator propagator, Context context) {
        Map<String, List<String>> headers = new HashMap<>();
        propagator.inject(context, headers, (carrier, key, value) -> carrier.put(key, new ArrayList<>(List.of(value))));
        return headers;
    }

    static Map<String, List<String>> baggage(String... headers) {
        return Map.of("baggage", List.of(headers));
    }

    @Test
    @DisplayName("composed with the W3C propagators, one baggage header carries OpenTelemetry baggage and the vars")
    void inject_composite_oneHeaderWithBaggageAndVars() {
        VarBaggagePropagator vars = typedVars();
        TextMapPropagator all = TextMapPropagator.composite(
                W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance(), vars);
        UUID session = UUID.fromString("6f1c0a1e-6b7a-4a55-9a43-2c1d0c8a1b00");
        Map<String, List<String>> headers;
        try (Token<String> t = TENANT.set("ac me,%;é"); Token<UUID> s = SESSION.set(session);
             Token<Tier> g = TIER.set(Tier.GOLD); Token<String> x = SECRET.set("never");
             Scope b = Baggage.builder().put("shop", "eu").put("cv.forged", "x").build().makeCurrent()) {
            headers = inject(all, Context.current());
        }
        assertThat(headers.get("baggage")).singleElement().isEqualTo(
                "shop=eu,cv.tenant=ac%20me%2C%25%3B%C3%A9,cv.session=" + session + ",cv.tier=GOLD");

        Context extracted = all.extract(Context.root(), headers, GETTER);
        assertThat(TENANT.orElse(null)).isNull();
        try (Scope s = extracted.makeCurrent()) {
            assertThat(TENANT.get()).isEqualTo("ac me,%;é");
            assertThat(SESSION.get()).isEqualTo(session);
            assertThat(TIER.get()).isEqualTo(Tier.GOLD);
            assertThat(USER_ID.orElse(null)).isNull();
            assertThat(SECRET.orElse(null)).isNull();
            assertThat(Baggage.current().getEntryValue("shop")).isEqualTo("eu");
        }
        assertThat(TENANT.orElse(null)).isNull();
        assertThat(vars.dropCount()).isZero();
    }

    @Test
    void inject_httpRequestBuilder_setsOneHeader() {
        VarBaggagePropagator vars = typedVars();
        TextMapPropagator all = TextMapPropagator.composite(W3CBaggagePropagator.getInstance(), vars);
        HttpRequest request;
        try (Token<String> t = TENANT.set("acme"); Scope b = Baggage.builder().put("shop", "eu").build().makeCurrent()) {
            request = HttpClientPropagation.inject(all, HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1/"))).build();
        }
        assertThat(request.headers().allValues("baggage")).containsExactly("shop=eu,cv.tenant=acme");
    }

    @Test
    void inject_nullValueOrNoValue_notSent() {
        try (Token<String> t = TENANT.set(null)) {
            assertThat(inject(typedVars(), Context.current())).isEmpty();
        }
    }

    @Test
    @DisplayName("more vars than the W3C limit of 64 list-members: the rest are dropped, counted, logged once")
    void inject_beyondMemberLimit_droppedCountedLoggedOnce() {
        VarBaggagePropagator.Builder builder = VarBaggagePropagator.builder();
        List<ContextVar<String>> many = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            many.add(ContextVar.of("v" + i));
            builder.allow(many.get(i));
        }
        VarBaggagePropagator vars = builder.build();
        org.contextvars4j.Context context = new org.contextvars4j.Context();
        context.run(() -> many.forEach(v -> v.set("x")));
        try (LogCapture log = LogCapture.of(VarBaggagePropagator.class, Level.ALL)) {
            String header = context.call(() -> inject(vars, Context.current())).get("baggage").get(0);
            assertThat(header.split(",")).hasSize(64);
            assertThat(vars.dropCount(DropReason.OUTBOUND_LIMIT)).isEqualTo(6);
            assertThat(log.lines()).singleElement().asString()
                    .isEqualTo("WARNING dropped baggage (OUTBOUND_LIMIT): cv.v64 does not fit in the baggage header;"
                            + " 0 more of this kind since the last report");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void inject_encoderThrows_varNotSentCounted() {
        ContextVar<Object> odd = ContextVar.of("odd");
        VarBaggagePropagator vars = VarBaggagePropagator.builder()
                .allow(odd, VarCodec.of(v -> { throw new IllegalStateException("cannot encode"); }, s -> s))
                .allow(TENANT)
                .build();
        try (LogCapture log = LogCapture.of(VarBaggagePropagator.class, Level.ALL);
             Token<Object> o = odd.set(1); Token<String> t = TENANT.set("acme")) {
            assertThat(inject(vars, Context.current()).get("baggage")).containsExactly("cv.tenant=acme");
            assertThat(vars.dropCount(DropReason.ENCODER_FAILED)).isEqualTo(1);
            assertThat(log.lines()).singleElement().asString().contains("ENCODER_FAILED").contains("cannot encode");
        }
    }

    @Test
    @DisplayName("a var's second entry drops both; entries outside our prefix are not ours and not counted")
    void extract_duplicateEntryAndForeignEntries_onlyDuplicateCounted() {
        VarBaggagePropagator vars = typedVars();
        try (LogCapture log = LogCapture.of(VarBaggagePropagator.class, Level.ALL)) {
            Context extracted = vars.extract(Context.root(),
                    baggage("cv.tenant=a, other = 1 ;p=q,cv.tenant=b,cv.user_id=5;prop"), GETTER);
            try (Scope s = extracted.makeCurrent()) {
                assertThat(TENANT.orElse(null)).isNull();
                assertThat(USER_ID.get()).isEqualTo(5L);
            }
            assertThat(vars.dropCount(DropReason.DUPLICATE)).isEqualTo(1);
            assertThat(vars.dropCount()).isEqualTo(1);
            assertThat(log.lines()).hasSize(1);
        }
    }

    @Test
    @DisplayName("drops of one kind are all counted but logged once per interval")
    void extract_manyRejectedValues_countedAllLoggedOnce() {
        VarBaggagePropagator vars = typedVars();
        try (LogCapture log = LogCapture.of(VarBaggagePropagator.class, Level.ALL)) {
            for (int i = 0; i < 100; i++) {
                assertThat(vars.extract(Context.root(), baggage("cv.session=not-a-uuid-" + i), GETTER))
                        .isSameAs(Context.root());
            }
            assertThat(vars.dropCount(DropReason.REJECTED_BY_CODEC)).isEqualTo(100);
            assertThat(log.lines()).containsExactly("WARNING dropped baggage (REJECTED_BY_CODEC): "
                    + "value of cv.session: not-a-uuid-0; 0 more of this kind since the last report");
        }
    }

    @Test
    void extract_noHeaderOrNullArguments_contextUnchanged() {
        VarBaggagePropagator vars = typedVars();
        Context base = Context.root().with(Span.getInvalid());
        assertThat(vars.extract(base, Map.of(), GETTER)).isSameAs(base);
        assertThat(vars.extract(base, baggage("cv.tenant=x"), null)).isSameAs(base);
        assertThat(vars.extract(null, Map.of(), GETTER)).isSameAs(Context.root());
        assertThat(vars.fields()).containsExactly("baggage");
    }

    @Test
    @DisplayName("S9: null arguments are refused, naming the parameter")
    void factories_nullArguments_refused() {
        assertThatThrownBy(() -> VarBaggagePropagator.builder().allow(null))
                .isInstanceOf(NullPointerException.class).hasMessage("var");
        assertThatThrownBy(() -> VarBaggagePropagator.builder().allow(TENANT, null))
                .isInstanceOf(NullPointerException.class).hasMessage("codec");
        assertThatThrownBy(() -> VarBaggagePropagator.builder().prefix(null))
                .isInstanceOf(NullPointerException.class).hasMessage("prefix");
        assertThatThrownBy(() -> VarCodec.of(null, s -> s))
                .isInstanceOf(NullPointerException.class).hasMessage("encoder");
        assertThatThrownBy(() -> VarCodec.of(Object::toString, null))
                .isInstanceOf(NullPointerException.class).hasMessage("decoder");
        assertThatThrownBy(() -> typedVars().dropCount(null))
                .isInstanceOf(NullPointerException.class).hasMessage("reason");
        assertThatThrownBy(() -> HttpClientPropagation.inject(null, HttpRequest.newBuilder()))
                .isInstanceOf(NullPointerException.class).hasMessage("propagator");
        assertThatThrownBy(() -> HttpClientPropagation.inject(typedVars(), null))
                .isInstanceOf(NullPointerException.class).hasMessage("request");
        assertThatThrownBy(() -> HttpServerPropagationFilter.of(null))
                .isInstanceOf(NullPointerException.class).hasMessage("propagator");
        assertThatThrownBy(() -> ServletPropagationFilter.of(null))
                .isInstanceOf(NullPointerException.class).hasMessage("propagator");
    }

    @Test
    @DisplayName("refused builder calls change nothing")
    void builder_invalidOrDuplicateName_refusedNothingChanged() {
        VarBaggagePropagator.Builder builder = VarBaggagePropagator.builder().allow(TENANT);
        assertThatThrownBy(() -> builder.allow(ContextVar.of("has space")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("var name \"has space\" is not a valid baggage key");
        assertThatThrownBy(() -> builder.allow(ContextVar.of("tenant")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a var named tenant is already on the allow-list");
        assertThatThrownBy(() -> builder.prefix("x="))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("prefix \"x=\" is not a valid start of a baggage key");
        assertThat(builder.build()).hasToString("VarBaggagePropagator[prefix=cv., allow=tenant]");
        assertThat(builder.prefix("").build()).hasToString("VarBaggagePropagator[prefix=, allow=tenant]");
    }
}
