package org.contextvars4j.grpc;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Generic method descriptors of the test services: strings in, strings out, no protoc. */
final class Rpc {

    static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    static final MethodDescriptor<String, String> UNARY = method("test.Hop/Unary", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> STREAM = method("test.Hop/Stream", MethodDescriptor.MethodType.SERVER_STREAMING);
    static final MethodDescriptor<String, String> CLIENT_STREAM = method("test.Hop/Collect", MethodDescriptor.MethodType.CLIENT_STREAMING);
    static final MethodDescriptor<String, String> HANG = method("test.Hop/Hang", MethodDescriptor.MethodType.UNARY);
    static final MethodDescriptor<String, String> ADMIN = method("test.Admin/Reset", MethodDescriptor.MethodType.UNARY);

    private Rpc() {
    }

    private static MethodDescriptor<String, String> method(String name, MethodDescriptor.MethodType type) {
        return MethodDescriptor.<String, String>newBuilder()
                .setFullMethodName(name)
                .setType(type)
                .setRequestMarshaller(STRING)
                .setResponseMarshaller(STRING)
                .build();
    }
}
