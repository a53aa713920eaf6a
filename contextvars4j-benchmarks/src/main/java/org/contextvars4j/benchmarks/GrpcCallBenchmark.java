package org.contextvars4j.benchmarks;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.contextvars4j.Context;
import org.contextvars4j.grpc.ContextServerInterceptor;
import org.contextvars4j.grpc.GrpcRequest;
import org.contextvars4j.web.Authentication;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Group;
import org.openjdk.jmh.annotations.GroupThreads;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Unary calls per second over gRPC's in-process transport with {@link ContextServerInterceptor}
 * against the same service without it (issue 25's target: at least 0.95x), and behind the floor
 * of any per-call context: an interceptor that only runs each callback in a fresh empty context.
 *
 * <p>One in-process server serves one handler twice: as {@code ctx.Hello/Say} behind the
 * interceptor (a valid inbound request id, an authenticator reading {@code authorization}, a rule
 * requiring a user) and as {@code plain.Hello/Say} without it. The handler reads the request id
 * and the user. Both clients send the same metadata. As in {@link WebFilterBenchmark}, the two rows
 * run at the same time in one JMH group, so that both see the same JIT state and background load.
 * The server runs handlers on the transport's thread ({@code directExecutor}), so the rows
 * measure the calls' CPU, not thread hand-offs. gRPC's storage here is its default one (see
 * {@link GrpcStorageBenchmark} for ours), and the baggage cost is {@link BaggagePropagationBenchmark}'s.
 * Run:
 * <pre>
 * mvn -B -ntp -pl contextvars4j-benchmarks -am -DskipTests package
 * java -jar contextvars4j-benchmarks/target/benchmarks.jar GrpcCallBenchmark -f 1 -wi 2 -w 1s -i 3 -r 1s
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class GrpcCallBenchmark {

    private static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
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
    private static final MethodDescriptor<String, String> SCOPED = method("ctx.Hello/Say");
    private static final MethodDescriptor<String, String> PLAIN = method("plain.Hello/Say");
    private static final MethodDescriptor<String, String> FLOOR = method("floor.Hello/Say");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private Server server;
    private ManagedChannel channel;
    private Channel client;

    private static MethodDescriptor<String, String> method(String name) {
        return MethodDescriptor.<String, String>newBuilder().setFullMethodName(name)
                .setType(MethodDescriptor.MethodType.UNARY).setRequestMarshaller(STRING).setResponseMarshaller(STRING).build();
    }

    private static ServerServiceDefinition service(String name, MethodDescriptor<String, String> method) {
        return ServerServiceDefinition.builder(name)
                .addMethod(method, ServerCalls.asyncUnaryCall((request, response) -> {
                    response.onNext("hello " + RequestVars.REQUEST_ID.orElse("none") + " "
                            + RequestVars.currentUser().map(User::name).orElse("-"));
                    response.onCompleted();
                }))
                .build();
    }

    /** Starts the server and the channel. */
    @Setup(Level.Trial)
    public void start() throws Exception {
        ContextServerInterceptor contexts = ContextServerInterceptor.builder()
                .authenticator((GrpcRequest r) -> {
                    String auth = r.headers().get(AUTHORIZATION);
                    return auth != null && auth.startsWith("Bearer ")
                            ? Authentication.of(User.of(auth.substring(7), "user")) : Authentication.anonymous();
                })
                .requireUser("/ctx.Hello/*")
                .build();
        String name = "grpc-call-benchmark";
        server = InProcessServerBuilder.forName(name).directExecutor()
                .addService(ServerInterceptors.intercept(service("ctx.Hello", SCOPED), contexts))
                .addService(service("plain.Hello", PLAIN))
                .addService(ServerInterceptors.intercept(service("floor.Hello", FLOOR), new FreshContextPerCallback()))
                .build().start();
        channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-request-id", Metadata.ASCII_STRING_MARSHALLER), "req-42");
        headers.put(AUTHORIZATION, "Bearer alice");
        client = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        if (!withInterceptor().equals("hello req-42 alice") || !withoutInterceptor().equals("hello none -")
                || !floorInterceptor().equals("hello none -")) {
            throw new IllegalStateException("the service does not answer as expected");
        }
    }

    /** Stops the server and the channel. */
    @TearDown(Level.Trial)
    public void stop() throws Exception {
        channel.shutdownNow();
        server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }

    /** {@return the reply of one call through the interceptor} */
    @Benchmark
    @Group("grpc")
    @GroupThreads(1)
    public String withInterceptor() {
        return ClientCalls.blockingUnaryCall(client, SCOPED, CallOptions.DEFAULT, "hi");
    }

    /** {@return the reply of one call to the same handler without it} */
    @Benchmark
    @Group("grpc")
    @GroupThreads(1)
    public String withoutInterceptor() {
        return ClientCalls.blockingUnaryCall(client, PLAIN, CallOptions.DEFAULT, "hi");
    }

    /**
     * {@return the reply of one call to the same handler behind the floor: an interceptor that
     * only runs each callback in a fresh, empty context of the call (no id, no user, no
     * cancellation, no header), what any per-call context costs}
     */
    @Benchmark
    @Group("grpc")
    @GroupThreads(1)
    public String floorInterceptor() {
        return ClientCalls.blockingUnaryCall(client, FLOOR, CallOptions.DEFAULT, "hi");
    }

    /** The floor: one new context per call, each callback run in it, allocation-free per callback. */
    private static final class FreshContextPerCallback implements ServerInterceptor {

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
            Context context = new Context();
            ServerCall.Listener<Q> listener = context.supply(() -> next.startCall(call, headers));
            return new ForwardingServerCallListener.SimpleForwardingServerCallListener<Q>(listener) {
                private Q message;
                private int which;
                private final Runnable dispatch = () -> {
                    switch (which) {
                        case 0 -> super.onMessage(message);
                        case 1 -> super.onHalfClose();
                        case 2 -> super.onCancel();
                        case 3 -> super.onComplete();
                        default -> super.onReady();
                    }
                };

                private void run(int callback) {
                    which = callback;
                    context.run(dispatch);
                }

                @Override
                public void onMessage(Q m) {
                    message = m;
                    run(0);
                }

                @Override
                public void onHalfClose() {
                    run(1);
                }

                @Override
                public void onCancel() {
                    run(2);
                }

                @Override
                public void onComplete() {
                    run(3);
                }

                @Override
                public void onReady() {
                    run(4);
                }
            };
        }
    }
}
