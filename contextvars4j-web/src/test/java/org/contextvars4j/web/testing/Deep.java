package org.contextvars4j.web.testing;

import java.util.concurrent.ExecutorService;
import org.contextvars4j.ContextCompletableFuture;
import org.contextvars4j.web.RequestVars;
import org.contextvars4j.web.User;

/**
 * Application code several calls below a handler, reading the request's id and user with no
 * parameters, on the request thread, after an executor hop and in a {@code ContextCompletableFuture} stage.
 */
public final class Deep {

    private Deep() {
    }

    /** {@return "id/user" read three calls deep; "-" for an anonymous user, "?" outside a request} */
    public static String describe() {
        return service();
    }

    private static String service() {
        return repository();
    }

    private static String repository() {
        return RequestVars.REQUEST_ID.orElse("?") + "/" + RequestVars.currentUser().map(User::name).orElse("-");
    }

    /**
     * {@return "here|hop|stage|resource": {@link #describe()} on the calling thread, on
     * {@code wrappedPool} (a {@code ContextExecutors.wrap}ped pool) and in an async
     * {@code ContextCompletableFuture} stage on {@code rawPool}; then the request id of the
     * request-scoped {@link Tracked} resource as seen from the wrapped pool (the scope travels
     * with the context)}
     */
    public static String everywhere(ExecutorService wrappedPool, ExecutorService rawPool) throws Exception {
        String here = describe();
        String hop = wrappedPool.submit(Deep::describe).get();
        String stage = ContextCompletableFuture.supplyAsync(() -> "", rawPool)
                .thenApplyAsync(ignored -> describe(), rawPool)
                .get();
        String resource = wrappedPool.submit(() -> Tracked.RESOURCE.get().requestId()).get();
        return here + "|" + hop + "|" + stage + "|" + resource;
    }

    /** {@return what {@link #everywhere} returns in request {@code id} of {@code user} ("-" when anonymous)} */
    public static String expected(String id, String user) {
        String one = id + "/" + user;
        return one + "|" + one + "|" + one + "|" + id;
    }
}
