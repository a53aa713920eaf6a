package org.contextvars4j.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ThreadLocalAccessor;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Scope;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(ContextLeakGuard.class)
@DisplayName("ContextThreadLocalAccessor follows Micrometer's ThreadLocalAccessor contract")
class ContextThreadLocalAccessorTest {

    private static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id");

    private final ContextThreadLocalAccessor accessor = new ContextThreadLocalAccessor();

    @Test
    @DisplayName("P6: Micrometer's global registry finds the accessor through ServiceLoader, under its key")
    void registry_globalInstance_holdsAccessorFoundByServiceLoader() {
        List<ThreadLocalAccessor<?>> accessors = ContextRegistry.getInstance().getThreadLocalAccessors();
        assertThat(accessors).filteredOn(a -> a.key().equals(ContextThreadLocalAccessor.KEY))
                .singleElement().isInstanceOf(ContextThreadLocalAccessor.class);
        List<Object> loaded = new ArrayList<>();
        ServiceLoader.load(ThreadLocalAccessor.class).forEach(loaded::add);
        assertThat(loaded).hasAtLeastOneElementOfType(ContextThreadLocalAccessor.class);
        assertThat(accessor.key()).isEqualTo("org.contextvars4j.context");
        assertThat(accessor).hasToString("ContextThreadLocalAccessor[org.contextvars4j.context]");
    }

    @Test
    @DisplayName("P6: on the module path the accessor is provided by the module's provides clause")
    void moduleDescriptor_providesAccessor() throws Exception {
        Path classes = Path.of(ContextThreadLocalAccessor.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ModuleDescriptor descriptor = ModuleFinder.of(classes).find("org.contextvars4j.micrometer").orElseThrow().descriptor();
        assertThat(descriptor.provides()).singleElement().satisfies(p -> {
            assertThat(p.service()).isEqualTo(ThreadLocalAccessor.class.getName());
            assertThat(p.providers()).containsExactly(ContextThreadLocalAccessor.class.getName());
        });
        assertThat(descriptor.exports()).extracting(ModuleDescriptor.Exports::source).containsExactly("org.contextvars4j.micrometer");
        assertThat(descriptor.requires()).extracting(ModuleDescriptor.Requires::name)
                .contains("org.contextvars4j", "context.propagation");
    }

    @Test
    @DisplayName("S4: getValue returns a new copy each time, never null, also of an empty context")
    void getValue_anyContext_returnsFreshCopy() {
        Context empty = accessor.getValue();
        assertThat(empty).isNotNull();
        assertThat(empty.isEmpty()).isTrue();
        try (Token<String> t = REQUEST_ID.set("r-1")) {
            Context first = accessor.getValue();
            Context second = accessor.getValue();
            assertThat(first).isNotSameAs(second);
            assertThat(first.get(REQUEST_ID)).isEqualTo("r-1");
            REQUEST_ID.set("r-2");
            assertThat(first.get(REQUEST_ID)).as("S3: a copy is not affected by later sets").isEqualTo("r-1");
        }
    }

    @Test
    @DisplayName("S6: setValue makes a copy current, restore puts back exactly the previous context (its token still resets)")
    void setValueThenRestore_previousContextWithToken_exactlyRestored() {
        Context captured;
        try (Token<String> t = REQUEST_ID.set("captured")) {
            captured = accessor.getValue();
        }
        try (Token<String> own = REQUEST_ID.set("own")) {
            Context previous = accessor.getValue();
            accessor.setValue(captured);
            assertThat(REQUEST_ID.get()).isEqualTo("captured");
            REQUEST_ID.set("changed");                       // changes the installed copy only
            assertThat(captured.get(REQUEST_ID)).isEqualTo("captured");
            assertThat(captured.isEntered()).as("the snapshot itself is never entered").isFalse();
            accessor.restore(previous);
            assertThat(REQUEST_ID.get()).isEqualTo("own");
            // own.close() below succeeds only if the very context it was made in is current (S5)
        }
        assertThat(ThreadFrames.current().depth()).isZero();
    }

    @Test
    @DisplayName("S1: setValue() makes an empty context current until restore()")
    void setValueEmptyThenRestore_varHidden_thenBack() {
        try (Token<String> own = REQUEST_ID.set("own")) {
            accessor.setValue();
            assertThat(REQUEST_ID.orElse(null)).isNull();
            assertThat(Context.copyCurrent().isEmpty()).isTrue();
            accessor.restore();
            assertThat(REQUEST_ID.get()).isEqualTo("own");
        }
    }

    @Test
    @DisplayName("S8: nested setValue calls restore innermost first")
    void setValue_nested_restoresLifo() {
        Context a = contextWith("a");
        Context b = contextWith("b");
        accessor.setValue(a);
        accessor.setValue(b);
        accessor.setValue();
        assertThat(REQUEST_ID.orElse(null)).isNull();
        accessor.restore();
        assertThat(REQUEST_ID.get()).isEqualTo("b");
        accessor.restore(b);
        assertThat(REQUEST_ID.get()).isEqualTo("a");
        accessor.restore(a);
        assertThat(REQUEST_ID.orElse(null)).isNull();
        assertThat(ThreadFrames.current().depth()).isZero();
    }

    @Test
    @DisplayName("S8: restore without a matching setValue is refused and changes nothing")
    void restore_nothingOpen_refusedUnchanged() {
        try (Token<String> own = REQUEST_ID.set("own")) {
            assertThatThrownBy(accessor::restore)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessage("cannot restore: ContextThreadLocalAccessor[org.contextvars4j.context] has no open setValue on thread "
                            + Thread.currentThread().getName());
            assertThat(REQUEST_ID.get()).isEqualTo("own");
            assertThat(ThreadFrames.current().depth()).isZero();
        }
    }

    @Test
    @DisplayName("S8: a restore whose scope still has another accessor's value set inside waits for it, so the undoing stays LIFO")
    void restore_otherAccessorInnermost_deferredUntilInnerRestored() {
        ContextVarAccessor<String> other = ContextVarAccessor.of("requestId", REQUEST_ID);
        accessor.setValue(contextWith("outer"));
        other.setValue("inner");
        accessor.restore();   // Micrometer's order: registration order, outer accessor first
        assertThat(REQUEST_ID.get()).as("the scope stays open while the var is set inside it").isEqualTo("inner");
        assertThat(ThreadFrames.current().depth()).isEqualTo(2);
        other.restore();      // now both are undone, innermost first
        assertThat(REQUEST_ID.orElse(null)).isNull();
        assertThat(ThreadFrames.current().depth()).isZero();
        assertThatThrownBy(accessor::restore)
                .as("the deferred restore was used up")
                .isExactlyInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot restore: ContextThreadLocalAccessor[org.contextvars4j.context] has no open setValue");
    }

    @Test
    @DisplayName("S8: restore while a context entered inside is still entered is refused by the scope and changes nothing")
    void restore_innerContextStillEntered_refusedUnchanged() {
        accessor.setValue(contextWith("outer"));
        Context inner = contextWith("inner");
        Scope scope = inner.enter();
        try {
            assertThatThrownBy(accessor::restore)
                    .isExactlyInstanceOf(IllegalStateException.class)
                    .hasMessageEndingWith("is not the current context; close inner scopes first");
            assertThat(REQUEST_ID.get()).isEqualTo("inner");
            assertThat(ThreadFrames.current().depth()).isEqualTo(1);
        } finally {
            scope.close();
        }
        accessor.restore();
        assertThat(ThreadFrames.current().depth()).isZero();
    }

    @Test
    @DisplayName("S9: null arguments are refused naming the parameter, and change nothing")
    void nullArguments_refusedUnchanged() {
        NullRefusals.assertNullValuesRefused(accessor);
    }

    private static Context contextWith(String requestId) {
        Context c = new Context();
        c.run(() -> REQUEST_ID.set(requestId));
        return c;
    }
}
