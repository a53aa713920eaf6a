package org.contextvars4j;

import java.util.concurrent.Callable;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@link ContextExecutors#wrap(ScheduledExecutorService)}: one-shot and periodic tasks; every
 * run of a periodic task gets a fresh copy of the context captured at scheduling.
 */
final class ContextScheduledExecutorService extends ContextExecutorService implements ScheduledExecutorService {

    private final ScheduledExecutorService scheduled;

    ContextScheduledExecutorService(ScheduledExecutorService delegate, Context fixed) {
        super(delegate, fixed);
        this.scheduled = delegate;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return scheduled.schedule(wrap(command), delay, unit);
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return scheduled.schedule(wrap(callable), delay, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        return scheduled.scheduleAtFixedRate(wrap(command), initialDelay, period, unit);
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
        return scheduled.scheduleWithFixedDelay(wrap(command), initialDelay, delay, unit);
    }
}
