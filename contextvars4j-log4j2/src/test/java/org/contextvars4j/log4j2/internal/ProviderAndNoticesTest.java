package org.contextvars4j.log4j2.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.MessageFormat;
import java.util.List;
import java.util.Properties;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.function.Supplier;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.ThreadContext;
import org.apache.logging.log4j.core.impl.Log4jContextFactory;
import org.apache.logging.log4j.simple.SimpleLoggerContextFactory;
import org.contextvars4j.log4j2.ContextThreadContextMap;
import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The switch is never silent, and needs no property: Log4j API selects {@link ContextProvider}
 * by priority in this JVM, where no {@code log4j2.threadContextMap} is set anywhere; a user's own
 * choice still wins; ignored settings and thread contexts that cannot follow contexts are said
 * once, at WARNING (captured here by a recording {@link System.Logger}, never printed).
 */
@ExtendWith(ContextLeakGuard.class)
class ProviderAndNoticesTest {

    /** A {@link System.Logger} that records "LEVEL message" lines. */
    static final class Recording implements System.Logger {
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        public String getName() {
            return "recording";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + MessageFormat.format(format, params));
        }
    }

    private static Function<String, String> properties(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) {
            p.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return p::getProperty;
    }

    @Test
    @DisplayName("no property anywhere: Log4j API binds log4j-core with the context-backed thread context")
    void threadContext_noProperty_contextBacked() {
        assertThat(Notices.log4jProperty("log4j2.threadContextMap")).isNull();
        assertThat(ThreadContext.getThreadContextMap()).isInstanceOf(ContextThreadContextMap.class);
        assertThat(LogManager.getFactory()).isInstanceOf(Log4jContextFactory.class);
    }

    @Test
    @DisplayName("a user's own thread-context choice is left to log4j-core")
    void userChose_threadContextProperties_log4jCoreDecides() {
        assertThat(ContextProvider.userChose(properties())).isFalse();
        assertThat(ContextProvider.userChose(properties("log4j2.threadContextMap", "WebApp"))).isTrue();
        assertThat(ContextProvider.userChose(properties("log4j2.garbagefree.threadContextMap", "true"))).isTrue();
        assertThat(ContextProvider.userChose(properties("log4j2.disableThreadContext", "true"))).isTrue();
        assertThat(ContextProvider.userChose(properties("log4j2.disableThreadContextMap", "true"))).isTrue();
    }

    @Test
    @DisplayName("P1: log4j2.isThreadContextMapInheritable=true is ignored, and said so at WARNING")
    void reportIgnored_inheritableTrue_warnsNamingProperty() {
        Recording log = new Recording();
        Notices.reportIgnored(properties("log4j2.isThreadContextMapInheritable", "false"), log);
        assertThat(log.lines).isEmpty();
        Notices.reportIgnored(properties("log4j2.isThreadContextMapInheritable", "true"), log);
        assertThat(log.lines).singleElement().satisfies(line -> assertThat(line)
                .startsWith("WARNING ").contains("log4j2.isThreadContextMapInheritable=true is ignored", "P1"));
    }

    @Test
    @DisplayName("expose with the context-backed map and log4j-core: nothing to say")
    void reportBinding_contextMapAndLog4jCore_saysNothing() {
        Recording log = new Recording();
        Notices.reportBinding(ThreadContext.getThreadContextMap(), LogManager.getFactory(), log);
        assertThat(log.lines).isEmpty();
    }

    @Test
    @DisplayName("expose with Log4j's thread-local map: one WARNING naming the exact property")
    void reportBinding_stockMap_warnsNamingProperty() {
        Recording log = new Recording();
        Notices.reportBinding(null, LogManager.getFactory(), log);
        assertThat(log.lines).singleElement().satisfies(line -> assertThat(line).startsWith("WARNING ")
                .contains("log4j2.threadContextMap=org.contextvars4j.log4j2.ContextThreadContextMap"));
    }

    @Test
    @DisplayName("expose with Log4j API bound elsewhere: one WARNING naming the binding")
    void reportBinding_notLog4jCore_warnsNamingFactory() {
        Recording log = new Recording();
        Supplier<String> factory = () -> SimpleLoggerContextFactory.class.getName();
        Notices.reportBinding(ThreadContext.getThreadContextMap(), new SimpleLoggerContextFactory(), log);
        assertThat(log.lines).singleElement().satisfies(line -> assertThat(line)
                .startsWith("WARNING ").contains(factory.get(), "not to log4j-core"));
    }
}
