package org.contextvars4j.demo;

/** A seeded user: the database id, the display name and the bearer token that authenticates it. */
record User(long id, String name, String token) {

    /** The name only: this is what log lines print ({@code %X{user}}), never the token. */
    @Override
    public String toString() {
        return name;
    }
}
