package org.contextvars4j.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.contextvars4j.ContextVar;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.RequestIds;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each call in a fresh context: request id, user, refusals, and every callback on executor threads. */
@ExtendWith(ContextLeakGuard.class)
class ContextServerInterceptorTest {

    private static final Metadata.Key<String> REQUEST_ID = Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final ContextVar<List<String>> SEEN = ContextVar.of("seen");

    private static final AtomicInteger handled = new AtomicInteger();
    private static ExecutorService executor;
    private static Server server;
    private static ManagedChannel channel;

    @BeforeAll
    static void start() throws Exception {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory named = r -> new Thread(r, "grpc-exec-" + n.incrementAndGet());
        executor = Executors.newFixedThreadPool(2, named);
        ContextServerInterceptor interceptor = ContextServerInterceptor.builder()
                .authenticator(ContextServerInterceptorTest::authenticate)
                .requireRole("/test.Admin/*", "admin")
                .build();
        ServerServiceDefinition hop = ServerServiceDefinition.builder("test.Hop")
                .addMethod(Rpc.UNARY, ServerCalls.asyncUnaryCall(ContextServerInterceptorTest::describe))
                .addMethod(Rpc.CLIENT_STREAM, ServerCalls.asyncClientStreamingCall(ContextServerInterceptorTest::collect))
                .build();
        ServerServiceDefinition admin = ServerServiceDefinition.builder("test.Admin")
                .addMethod(Rpc.ADMIN, ServerCalls.asyncUnaryCall(ContextServerInterceptorTest::describe))
                .build();
        server = InProcessServerBuilder.forName("interceptor-test").executor(executor)
                .addService(ServerInterceptors.intercept(hop, interceptor))
                .addService(ServerInterceptors.intercept(admin, interceptor))
                .build().start();
        channel = InProcessChannelBuilder.forName("interceptor-test").build();
    }

    @AfterAll
    static void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow();
        assertThat(server.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        ContextLeakGuard.assertPoolClean(executor, 2);
        executor.shutdown();
    }

    private static Authentication authenticate(GrpcRequest request) {
        String credentials = request.headers().get(AUTHORIZATION);
        if (credentials == null) {
            return Authentication.anonymous();
        }
        switch (credentials) {
            case "Bearer alice":
                return Authentication.of(User.of("alice", "admin"));
            case "Bearer bob":
                return Authentication.of(User.of("bob"));
            default:
                return Authentication.refused("unknown token");
        }
    }

    private static void describe(String request, StreamObserver<String> response) {
        handled.incrementAndGet();
        response.onNext(RequestVars.REQUEST_ID.get() + "|" + RequestVars.currentUser().map(User::name).orElse("anonymous")
                + "|" + Thread.currentThread().getName());
        response.onCompleted();
    }

    private static StreamObserver<String> collect(StreamObserver<String> response) {
        String id = RequestVars.REQUEST_ID.get();
        SEEN.set(List.of());
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                List<String> seen = new ArrayList<>(SEEN.get());
                seen.add(value + "@" + (RequestVars.REQUEST_ID.get().equals(id) ? "same-id" : "other-id")
                        + "@" + Thread.currentThread().getName().startsWith("grpc-exec-"));
                SEEN.set(List.copyOf(seen));
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                response.onNext(String.join(",", SEEN.get()) + "|" + RequestVars.REQUEST_ID.get().equals(id));
                response.onCompleted();
            }
        };
    }

    private static String call(io.grpc.MethodDescriptor<String, String> method, Metadata headers, AtomicReference<Metadata> responseHeaders) {
        io.grpc.Channel intercepted = io.grpc.ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(headers),
                MetadataUtils.newCaptureMetadataInterceptor(responseHeaders, new AtomicReference<>()));
        return ClientCalls.blockingUnaryCall(intercepted, method, CallOptions.DEFAULT, "hello");
    }

    private static Metadata headers(Metadata.Key<String> key, String... values) {
        Metadata headers = new Metadata();
        for (String value : values) {
            headers.put(key, value);
        }
        return headers;
    }

    @Test
    void requestId_validInbound_keptAndEchoed() {
        AtomicReference<Metadata> echoed = new AtomicReference<>();
        String reply = call(Rpc.UNARY, headers(REQUEST_ID, "req-42"), echoed);
        assertThat(reply).startsWith("req-42|anonymous|grpc-exec-");
        assertThat(echoed.get().get(REQUEST_ID)).isEqualTo("req-42");
    }

    @Test
    void requestId_invalidOrDuplicatedOrAbsent_freshOne() {
        for (Metadata inbound : List.of(headers(REQUEST_ID, "bad id\t!"), headers(REQUEST_ID, "a", "b"), new Metadata())) {
            AtomicReference<Metadata> echoed = new AtomicReference<>();
            String id = call(Rpc.UNARY, inbound, echoed).split("\\|")[0];
            assertThat(id).matches("[0-9a-f]{32}");
            assertThat(RequestIds.isValid(id)).isTrue();
            assertThat(echoed.get().get(REQUEST_ID)).isEqualTo(id);
        }
    }

    @Test
    void authenticator_user_setForTheHandler() {
        String reply = call(Rpc.ADMIN, headers(AUTHORIZATION, "Bearer alice"), new AtomicReference<>());
        assertThat(reply.split("\\|")[1]).isEqualTo("alice");
    }

    @Test
    void authenticator_refusedCredential_unauthenticated_handlerNotRun() {
        int before = handled.get();
        assertThatThrownBy(() -> call(Rpc.UNARY, headers(AUTHORIZATION, "Bearer forged"), new AtomicReference<>()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThat(handled.get()).isEqualTo(before);
    }

    @Test
    void rule_noUser_unauthenticated_missingRole_permissionDenied() {
        int before = handled.get();
        assertThatThrownBy(() -> call(Rpc.ADMIN, new Metadata(), new AtomicReference<>()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
        assertThatThrownBy(() -> call(Rpc.ADMIN, headers(AUTHORIZATION, "Bearer bob"), new AtomicReference<>()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                    assertThat(e.getTrailers().get(REQUEST_ID)).matches("[0-9a-f]{32}");
                });
        assertThat(handled.get()).isEqualTo(before);
    }

    @Test
    void rule_callsAlternatingBetweenMethods_eachMatchedByItsOwnPath() {
        // The interceptor keeps the path of the previous call's method: another method's call
        // must not be matched by it.
        for (int i = 0; i < 10; i++) {
            assertThat(call(Rpc.UNARY, headers(AUTHORIZATION, "Bearer bob"), new AtomicReference<>())).contains("|bob|");
            assertThatThrownBy(() -> call(Rpc.ADMIN, headers(AUTHORIZATION, "Bearer bob"), new AtomicReference<>()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
        }
    }

    @Test
    void clientStreaming_everyCallbackOnExecutorThreadsSeesTheCallsContext() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> reply = new AtomicReference<>();
        StreamObserver<String> requests = io.grpc.stub.ClientCalls.asyncClientStreamingCall(
                channel.newCall(Rpc.CLIENT_STREAM, CallOptions.DEFAULT), new StreamObserver<>() {
                    @Override
                    public void onNext(String value) {
                        reply.set(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        reply.set(t.toString());
                        done.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        done.countDown();
                    }
                });
        for (int i = 0; i < 5; i++) {
            requests.onNext("m" + i);
        }
        requests.onCompleted();
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
        // A var set in one onMessage is seen by the next and by onHalfClose: one context per call.
        assertThat(reply.get()).isEqualTo("m0@same-id@true,m1@same-id@true,m2@same-id@true,m3@same-id@true,m4@same-id@true|true");
    }

    @Test
    void rejectInvalidRequestIds_invalidOrRepeatedId_invalidArgument_handlerNotRun_validIdKept() throws Exception {
        ContextServerInterceptor strict = ContextServerInterceptor.builder().rejectInvalidRequestIds(true).build();
        ServerServiceDefinition hop = ServerServiceDefinition.builder("test.Hop")
                .addMethod(Rpc.UNARY, ServerCalls.asyncUnaryCall(ContextServerInterceptorTest::describe))
                .build();
        Server strictServer = InProcessServerBuilder.forName("interceptor-test-strict").executor(executor)
                .addService(ServerInterceptors.intercept(hop, strict)).build().start();
        ManagedChannel strictChannel = InProcessChannelBuilder.forName("interceptor-test-strict").build();
        try (JulCapture log = new JulCapture("org.contextvars4j.web")) {
            int before = handled.get();
            for (Metadata inbound : List.of(headers(REQUEST_ID, "bad id\t!"), headers(REQUEST_ID, "a", "b"))) {
                assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(strictChannel,
                        MetadataUtils.newAttachHeadersInterceptor(inbound)), Rpc.UNARY, CallOptions.DEFAULT, "hello"))
                        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                            assertThat(e.getStatus().getDescription()).isEqualTo("invalid request id");
                            assertThat(e.getTrailers().get(REQUEST_ID)).matches("[0-9a-f]{32}");
                        });
            }
            assertThat(handled.get()).isEqualTo(before);
            assertThat(log.records()).hasSize(2).allSatisfy(r -> assertThat(r.getMessage()).contains("with 400"));
            String reply = ClientCalls.blockingUnaryCall(io.grpc.ClientInterceptors.intercept(strictChannel,
                    MetadataUtils.newAttachHeadersInterceptor(headers(REQUEST_ID, "req-7"))), Rpc.UNARY, CallOptions.DEFAULT, "hello");
            assertThat(reply).startsWith("req-7|anonymous|");
        } finally {
            strictChannel.shutdownNow();
            strictServer.shutdownNow();
            assertThat(strictServer.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void refusal_mapsEachAdmissionStatus() {
        assertThat(ContextServerInterceptor.refusal(400).getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(ContextServerInterceptor.refusal(401).getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(ContextServerInterceptor.refusal(403).getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
    }

    @Test
    void builder_headerThatIsNoMetadataKey_refusedNamingIt() {
        assertThatThrownBy(() -> ContextServerInterceptor.builder().requestIdHeader("X-Id!").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("x-id!");
        assertThatThrownBy(() -> ContextServerInterceptor.builder(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("baggage");
    }
}
