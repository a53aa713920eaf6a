package org.contextvars4j.grpc;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Iterator;
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
 * @implNote Thread-safe; share one instance. Per call: one context, the id check, the
 *           authenticator, and one enter and exit for the start and for each callback; the
 *           start and the callbacks run through one object per call (the listener), no lambda.
 */
public final class ContextServerInterceptor implements ServerInterceptor {

    /**
     * Never entered nor changed: {@code with} on it makes a fresh context of one var, one object
     * fewer than {@code new Context().with}.
     */
    private static final Context EMPTY = new Context();

    private final RequestPolicy<GrpcRequest> policy;
    private final Metadata.Key<String> requestIdKey;
    private final GrpcBaggage baggage;
    /** The path of the method of the previous call (see {@link #path}). */
    private MethodPath lastPath;

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
        Context callContext = (baggage == null ? EMPTY : baggage.extract(headers))
                .with(Cancellation.VAR, Cancellation.of(grpcContext));
        InContext<Q, A> listener = new InContext<>(callContext, this, call, headers, next, grpcContext);
        callContext.run(listener);               // the start, in the call's context (InContext.run)
        return listener.startedOrRefused();
    }

    /**
     * The start of a call, run in the call's context by {@link InContext}: makes gRPC's context
     * current there, admits the call and starts the handler with the echoing call; {@return the
     * handler's listener, or null when the call was refused and closed}
     */
    private <Q, A> ServerCall.Listener<Q> start(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next,
            io.grpc.Context grpcContext) {
        // With the storage override, gRPC's context lives in ours: make the call's current in the
        // call's context too (never detached: it ends with the call's context). With gRPC's own
        // storage it is current already, and attaching it again leaves it as it is.
        grpcContext.attach();
        Admission admission = policy.admit(new GrpcRequest(call, headers), path(call), inboundIds(headers));
        String id = admission.requestId();
        if (!admission.isAllowed()) {
            Metadata trailers = new Metadata();
            trailers.put(requestIdKey, id);
            call.close(refusal(admission.status()), trailers);
            return null;
        }
        return next.startCall(new Echoing<>(call, requestIdKey, id), headers);
    }

    /** {@return the values of the request id header, in order; null when there is none} */
    private List<String> inboundIds(Metadata headers) {
        Iterable<String> ids = headers.getAll(requestIdKey);
        if (ids == null) {
            return null;
        }
        Iterator<String> values = ids.iterator();
        String first = values.next();
        if (!values.hasNext()) {
            return List.of(first);                // the common case: one value, one small list
        }
        List<String> all = new ArrayList<>(2);
        all.add(first);
        while (values.hasNext()) {
            all.add(values.next());
        }
        return all;
    }

    /**
     * {@return the path the rules match, {@code /package.Service/Method}}: kept for the method of
     * the previous call, so that a service called again and again does not build it each time.
     * A plain field: a {@link MethodPath} is immutable (final fields), and a thread that sees
     * another's stale or null entry only builds the path again.
     */
    private String path(ServerCall<?, ?> call) {
        MethodDescriptor<?, ?> method = call.getMethodDescriptor();
        MethodPath last = lastPath;
        if (last == null || last.method != method) {
            last = new MethodPath(method, "/" + method.getFullMethodName());
            lastPath = last;
        }
        return last.path;
    }

    @Override
    public String toString() {
        return "ContextServerInterceptor[" + policy + (baggage != null ? ", " + baggage : "") + "]";
    }

    /** A method and its path, as {@link #path} keeps them. */
    private static final class MethodPath {
        final MethodDescriptor<?, ?> method;
        final String path;

        MethodPath(MethodDescriptor<?, ?> method, String path) {
            this.method = method;
            this.path = path;
        }
    }

    /** The call as the handler sees it: the request id goes into the response headers. */
    private static final class Echoing<Q, A> extends ForwardingServerCall.SimpleForwardingServerCall<Q, A> {
        private final Metadata.Key<String> key;
        private final String id;

        Echoing(ServerCall<Q, A> call, Metadata.Key<String> key, String id) {
            super(call);
            this.key = key;
            this.id = id;
        }

        @Override
        public void sendHeaders(Metadata responseHeaders) {
            responseHeaders.put(key, id);
            super.sendHeaders(responseHeaders);
        }
    }

    /**
     * Runs the start of the call and every callback of the call's listener in the call's context.
     * The listener is its own {@link Runnable}: the start and each callback record which one it is
     * (and the message) and run the listener in the context, so neither the start nor a callback
     * allocates a task. gRPC runs one call's callbacks one at a time (a new one starts after the
     * previous one returned, on whichever thread), which is what makes the plain fields safe, and
     * a callback made from inside a callback runs in place.
     */
    private static final class InContext<Q, A> extends ServerCall.Listener<Q> implements Runnable {

        private static final int START = -1;
        private static final int MESSAGE = 0;
        private static final int HALF_CLOSE = 1;
        private static final int CANCEL = 2;
        private static final int COMPLETE = 3;
        private static final int READY = 4;

        private final Context context;
        /** What the start needs; dropped once the call has started. */
        private ContextServerInterceptor interceptor;
        private ServerCall<Q, A> call;
        private Metadata headers;
        private ServerCallHandler<Q, A> next;
        private io.grpc.Context grpcContext;
        /** The handler's listener; null until started, and for good when the call was refused. */
        private ServerCall.Listener<Q> delegate;
        private int callback = START;
        private Q message;
        /**
         * The thread running a callback in the context, else null. A plain field: only a thread's
         * own write can make it equal to that thread, and a thread always sees its own writes.
         */
        private Thread inside;

        InContext(Context context, ContextServerInterceptor interceptor, ServerCall<Q, A> call, Metadata headers,
                ServerCallHandler<Q, A> next, io.grpc.Context grpcContext) {
            this.context = context;
            this.interceptor = interceptor;
            this.call = call;
            this.headers = headers;
            this.next = next;
            this.grpcContext = grpcContext;
        }

        /** {@return this listener once the call has started, or a listener that does nothing when it was refused} */
        ServerCall.Listener<Q> startedOrRefused() {
            if (delegate != null) {
                return this;
            }
            return new ServerCall.Listener<Q>() { };
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
            if (callback == START) {
                ContextServerInterceptor owner = interceptor;
                interceptor = null;
                delegate = owner.start(call, headers, next, grpcContext);
                call = null;
                headers = null;
                next = null;
                grpcContext = null;
                return;
            }
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
                case MESSAGE -> delegate.onMessage(m);
                case HALF_CLOSE -> delegate.onHalfClose();
                case CANCEL -> delegate.onCancel();
                case COMPLETE -> delegate.onComplete();
                default -> delegate.onReady();
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

        @Override
        public String toString() {
            return "InContext[" + delegate + "]";
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
