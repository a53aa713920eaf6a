package org.contextvars4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.contextvars4j.proptest.Draws;
import org.contextvars4j.proptest.Property;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@link ContextVar} / {@link Context} API against a model: a map per context plus the
 * tokens of its sets, and a stack of entered contexts. Random sequences of set, reset (in any
 * order, and refused ones: used tokens, tokens of another context), copy, run in a copy, enter
 * and exit; after every step every var's {@code get} and the current context's contents match the
 * model, and every copy taken earlier still holds what it held (S3, S5, S6).
 *
 * <p>1,500 sequences per run, each run through the leak guard; a failing sequence is shrunk and
 * reported with its seed ({@link Property}).
 */
@ExtendWith(ContextLeakGuard.class)
class ContextPropertiesTest {

    private static final Integer UNSET = -1;
    private static final List<ContextVar<Integer>> VARS = List.of(ContextVar.of("p0"), ContextVar.of("p1"),
            ContextVar.of("p2"), ContextVar.of("p3", 103), ContextVar.of("p4", null));

    enum Kind { SET, RESET, CLOSE, RESET_USED, RESET_FOREIGN, COPY, RUN_COPY, ENTER_COPY, ENTER_NEW, EXIT }

    record Action(Kind kind, int var, Integer value, int pick) {
        @Override
        public String toString() {
            return switch (kind) {
                case SET -> "set(p" + var + ", " + value + ")";
                case RUN_COPY -> "runCopy(set(p" + var + ", " + value + "))";
                case RESET, CLOSE, RESET_USED, RESET_FOREIGN -> kind.name().toLowerCase(Locale.ROOT) + "(#" + pick + ")";
                default -> kind.name().toLowerCase(Locale.ROOT);
            };
        }
    }

    /** The model of a token: which set it undoes and whether it was used. */
    private static final class ModelToken {
        final Token<Integer> token;
        final Object old;
        boolean used;

        ModelToken(Token<Integer> token, Object old) {
            this.token = token;
            this.old = old;
        }
    }

    /** One entered level: its context, the scope that entered it, the model of its contents. */
    private static final class Frame {
        final Context ctx;
        final Scope scope;
        final Map<ContextVar<Integer>, Integer> model;
        final List<ModelToken> tokens = new ArrayList<>();

        Frame(Context ctx, Scope scope, Map<ContextVar<Integer>, Integer> model) {
            this.ctx = ctx;
            this.scope = scope;
            this.model = model;
        }
    }

    @Test
    @DisplayName("S3, S5, S6: random sequences of set, reset, copy, run, enter and exit match the model")
    void actions_randomSequence_matchModel() {
        Property.check(1_500, ContextPropertiesTest::actions, actions -> {
            Context base = new Context();
            base.run(() -> replay(base, actions));
            assertThat(base.isEntered()).isFalse();
        });
    }

    private static void replay(Context base, List<Action> actions) {
        List<Frame> frames = new ArrayList<>();
        frames.add(new Frame(base, null, new HashMap<>()));
        List<Map.Entry<Context, Map<ContextVar<Integer>, Integer>>> copies = new ArrayList<>();
        for (Action a : actions) {
            Frame top = frames.get(frames.size() - 1);
            ContextVar<Integer> var = VARS.get(a.var());
            switch (a.kind()) {
                case SET -> {
                    Object old = top.model.containsKey(var) ? top.model.get(var) : Token.MISSING;
                    Token<Integer> t = var.set(a.value());
                    assertThat(t.oldValue()).isEqualTo(old);
                    top.model.put(var, a.value());
                    top.tokens.add(new ModelToken(t, old));
                }
                case RESET, CLOSE -> {
                    ModelToken mt = pick(top.tokens, a.pick(), false);
                    if (mt != null) {
                        if (a.kind() == Kind.RESET) {
                            mt.token.var().reset(mt.token);
                        } else {
                            mt.token.close();
                        }
                        mt.used = true;
                        if (mt.old == Token.MISSING) {
                            top.model.remove(mt.token.var());
                        } else {
                            top.model.put(mt.token.var(), (Integer) mt.old);
                        }
                    }
                }
                case RESET_USED -> {
                    ModelToken mt = pick(top.tokens, a.pick(), true);
                    if (mt != null) {
                        assertThatThrownBy(mt.token::close).isInstanceOf(IllegalStateException.class)
                                .hasMessageContaining("has already been used once");
                    }
                }
                case RESET_FOREIGN -> {
                    List<ModelToken> outer = new ArrayList<>();
                    for (Frame f : frames.subList(0, frames.size() - 1)) {
                        outer.addAll(f.tokens);
                    }
                    ModelToken mt = pick(outer, a.pick(), false);
                    if (mt != null) {
                        assertThatThrownBy(mt.token::close).isInstanceOf(IllegalArgumentException.class)
                                .hasMessageContaining("was created in a different Context");
                    }
                }
                case COPY -> copies.add(Map.entry(Context.copyCurrent(), new HashMap<>(top.model)));
                case RUN_COPY -> {
                    Context copy = Context.copyCurrent();
                    Map<ContextVar<Integer>, Integer> expected = new HashMap<>(top.model);
                    copy.run(() -> {
                        assertMatches(expected);
                        var.set(a.value());
                    });
                    expected.put(var, a.value());
                    copies.add(Map.entry(copy, expected));
                }
                case ENTER_COPY -> {
                    Context copy = Context.copyCurrent();
                    frames.add(new Frame(copy, copy.enter(), new HashMap<>(top.model)));
                }
                case ENTER_NEW -> {
                    Context fresh = new Context();
                    frames.add(new Frame(fresh, fresh.enter(), new HashMap<>()));
                }
                case EXIT -> {
                    if (frames.size() > 1) {
                        exit(frames);
                    }
                }
                default -> throw new AssertionError(a);
            }
            assertMatches(frames.get(frames.size() - 1).model);
            assertThat(Storage.currentOrNull()).isSameAs(frames.get(frames.size() - 1).ctx);
        }
        while (frames.size() > 1) {
            exit(frames);
        }
        for (Map.Entry<Context, Map<ContextVar<Integer>, Integer>> c : copies) {
            assertContents(c.getKey(), c.getValue());
        }
    }

    private static void exit(List<Frame> frames) {
        Frame top = frames.remove(frames.size() - 1);
        top.scope.close();
        assertThat(top.ctx.isEntered()).isFalse();
        assertContents(top.ctx, top.model);                    // S6: the sets stayed in that context
    }

    private static ModelToken pick(List<ModelToken> tokens, int pick, boolean used) {
        List<ModelToken> candidates = tokens.stream().filter(t -> t.used == used).toList();
        return candidates.isEmpty() ? null : candidates.get(Math.floorMod(pick, candidates.size()));
    }

    private static void assertMatches(Map<ContextVar<Integer>, Integer> model) {
        for (ContextVar<Integer> v : VARS) {
            Integer expected = model.containsKey(v) ? model.get(v) : UNSET;
            Integer actual = v.orElse(UNSET);
            if (!Objects.equals(actual, expected)) {
                throw new AssertionError(v + ".orElse(fallback) = " + actual + ", model " + expected);
            }
            if (!model.containsKey(v) && v.hasDefault()) {
                assertThat(v.get()).isEqualTo(v == VARS.get(3) ? 103 : null);
            }
        }
        assertContents(Context.copyCurrent(), model);
    }

    private static void assertContents(Context ctx, Map<ContextVar<Integer>, Integer> model) {
        assertThat(ctx.size()).isEqualTo(model.size());
        assertThat(ctx.keySet()).containsExactlyInAnyOrderElementsOf(model.keySet());
        for (ContextVar<Integer> v : VARS) {
            assertThat(ctx.containsKey(v)).isEqualTo(model.containsKey(v));
            assertThat(ctx.getOrDefault(v, UNSET)).isEqualTo(model.getOrDefault(v, UNSET));
        }
    }

    /** Up to 80 actions; each draws only what its kind needs, so shrunk sequences read cleanly. */
    private static List<Action> actions(Draws d) {
        return d.listOf(80, dd -> {
            Kind kind = Kind.values()[dd.weighted(8, 4, 2, 1, 1, 1, 1, 1, 1, 2)];
            return switch (kind) {
                case SET, RUN_COPY -> new Action(kind, dd.below(VARS.size()), dd.percent(10) ? null : dd.below(10), 0);
                case RESET, CLOSE, RESET_USED, RESET_FOREIGN -> new Action(kind, 0, null, dd.below(1 << 16));
                default -> new Action(kind, 0, null, 0);
            };
        });
    }
}
