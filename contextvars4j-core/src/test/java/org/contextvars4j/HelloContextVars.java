package org.contextvars4j;

// --8<-- [start:main]
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.contextvars4j.ContextExecutors;
import org.contextvars4j.ContextVar;

class HelloContextVars {

    static final ContextVar<String> REQUEST_ID = ContextVar.of("request_id", "none");

    static String handle() {                          // reads the current context, no parameter
        return "worker handled " + REQUEST_ID.get();
    }

    public static void main(String[] args) throws Exception {
        ExecutorService pool = ContextExecutors.wrap(Executors.newFixedThreadPool(2));
        try {
            for (String id : List.of("r-1", "r-2")) {
                // set, submit (the task captures the context now), reset
                var result = REQUEST_ID.supplyWith(id, () -> pool.submit(HelloContextVars::handle));
                System.out.println(result.get());
            }
            System.out.println("main sees " + REQUEST_ID.get());
        } finally {
            pool.shutdown();
        }
    }
}
// --8<-- [end:main]
