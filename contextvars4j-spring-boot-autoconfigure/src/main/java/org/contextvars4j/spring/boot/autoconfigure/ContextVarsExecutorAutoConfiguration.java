package org.contextvars4j.spring.boot.autoconfigure;

import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.task.TaskExecutionAutoConfiguration;
import org.springframework.boot.autoconfigure.task.TaskSchedulingAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;

/**
 * Contributes {@link ContextVarsTaskDecorator}, which Boot applies to the executors and
 * schedulers it configures ({@code ThreadPoolTaskExecutor}, {@code SimpleAsyncTaskExecutor} with
 * virtual threads, {@code ThreadPoolTaskScheduler}, {@code SimpleAsyncTaskScheduler}) and to those
 * the application builds with Boot's builders: {@code @Async} and {@code @Scheduled} work then
 * runs in the submitter's context. Off with {@code contextvars4j.executors.enabled=false}; backs
 * off when the application defines a {@link ContextVarsTaskDecorator} bean.
 */
@AutoConfiguration(before = {TaskExecutionAutoConfiguration.class, TaskSchedulingAutoConfiguration.class})
@ConditionalOnClass(TaskDecorator.class)
@ConditionalOnProperty(prefix = "contextvars4j.executors", name = "enabled", matchIfMissing = true)
public final class ContextVarsExecutorAutoConfiguration {

    /** For Spring. */
    public ContextVarsExecutorAutoConfiguration() {
    }

    /** {@return the decorator Boot applies to its executors and schedulers} */
    @Bean
    @ConditionalOnMissingBean
    public ContextVarsTaskDecorator contextVarsTaskDecorator() {
        return ContextVarsTaskDecorator.create();
    }
}
