package org.contextvars4j.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.contextvars4j.Context;
import org.contextvars4j.web.Admission;
import org.contextvars4j.web.RequestPolicy;
import org.contextvars4j.web.RequestVars;

/**
 * A {@link ServerInterceptor} that runs each call's handlers in a fresh contextvars4j context, the
 * gRPC counterpart of the web module's request scope filters.
 *
 * <h2>What the call's context holds</h2>
 *
 * <ul>
 *   <li>{@link RequestVars#REQUEST_ID}: the inbound {@code x-request-id} metadata (the policy's
 *       header, lowercased) when there is exactly one and it is valid
 *       ({@link org.contextvars4j.web.RequestIds#isValid}), else a fresh id; the id is also sent
 *       back in the response headers;</li>
 *   <li>{@link RequestVars#USER}: what the policy's {@link org.contextvars4j.web.Authenticator}
 *       (of {@link GrpcRequest}) returned; a refused credential closes the call with
 *       {@code UNAUTHENTICATED}, and a rule of the policy matching {@code /package.Service/Method}
 *       that the user does not meet closes it with {@code UNAUTHENTICATED} (no user) or
 *       {@code PERMISSION_DENIED} (a missing role), before any handler runs; with the policy's
 *       {@code rejectInvalidRequestIds(true)}, an invalid or repeated inbound id closes the call
 *       with {@code INVALID_ARGUMENT} instead of being replaced;</li>
 *   <li>{@link Cancellation#VAR}: the call's gRPC context, for deadline and cancellation reads;</li>
 *   <li>the vars that arrived in {@code baggage} metadata, when built with a {@link GrpcBaggage};</li>
 *   <li>with the storage override in place ({@code io.grpc.override.ContextStorageOverride}), the
 *       call's {@code io.grpc.Context}.</li>
 * </ul>
 *
 * <h2>One context per call</h2>
 *
 * <p>The interceptors after this one, {@code startCall} of the handler and every listener callback
 * ({@code onMessage}, {@code onHalfClose}, {@code onCancel}, {@code onComplete}, {@code onReady}),
 * on whichever executor thread gRPC runs it, run in the call's context: a var set in
 * {@code onMessage} is seen by {@code onHalfClose}. gRPC runs one call's callbacks one at a time,
 * which is what lets them share one context (SPEC S7). Work handed off from a handler gets a copy,
 * as with any contextvars4j hand-off. The executor thread's own context is what it was before,
 * after every callback.
 *
 * <p>Register it first (outermost), so that the other interceptors run inside the call's
 * context: {@code ServerInterceptors.intercept(service, others..., contextInterceptor)} (the last
 * one given runs first).
 *
 * @implNote Thread-safe and immutable; share one instance. Per call: one context, the id
 *           check, the authenticator, and one enter and exit per callback.
 */
public final class ContextServerInterceptor implements ServerInterceptor {

    private final RequestPolicy<GrpcRequest> policy;
    private final Metadata.Key<String> requestIdKey;
    private final GrpcBaggage baggage;

    private ContextServerInterceptor(RequestPolicy<GrpcRequest> policy, GrpcBaggage baggage) {
        this.policy = policy;
        this.requestIdKey = Metadata.Key.of(policy.requestIdHeader(), Metadata.ASCII_STRING_MARSHALLER);
        this.baggage = baggage;
    }

    /**
     * Returns a builder of the interceptor: the request id header, the authenticator and the
     * access rules, as for the web filters; the rules match {@code /package.Service/Method}.
     *
     * @return the builder; its {@code build()} throws {@link IllegalArgumentException} when the
     *         request id header is not a valid gRPC metadata key
     */
    public static RequestPolicy.Builder<GrpcRequest, ContextServerInterceptor> builder() {
        return RequestPolicy.builder(policy -> new ContextServerInterceptor(policy, null));
    }

    /**
     * Returns a builder of an interceptor that also sets the vars that {@code baggage} allows from
     * the call's {@code baggage} metadata.
     *
     * @param baggage the inbound half of the baggage propagation
     * @return the builder, as {@link #builder()}
     * @throws NullPointerException if {@code baggage} is null
     */
    public static RequestPolicy.Builder<GrpcRequest, ContextServerInterceptor> builder(GrpcBaggage baggage) {
        Objects.requireNonNull(baggage, "baggage");
        return RequestPolicy.builder(policy -> new ContextServerInterceptor(policy, baggage));
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        io.grpc.Context grpcContext = io.grpc.Context.current();
        // The cancellation goes in before the context is entered: a new context with one var is
        // one map, where a set inside would also make a token.
        Context callContext = (baggage == null ? new Context() : baggage.extract(headers))
                .with(Cancellation.VAR, Cancellation.of(grpcContext));
        GrpcRequest request = new GrpcRequest(call, headers);
        Iterable<String> ids = headers.getAll(requestIdKey);
        List<String> inboundIds = null;
        if (ids != null) {
            inboundIds = new ArrayList<>(1);
            for (String id : ids) {
                inboundIds.add(id);
            }
        }
        List<String> inbound = inboundIds;
        try {
            return callContext.call(() -> {
                if (io.grpc.Context.current() != grpcContext) {
                    // The override keeps gRPC's context in ours: make the call's current here too.
                    // Never detached: it ends with the call's context.
                    grpcContext.attach();
                }
                Admission admission = policy.admit(request, request.path(), inbound);
                String id = admission.requestId();
                if (!admission.isAllowed()) {
                    Metadata trailers = new Metadata();
                    trailers.put(requestIdKey, id);
                    call.close(refusal(admission.status()), trailers);
                    return new ServerCall.Listener<Q>() { };
                }
                ServerCall<Q, A> echoing = new ForwardingServerCall.SimpleForwardingServerCall<Q, A>(call) {
                    @Override
                    public void sendHeaders(Metadata responseHeaders) {
                        responseHeaders.put(requestIdKey, id);
                        super.sendHeaders(responseHeaders);
                    }
                };
                return new InContext<>(next.startCall(echoing, headers), callContext);
            });
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("call " + request.fullMethodName() + " failed to start", e);
        }
    }

    @Override
    public String toString() {
        return "ContextServerInterceptor[" + policy + (baggage != null ? ", " + baggage : "") + "]";
    }

    /**
     * Runs every callback of the call's listener in the call's context. The listener is its own
     * {@link Runnable}: a callback records which one it is (and the message) and runs the listener
     * in the context, so a callback allocates nothing. gRPC runs one call's callbacks one at a time
     * (a new one starts after the previous one returned, on whichever thread), which is what makes
     * the two fields safe, and a callback made from inside a callback runs in place.
     */
    private static final class InContext<Q> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>
            implements Runnable {

        private static final int MESSAGE = 0;
        private static final int HALF_CLOSE = 1;
        private static final int CANCEL = 2;
        private static final int COMPLETE = 3;
        private static final int READY = 4;

        private final Context context;
        private int callback;
        private Q message;
        /**
         * The thread running a callback in the context, else null. A plain field: only a thread's
         * own write can make it equal to that thread, and a thread always sees its own writes.
         */
        private Thread inside;

        InContext(ServerCall.Listener<Q> delegate, Context context) {
            super(delegate);
            this.context = context;
        }

        private void inContext(int which) {
            if (inside == Thread.currentThread()) {
                dispatch(which);                  // from inside a callback of this call
                return;
            }
            callback = which;
            context.run(this);
        }

        @Override
        public void run() {
            Q m = message;
            message = null;
            inside = Thread.currentThread();
            try {
                dispatch(callback, m);
            } finally {
                inside = null;
            }
        }

        private void dispatch(int which) {
            Q m = message;
            message = null;
            dispatch(which, m);
        }

        private void dispatch(int which, Q m) {
            switch (which) {
                case MESSAGE -> super.onMessage(m);
                case HALF_CLOSE -> super.onHalfClose();
                case CANCEL -> super.onCancel();
                case COMPLETE -> super.onComplete();
                default -> super.onReady();
            }
        }

        @Override
        public void onMessage(Q message) {
            this.message = message;
            inContext(MESSAGE);
        }

        @Override
        public void onHalfClose() {
            inContext(HALF_CLOSE);
        }

        @Override
        public void onCancel() {
            inContext(CANCEL);
        }

        @Override
        public void onComplete() {
            inContext(COMPLETE);
        }

        @Override
        public void onReady() {
            inContext(READY);
        }
    }

    /**
     * {@return the gRPC status of a refused call}: an invalid request id (HTTP 400, with the
     * policy's {@code rejectInvalidRequestIds}) is {@code INVALID_ARGUMENT}, a missing role (403)
     * {@code PERMISSION_DENIED}, a refused or missing credential (401) {@code UNAUTHENTICATED}
     *
     * @param httpStatus the admission's status
     */
    static Status refusal(int httpStatus) {
        switch (httpStatus) {
            case 400:
                return Status.INVALID_ARGUMENT.withDescription("invalid request id");
            case 403:
                return Status.PERMISSION_DENIED.withDescription("permission denied");
            default:
                return Status.UNAUTHENTICATED.withDescription("unauthenticated");
        }
    }
}
