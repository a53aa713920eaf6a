package org.contextvars4j.spring.boot.autoconfigure;

import org.contextvars4j.ThreadLocalAccessors;
import org.slf4j.MDC;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;

/**
 * Keeps {@link MdcAccessor} registered while at least one application context that wants it is
 * open (tests and some applications run several in one JVM), and only when the bound MDC is a
 * thread-local one.
 */
final class MdcBridge implements InitializingBean, DisposableBean {

    private static final MdcAccessor ACCESSOR = new MdcAccessor();
    private static final Object LOCK = new Object();
    private static int users;

    private boolean registered;

    @Override
    public void afterPropertiesSet() {
        if (isContextBacked()) {
            return;
        }
        synchronized (LOCK) {
            if (users++ == 0) {
                ThreadLocalAccessors.register(ACCESSOR);
            }
            registered = true;
        }
    }

    @Override
    public void destroy() {
        synchronized (LOCK) {
            if (registered && --users == 0) {
                ThreadLocalAccessors.unregister(ACCESSOR);
            }
            registered = false;
        }
    }

    /** {@return whether the MDC bridge carries the MDC in the context already} */
    static boolean isContextBacked() {
        return MDC.getMDCAdapter().getClass().getName().startsWith("org.contextvars4j.");
    }

    /** {@return whether SLF4J is present and its MDC lives in the context; false without SLF4J} */
    static boolean isContextBackedIfPresent() {
        try {
            Class.forName("org.slf4j.MDC", false, MdcBridge.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return false;
        }
        return isContextBacked();
    }

    /** {@return whether this bridge registered the accessor} */
    boolean isRegistered() {
        return registered;
    }

    @Override
    public String toString() {
        return "MdcBridge[" + (registered ? "carrying the thread-local MDC" : "MDC in the context") + "]";
    }
}
