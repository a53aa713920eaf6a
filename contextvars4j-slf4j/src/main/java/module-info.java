/**
 * SLF4J's MDC backed by the current {@link org.contextvars4j.Context}, for Logback 1.5.
 * See the package {@link org.contextvars4j.slf4j}.
 */
module org.contextvars4j.slf4j {
    requires transitive org.contextvars4j;
    requires transitive org.slf4j;
    requires transitive ch.qos.logback.classic;
    requires ch.qos.logback.core;

    exports org.contextvars4j.slf4j;
    // No "provides org.slf4j.spi.SLF4JServiceProvider": Logback already provides one, and SLF4J
    // picks the first of several providers in class-path order. The provider is chosen
    // explicitly with -Dslf4j.provider, which SLF4J instantiates by reflection.
}
