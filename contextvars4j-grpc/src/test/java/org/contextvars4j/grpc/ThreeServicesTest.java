package org.contextvars4j.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextVar;
import org.contextvars4j.opentelemetry.DropReason;
import org.contextvars4j.opentelemetry.VarBaggagePropagator;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three services over Netty on 127.0.0.1, A to B to C, each behind {@link ContextServerInterceptor}
 * with the same {@link GrpcBaggage}. A sets a var that is allowed ({@code tenant}) and one that is
 * not ({@code secret}); B hands the onward call off to a wrapped pool; C reports what it sees.
 */
@ExtendWith(ContextLeakGuard.class)
class ThreeServicesTest {

    private static final ContextVar<String> TENANT = ContextVar.of("tenant");
    private static final ContextVar<String> SECRET = ContextVar.of("secret");
    private static final Metadata.Key<String> BAGGAGE = Metadata.Key.of("baggage", Metadata.ASCII_STRING_MARSHALLER);

    private static final VarBaggagePropagator PROPAGATOR = VarBaggagePropagator.builder().allow(TENANT).build();
    private static final GrpcBaggage BAGGAGE_CARRIER = GrpcBaggage.of(PROPAGATOR);

    private static final List<ExecutorService> executors = new ArrayList<>();
    private static final List<Server> servers = new ArrayList<>();
    private static final List<ManagedChannel> channels = new ArrayList<>();
    private static ExecutorService handOff;
    private static Channel toA;
    private static Channel toB;
    private static Channel toBRaw;

    private static volatile CountDownLatch cHanging = new CountDownLatch(1);
    private static volatile CountDownLatch cSawCancel = new CountDownLatch(1);
    private static volatile CountDownLatch taskInterrupted = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        handOff = Executors.newFixedThreadPool(2);
        Server c = serve(ServerServiceDefinition.builder("test.Hop")
                .addMethod(Rpc.UNARY, ServerCalls.asyncUnaryCall((request, response) -> reply(response, view())))
                .addMethod(Rpc.STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
                    for (int i = 0; i < 3; i++) {
                        response.onNext("c" + i + ":" + view());
                    }
                    response.onCompleted();
                }))
                .addMethod(Rpc.HANG, ServerCalls.asyncUnaryCall((request, response) -> hang()))
                .build());
        Channel toC = channel(c);
        ExecutorService wrapped = ContextExecutors.wrap(handOff);
        Server b = serve(ServerServiceDefinition.builder("test.Hop")
                .addMethod(Rpc.UNARY, ServerCalls.asyncUnaryCall((request, response) -> wrapped.execute(() ->
                        ClientCalls.asyncUnaryCall(toC.newCall(Rpc.UNARY, CallOptions.DEFAULT), request,
                                relay(response, "b[" + TENANT.orElse("none") + "]:")))))
                .addMethod(Rpc.STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> wrapped.execute(() ->
                        ClientCalls.asyncServerStreamingCall(toC.newCall(Rpc.STREAM, CallOptions.DEFAULT), request,
                                relay(response, "b:")))))
                .addMethod(Rpc.HANG, ServerCalls.asyncUnaryCall((request, response) -> wrapped.execute(() ->
                        ClientCalls.asyncUnaryCall(toC.newCall(Rpc.HANG, CallOptions.DEFAULT), request, relay(response, "b:")))))
                .build());
        toB = channel(b);
        toBRaw = channels.get(channels.size() - 1);
        Server a = serve(ServerServiceDefinition.builder("test.Hop")
                .addMethod(Rpc.UNARY, ServerCalls.asyncUnaryCall((request, response) -> {
                    TENANT.set(request);
                    SECRET.set("s3cret");
                    ClientCalls.asyncUnaryCall(toB.newCall(Rpc.UNARY, CallOptions.DEFAULT), request, relay(response, "a:"));
                }))
                .addMethod(Rpc.STREAM, ServerCalls.asyncServerStreamingCall((request, response) -> {
                    TENANT.set(request);
                    SECRET.set("s3cret");
                    ClientCalls.asyncServerStreamingCall(toB.newCall(Rpc.STREAM, CallOptions.DEFAULT), request, relay(response, "a:"));
                }))
                .addMethod(Rpc.HANG, ServerCalls.asyncUnaryCall((request, response) ->
                        ClientCalls.asyncUnaryCall(toB.newCall(Rpc.HANG, CallOptions.DEFAULT), request, relay(response, "a:"))))
                .build());
        toA = channel(a);
    }

    @AfterAll
    static void stop() throws Exception {
        for (ManagedChannel channel : channels) {
            channel.shutdownNow();
        }
        for (Server server : servers) {
            server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
        }
        for (ExecutorService executor : executors) {
            ContextLeakGuard.assertPoolClean(executor, 2);
            executor.shutdown();
        }
        ContextLeakGuard.assertPoolClean(handOff, 2);
        handOff.shutdown();
    }

    private static Server serve(ServerServiceDefinition service) throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        executors.add(executor);
        Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                .executor(executor)
                .maxInboundMetadataSize(64 * 1024) // so that the oversized baggage reaches the interceptor
                .addService(ServerInterceptors.intercept(service, ContextServerInterceptor.builder(BAGGAGE_CARRIER).build()))
                .build().start();
        servers.add(server);
        return server;
    }

    private static Channel channel(Server server) {
        ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
        channels.add(channel);
        return ClientInterceptors.intercept(channel, BAGGAGE_CARRIER.clientInterceptor());
    }

    /** What C sees: the allowed var, the not-allowed one, and the deadline gRPC propagated. */
    private static String view() {
        String deadline = Cancellation.current().timeRemaining()
                .map(left -> left.toMillis() > 0 && left.toMillis() <= 5_000 ? "within-5s" : "wrong:" + left)
                .orElse("none");
        return "tenant=" + TENANT.orElse("none") + ",secret=" + SECRET.orElse("none") + ",deadline=" + deadline;
    }

    private static void reply(StreamObserver<String> response, String message) {
        response.onNext(message);
        response.onCompleted();
    }

    private static void hang() {
        Cancellation.cancelling(ContextExecutors.wrap(handOff)).execute(() -> {
            // Hanging only once the task runs: a task cancelled before it starts never runs at
            // all (it is a cancelled future), so there would be nothing to interrupt
            cHanging.countDown();
            try {
                Thread.sleep(20_000);
            } catch (InterruptedException e) {
                taskInterrupted.countDown();
            }
        });
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Cancellation.current().isCancelled() && System.nanoTime() < end) {
            Thread.onSpinWait();
        }
        if (Cancellation.current().isCancelled()) {
            cSawCancel.countDown();
        }
    }

    private static StreamObserver<String> relay(StreamObserver<String> response, String prefix) {
        return new StreamObserver<>() {
            @Override
            public void onNext(String value) {
                response.onNext(prefix + value);
            }

            @Override
            public void onError(Throwable t) {
                response.onError(t);
            }

            @Override
            public void onCompleted() {
                response.onCompleted();
            }
        };
    }

    @Test
    void unary_allowedVarArrivesInC_notAllowedOneDoesNot() {
        String reply = ClientCalls.blockingUnaryCall(toA, Rpc.UNARY, CallOptions.DEFAULT, "acme");
        assertThat(reply).isEqualTo("a:b[acme]:tenant=acme,secret=none,deadline=none");
    }

    @Test
    void serverStreaming_everyMessageFromCSeesTheVar() {
        List<String> replies = new ArrayList<>();
        Iterator<String> stream = ClientCalls.blockingServerStreamingCall(toA, Rpc.STREAM, CallOptions.DEFAULT, "globex");
        stream.forEachRemaining(replies::add);
        assertThat(replies).containsExactly(
                "a:b:c0:tenant=globex,secret=none,deadline=none",
                "a:b:c1:tenant=globex,secret=none,deadline=none",
                "a:b:c2:tenant=globex,secret=none,deadline=none");
    }

    @Test
    void deadline_setByTheClient_reachesC_acrossTheHandOffInB() {
        String reply = ClientCalls.blockingUnaryCall(toA, Rpc.UNARY,
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "initech");
        assertThat(reply).isEqualTo("a:b[initech]:tenant=initech,secret=none,deadline=within-5s");
    }

    @Test
    void cancellation_byTheClient_reachesC_andCancelsItsHandedOffTask() throws Exception {
        cHanging = new CountDownLatch(1);
        cSawCancel = new CountDownLatch(1);
        taskInterrupted = new CountDownLatch(1);
        ClientCall<String, String> call = toA.newCall(Rpc.HANG, CallOptions.DEFAULT);
        ClientCalls.asyncUnaryCall(call, "hang", new StreamObserver<>() {
            @Override
            public void onNext(String value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        assertThat(cHanging.await(10, TimeUnit.SECONDS)).isTrue();
        call.cancel("the user gave up", null);
        assertThat(cSawCancel.await(10, TimeUnit.SECONDS)).as("C's Cancellation.current() saw the cancel").isTrue();
        assertThat(taskInterrupted.await(10, TimeUnit.SECONDS)).as("C's handed-off task was cancelled").isTrue();
    }

    @Test
    void load_1000CallsAtConcurrency50_noMismatch() throws Exception {
        int calls = 1000;
        Semaphore inFlight = new Semaphore(50);
        CountDownLatch done = new CountDownLatch(calls);
        Map<Integer, String> wrong = new ConcurrentHashMap<>();
        AtomicInteger ok = new AtomicInteger();
        for (int i = 0; i < calls; i++) {
            inFlight.acquire();
            String tenant = "t" + i;
            int n = i;
            String expected = "a:b[" + tenant + "]:tenant=" + tenant + ",secret=none,deadline=within-5s";
            ClientCalls.asyncUnaryCall(toA.newCall(Rpc.UNARY, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
                    tenant, new StreamObserver<>() {
                        @Override
                        public void onNext(String value) {
                            if (value.equals(expected)) {
                                ok.incrementAndGet();
                            } else {
                                wrong.put(n, value);
                            }
                        }

                        @Override
                        public void onError(Throwable t) {
                            wrong.put(n, t.toString());
                            inFlight.release();
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            inFlight.release();
                            done.countDown();
                        }
                    });
        }
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(wrong).isEmpty();
        assertThat(ok.get()).isEqualTo(calls);
    }

    /** Calls B directly with hostile baggage metadata: dropped, counted, logged, and the call succeeds. */
    private static String callBWith(String... baggage) {
        Metadata headers = new Metadata();
        for (String value : baggage) {
            headers.put(BAGGAGE, value);
        }
        Channel raw = ClientInterceptors.intercept(toBRaw, MetadataUtils.newAttachHeadersInterceptor(headers));
        return ClientCalls.blockingUnaryCall(raw, Rpc.UNARY, CallOptions.DEFAULT, "x");
    }


    @Test
    void hostileMetadataAtB_droppedAndCounted_callSucceeds() {
        try (JulCapture log = new JulCapture(VarBaggagePropagator.class.getName())) {
            String[][] cases = {
                {"OVERSIZED_HEADER", "cv.tenant=" + "x".repeat(9_000)},
                {"MALFORMED", "cv.tenant=%ZZ"},
                {"MALFORMED", "cv.tenant=%0Aforged"},
                {"DUPLICATE", "cv.tenant=a", "cv.tenant=b"},
                {"DUPLICATE", "cv.tenant=a,cv.tenant=b"},
                {"NOT_ALLOWED", "cv.secret=s3cret"},
            };
            for (String[] c : cases) {
                DropReason reason = DropReason.valueOf(c[0]);
                String[] baggage = java.util.Arrays.copyOfRange(c, 1, c.length);
                long before = PROPAGATOR.dropCount(reason);
                String reply = callBWith(baggage);
                assertThat(reply).as("reply to %s", c[0]).isEqualTo("b[none]:tenant=none,secret=none,deadline=none");
                assertThat(PROPAGATOR.dropCount(reason)).as("drops of %s", reason).isEqualTo(before + 1);
            }
            // Next to a hostile entry, the allowed one still arrives.
            assertThat(callBWith("cv.secret=s3cret,cv.tenant=ok")).isEqualTo("b[ok]:tenant=ok,secret=none,deadline=none");
            assertThat(log.records()).isNotEmpty().allSatisfy(r -> {
                assertThat(r.getLevel()).isEqualTo(Level.WARNING);
                assertThat(r.getMessage()).startsWith("dropped baggage");
            });
        }
    }
}
