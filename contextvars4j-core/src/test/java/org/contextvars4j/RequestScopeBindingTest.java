package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The scope's binding without a token (issue 26): {@code open} and {@code close} are a set of the
 * hidden var and its undo, and keep the rules a {@code set} and its {@code reset} keep.
 */
@ExtendWith(ContextLeakGuard.class)
class RequestScopeBindingTest extends ScopePoolTestBase {

    private static final ContextVar<String> USER = ContextVar.of("user");

    RequestScopeBindingTest() {
        super(1);
    }

    @Test
    @DisplayName("S3: a copy taken before open never sees the scope; one taken after keeps it, ended, after close")
    void open_copiesBeforeAndAfter_keepTheirOwnBinding() {
        new Context().run(() -> {
            Context before = Context.copyCurrent();
            RequestScope scope = RequestScope.open();
            Context after = Context.copyCurrent();
            scope.close();
            assertThat(RequestScope.current()).isEmpty();
            assertThat(before.supply(RequestScope::current)).isEmpty();
            assertThat(after.supply(RequestScope::current)).containsSame(scope);
            assertThat(scope.isOpen()).isFalse();
        });
    }

    @Test
    @DisplayName("close in a copy of the opening context, on the opening thread: the copy keeps the inner scope, ended, never the outer one")
    void close_inCopyOfOpeningContext_copyKeepsEndedScope_neverTheOuter() {
        new Context().run(() -> {
            RequestScope outer = RequestScope.open();
            RequestScope inner = RequestScope.open();
            Context.copyCurrent().run(() -> {
                inner.close();
                assertThat(inner.isOpen()).isFalse();
                assertThat(RequestScope.current()).containsSame(inner);
            });
            assertThat(RequestScope.current()).containsSame(inner);
            inner.close();                          // in the opening context: the binding goes
            assertThat(RequestScope.current()).containsSame(outer);
            assertThat(outer.isOpen()).isTrue();
            outer.close();
            assertThat(RequestScope.current()).isEmpty();
        });
    }

    @Test
    @DisplayName("S5 (a reset undoes its own var only): a var set inside the scope and not reset stays after close; only the binding goes")
    void close_afterOtherSets_undoesOnlyTheBinding() {
        new Context().run(() -> {
            USER.set("outside");
            RequestScope scope = RequestScope.open();
            USER.set("alice");
            scope.close();
            assertThat(RequestScope.current()).isEmpty();
            assertThat(USER.get()).isEqualTo("alice");
        });
    }

    @Test
    @DisplayName("closing an outer scope while an inner one is bound leaves the inner binding; the inner close brings back the outer, ended")
    void close_outerWhileInnerBound_innerStays() {
        new Context().run(() -> {
            RequestScope outer = RequestScope.open();
            RequestScope inner = RequestScope.open();
            outer.close();
            assertThat(outer.isOpen()).isFalse();
            assertThat(RequestScope.current()).containsSame(inner);
            inner.close();
            assertThat(RequestScope.current()).containsSame(outer);
        });
    }

    @Test
    @DisplayName("S6, P2: a scope opened and left open by a task run on the submitting thread (a borrowing run) does not reach the caller's context")
    void open_inBorrowingRun_callerContextUntouched() {
        new Context().run(() -> {
            USER.set("caller");
            RequestScope[] opened = new RequestScope[1];
            Runnable task = () -> opened[0] = RequestScope.open();
            Context.copyCurrent().wrap(task).run();
            assertThat(opened[0].isOpen()).isTrue();
            assertThat(RequestScope.current()).isEmpty();
            assertThat(USER.get()).isEqualTo("caller");
            opened[0].close();                      // on this thread, but not where it was bound
            assertThat(RequestScope.current()).isEmpty();
        });
    }

    @Test
    @DisplayName("close on another thread that has since entered the opening context ends the scope; the binding stays there")
    void close_onOtherThreadInOpeningContext_bindingStays() throws Exception {
        Context request = new Context();
        RequestScope[] opened = new RequestScope[1];
        request.run(() -> opened[0] = RequestScope.open());
        raw.submit(() -> request.run(() -> {
            opened[0].close();
            assertThat(RequestScope.current()).containsSame(opened[0]);
        })).get();
        assertThat(opened[0].isOpen()).isFalse();
        assertThat(request.supply(RequestScope::current)).containsSame(opened[0]);
    }

    @Test
    @DisplayName("S11: open and close on a pooled worker's own context leave that context empty again")
    void openClose_onPooledWorker_leavesWorkerClean() throws Exception {
        raw.submit(() -> {
            RequestScope scope = RequestScope.open();
            assertThat(RequestScope.current()).containsSame(scope);
            scope.close();
            assertThat(Context.copyCurrent().isEmpty()).isTrue();
        }).get();
        raw.submit(() -> assertThat(Context.copyCurrent().isEmpty()).isTrue()).get();
    }
}
