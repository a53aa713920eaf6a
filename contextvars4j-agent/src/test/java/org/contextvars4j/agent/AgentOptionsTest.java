package org.contextvars4j.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.contextvars4j.testsupport.ContextLeakGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The agent's options: parsed as documented, and a wrong one refused naming it. */
@ExtendWith(ContextLeakGuard.class)
class AgentOptionsTest {

    @Test
    void parse_noArguments_defaults() {
        AgentOptions o = AgentOptions.parse(null);
        assertThat(o.excludes).isEmpty();
        assertThat(o.verbose).isFalse();
        assertThat(o.inheritThreadContext).isFalse();
    }

    @Test
    void parse_everyOption_parsed() {
        AgentOptions o = AgentOptions.parse("exclude=com.acme.;org.x.Pool, verbose ,inheritThreadContext=true");
        assertThat(o.excludes).containsExactly("com.acme.", "org.x.Pool");
        assertThat(o.verbose).isTrue();
        assertThat(o.inheritThreadContext).isTrue();
    }

    @Test
    void parse_unknownOption_refusedNamingIt() {
        assertThatThrownBy(() -> AgentOptions.parse("verbose,inheritContext=true"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown contextvars4j agent option 'inheritContext' (known: exclude, verbose,"
                        + " inheritThreadContext)");
    }

    @Test
    void parse_notABoolean_refusedNamingOptionAndValue() {
        assertThatThrownBy(() -> AgentOptions.parse("verbose=yes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("contextvars4j agent option verbose takes true or false, not 'yes'");
    }
}
