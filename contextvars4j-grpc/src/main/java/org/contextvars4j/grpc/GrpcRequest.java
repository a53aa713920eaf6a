package org.contextvars4j.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.ServerCall;

/**
 * An inbound gRPC call as the {@link org.contextvars4j.web.Authenticator} sees it: the method, the
 * request headers and the transport's attributes (the peer's address, TLS session, ...).
 */
public final class GrpcRequest {

    private final ServerCall<?, ?> call;
    private final Metadata headers;

    GrpcRequest(ServerCall<?, ?> call, Metadata headers) {
        this.call = call;
        this.headers = headers;
    }

    /** {@return the full method name, {@code package.Service/Method}} */
    public String fullMethodName() {
        return call.getMethodDescriptor().getFullMethodName();
    }

    /** {@return the path the access rules match: {@code /package.Service/Method}} */
    public String path() {
        return "/" + fullMethodName();
    }

    /** {@return the request headers (metadata), as received} */
    public Metadata headers() {
        return headers;
    }

    /** {@return the transport's attributes of the call, such as {@code Grpc.TRANSPORT_ATTR_REMOTE_ADDR}} */
    public Attributes attributes() {
        return call.getAttributes();
    }

    @Override
    public String toString() {
        return "GrpcRequest[" + fullMethodName() + "]";
    }
}
