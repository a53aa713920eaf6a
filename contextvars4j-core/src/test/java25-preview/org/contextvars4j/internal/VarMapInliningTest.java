package org.contextvars4j.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import org.contextvars4j.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The invariant behind one trick of issue 15 (see the comment in {@link VarMap#with}): C2 must
 * call {@code VarMap.with} rather than inline it into {@code ContextVar.set}, so that set's
 * compiled code stays small enough to be inlined into its callers, where escape analysis removes
 * a token closed in the same method. C2 does not inline a method whose bytecode is longer than
 * {@code FreqInlineSize} (325 bytes by default on x86-64 and AArch64). If an edit shrinks
 * {@code with} below that, set + reset in a try-with-resources block allocates the token again
 * (56 -> 88 B on JDK 25, {@code ThreadShapeBenchmark.setResetLocal}); this test says so first.
 *
 * <p>Reads the compiled class with {@code java.lang.classfile} (JDK 24 and later), so it lives
 * in the JDK 25 test sources.
 */
@ExtendWith(ContextLeakGuard.class)
class VarMapInliningTest {

    /** C2's default {@code -XX:FreqInlineSize} on x86-64 and AArch64. */
    private static final int FREQ_INLINE_SIZE = 325;

    @Test
    @DisplayName("issue 15: VarMap.with stays longer than C2's FreqInlineSize, so ContextVar.set stays inlinable")
    void with_bytecodeLongerThanFreqInlineSize() throws IOException {
        assertThat(codeLength(VarMap.class, "with")).isGreaterThan(FREQ_INLINE_SIZE);
    }

    private static int codeLength(Class<?> type, String method) throws IOException {
        byte[] bytes;
        try (InputStream in = type.getResourceAsStream(type.getSimpleName() + ".class")) {
            assertThat(in).as("class file of %s", type).isNotNull();
            bytes = in.readAllBytes();
        }
        ClassModel model = ClassFile.of().parse(bytes);
        MethodModel found = model.methods().stream()
                .filter(m -> m.methodName().equalsString(method))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no method " + method + " in " + type));
        return found.findAttribute(Attributes.code()).orElseThrow().codeLength();
    }
}
