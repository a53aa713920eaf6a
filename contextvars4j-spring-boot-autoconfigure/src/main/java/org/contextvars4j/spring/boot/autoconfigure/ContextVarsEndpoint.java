package org.contextvars4j.spring.boot.autoconfigure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.contextvars4j.LeakDetection;
import org.contextvars4j.ThreadLocalAccessor;
import org.contextvars4j.ThreadLocalAccessors;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.core.task.TaskDecorator;

/**
 * The {@code contextvars4j} actuator endpoint ({@code /actuator/contextvars4j} once exposed):
 * what the library does in this application. It shows the settings, the foreign thread-locals
 * carried at every hand-off (P6), the task decorators Boot composes, whether leak detection is on,
 * and the security context holder in use. It reads no request's values.
 */
@Endpoint(id = "contextvars4j")
public final class ContextVarsEndpoint {

    private final ContextVarsProperties properties;
    private final ObjectProvider<TaskDecorator> decorators;

    private ContextVarsEndpoint(ContextVarsProperties properties, ObjectProvider<TaskDecorator> decorators) {
        this.properties = properties;
        this.decorators = decorators;
    }

    /**
     * Returns the endpoint.
     *
     * @param properties the settings
     * @param decorators the application's task decorators
     * @return the endpoint
     */
    public static ContextVarsEndpoint of(ContextVarsProperties properties, ObjectProvider<TaskDecorator> decorators) {
        return new ContextVarsEndpoint(properties, decorators);
    }

    /** {@return the configuration, as a map Boot renders as JSON} */
    @ReadOperation
    public Map<String, Object> configuration() {
        Map<String, Object> web = new LinkedHashMap<>();
        web.put("enabled", properties.getWeb().isEnabled());
        web.put("filterOrder", properties.getWeb().getFilterOrder());
        web.put("requestIdHeader", properties.getWeb().getRequestIdHeader());
        web.put("requireUser", List.copyOf(properties.getWeb().getRequireUser()));
        web.put("requireRole", Map.copyOf(properties.getWeb().getRequireRole()));
        web.put("propagateRequestId", properties.getWeb().isPropagateRequestId());
        List<String> accessors = new ArrayList<>();
        for (ThreadLocalAccessor<?> accessor : ThreadLocalAccessors.registered()) {
            accessors.add(accessor.getClass().getName());
        }
        List<String> taskDecorators = new ArrayList<>();
        decorators.orderedStream().forEach(d -> taskDecorators.add(d.getClass().getName()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("web", web);
        out.put("executors", Map.of("enabled", properties.getExecutors().isEnabled(), "taskDecorators", taskDecorators));
        out.put("logging", Map.of("enabled", properties.getLogging().isEnabled(), "pattern", properties.getLogging().getPattern(),
                "mdcInContext", MdcBridge.isContextBackedIfPresent()));
        out.put("security", Map.of("enabled", properties.getSecurity().isEnabled(), "contextHolder", properties.getSecurity().getContextHolder()));
        out.put("threadLocalAccessors", accessors);
        out.put("leakDetection", LeakDetection.isEnabled());
        return out;
    }

    @Override
    public String toString() {
        return "ContextVarsEndpoint[contextvars4j]";
    }
}
