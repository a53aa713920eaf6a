package org.contextvars4j.slf4j;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ServerSocketFactory;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.net.SimpleSocketServer;
import ch.qos.logback.classic.net.SocketAppender;
import ch.qos.logback.classic.net.server.HardenedLoggingEventInputStream;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEventVO;
import org.contextvars4j.Context;
import org.contextvars4j.ContextVar;
import org.contextvars4j.Token;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.spi.MDCAdapter;

/**
 * Logback's remote logging contract, with the context-backed MDC: an event is sent as a
 * serialized {@link LoggingEventVO}, which keeps the MDC map it was logged with, and the receiving
 * side reads it with its {@link HardenedLoggingEventInputStream}, which accepts only the JDK's
 * plain map types. Every event built while our MDC is active must make that trip with its MDC
 * intact, alone and through a real {@link SocketAppender} to a real {@link SimpleSocketServer}
 * (Logback 1.5's receiving server; its {@code SocketNode} reads with the hardened stream).
 */
@ExtendWith(ContextLeakGuard.class)
class LogbackSerializationTest {

    private static final ContextVar<String> USER = ContextVar.of("user");
    private static final MDCAdapter MDC = ContextMdc.mdcAdapter();

    private LoggerContext sender;
    private CollectedEvents events;

    @BeforeEach
    void setUp() {
        sender = new LoggerContext();
        sender.setName("sender");
        ContextMdc.install(sender);
        sender.start();
        events = CollectedEvents.in(sender);
        sender.getLogger("serialization").addAppender(events);
    }

    @AfterEach
    void tearDown() {
        ContextMdc.unexpose("user");
        sender.stop();
    }

    /** {@return {@code event} written as a SocketAppender writes it, read back as Logback's receiver reads it} */
    private LoggingEventVO roundTrip(ILoggingEvent event) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                out.writeObject(LoggingEventVO.build(event));
            }
            try (HardenedLoggingEventInputStream in =
                    new HardenedLoggingEventInputStream(sender, new ByteArrayInputStream(bytes.toByteArray()))) {
                return (LoggingEventVO) in.readObject();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    /** Logs one event in a new context prepared by {@code mdc}; {@return the event Logback built} */
    private ILoggingEvent logIn(Consumer<MDCAdapter> mdc) {
        new Context().run(() -> {
            mdc.accept(MDC);
            sender.getLogger("serialization").info("event");
        });
        return events.list.get(events.list.size() - 1);
    }

    @Test
    @DisplayName("an event logged with an empty MDC serializes and reads back with an empty MDC")
    void serialize_emptyMdc_readBackEmpty() {
        ILoggingEvent event = logIn(mdc -> { });
        assertThat(roundTrip(event).getMDCPropertyMap()).isEmpty();
    }

    @Test
    @DisplayName("an event logged with three MDC entries (one null) reads back with the same entries")
    void serialize_threeEntries_readBackEqual() {
        ILoggingEvent event = logIn(mdc -> {
            mdc.put("request_id", "r-1");
            mdc.put("tenant", "acme");
            mdc.put("empty", null);
        });
        Map<String, String> read = roundTrip(event).getMDCPropertyMap();
        assertThat(read).isEqualTo(event.getMDCPropertyMap()).containsEntry("request_id", "r-1")
                .containsEntry("tenant", "acme").containsEntry("empty", null).hasSize(3);
    }

    @Test
    @DisplayName("an event with exposed vars, a putCloseable entry and a removed key reads back as it printed")
    void serialize_exposedVarAndCloseable_readBackEqual() {
        ContextMdc.expose("user", USER);
        ILoggingEvent event = logIn(mdc -> {
            USER.set("alice");
            mdc.put("gone", "x");
            mdc.remove("gone");
            ContextMdc.putCloseable("step", "charge");
        });
        assertThat(roundTrip(event).getMDCPropertyMap())
                .isEqualTo(Map.of("user", "alice", "step", "charge"));
    }

    @Test
    @DisplayName("the event keeps the context's map by reference: logging copies nothing")
    void log_withEntries_eventHoldsContextMapNoCopy() {
        AtomicMap seen = new AtomicMap();
        new Context().run(() -> {
            MDC.put("request_id", "r-1");
            sender.getLogger("serialization").info("event");
            seen.map = ContextMdcAdapter.MAP.get();
        });
        assertThat(events.list.get(0).getMDCPropertyMap()).isSameAs(seen.map);
    }

    /** Logback's receiving server, listening on the loopback interface only. */
    private static final class LoopbackSocketServer extends SimpleSocketServer {
        LoopbackSocketServer(LoggerContext context, int port) {
            super(context, port);
            setDaemon(true);
        }

        @Override
        protected ServerSocketFactory getServerSocketFactory() {
            return new ServerSocketFactory() {
                @Override
                public ServerSocket createServerSocket(int port) throws IOException {
                    return new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
                }

                @Override
                public ServerSocket createServerSocket(int port, int backlog) throws IOException {
                    return new ServerSocket(port, backlog, InetAddress.getLoopbackAddress());
                }

                @Override
                public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
                    return new ServerSocket(port, backlog, InetAddress.getLoopbackAddress());
                }
            };
        }
    }

    /** A holder written inside a run and read after it. */
    private static final class AtomicMap {
        Map<String, String> map;
    }

    @Test
    @DisplayName("SocketAppender to a ServerSocketReceiver on 127.0.0.1: every event of 4 threads arrives with its MDC")
    void socketAppender_fourThreadsWithAndWithoutMdc_everyEventArrivesIntact() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        LoggerContext receiving = new LoggerContext();
        receiving.setName("receiving");
        receiving.start();
        CollectedEvents received = CollectedEvents.in(receiving);
        receiving.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(received);
        SimpleSocketServer server = new LoopbackSocketServer(receiving, port);
        server.start();

        SocketAppender socket = new SocketAppender();
        socket.setContext(sender);
        socket.setRemoteHost("127.0.0.1");
        socket.setPort(port);
        socket.setQueueSize(1_000);
        socket.setReconnectionDelay(ch.qos.logback.core.util.Duration.buildByMilliseconds(50));
        socket.start();
        Logger logger = sender.getLogger("remote");
        logger.addAppender(socket);
        ContextMdc.expose("user", USER);

        int threads = 4;
        int perThread = 40;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> new Context().run(() -> {
                    for (int i = 0; i < perThread; i++) {
                        if (i % 2 == 0) {
                            logger.info("plain {} {}", thread, i);
                        } else {
                            try (Token<String> user = USER.set("u" + thread)) {
                                MDC.put("request_id", thread + "-" + i);
                                logger.info("mdc {} {}", thread, i);
                                MDC.remove("request_id");
                            }
                        }
                    }
                })));
            }
            for (Future<?> f : done) {
                f.get(20, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (received.list.stream().filter(e -> e.getLoggerName().equals("remote")).count() < threads * perThread
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            pool.shutdown();
            socket.stop();
            server.close();
            server.join(TimeUnit.SECONDS.toMillis(10));
            receiving.stop();
        }
        assertThat(pool.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
        // The receiving server logs its own connection events too; the sent ones come from "remote".
        List<ILoggingEvent> sent = received.list.stream().filter(e -> e.getLoggerName().equals("remote")).toList();
        assertThat(sent).hasSize(threads * perThread);
        for (ILoggingEvent event : sent) {
            Object[] args = event.getArgumentArray();
            String expectedMessage = event.getMessage();
            Map<String, String> mdc = event.getMDCPropertyMap();
            if (expectedMessage.startsWith("plain")) {
                assertThat(mdc).as("%s", event).isEmpty();
            } else {
                assertThat(mdc).as("%s", event)
                        .isEqualTo(Map.of("request_id", args[0] + "-" + args[1], "user", "u" + args[0]));
            }
        }
    }
}
