package org.contextvars4j.web;

import java.util.Arrays;
import java.util.Collection;
import java.util.Objects;
import java.util.Set;

/**
 * An authenticated user: a name and a set of roles. Immutable.
 */
public final class User {

    private final String name;
    private final Set<String> roles;

    private User(String name, Set<String> roles) {
        this.name = name;
        this.roles = roles;
    }

    /**
     * Returns a user.
     *
     * @param name the user's name
     * @param roles the user's roles
     * @return the user
     * @throws NullPointerException if {@code name}, {@code roles} or one of the roles is null
     */
    public static User of(String name, String... roles) {
        Objects.requireNonNull(roles, "roles");
        Objects.requireNonNull(name, "name");
        // No role or one role, the common cases: the immutable set directly, without the
        // HashSet that Set.copyOf goes through to drop duplicates (an authenticator builds a
        // user per request).
        if (roles.length == 0) {
            return new User(name, Set.of());
        }
        if (roles.length == 1) {
            return new User(name, Set.of(Objects.requireNonNull(roles[0], "role")));
        }
        return of(name, Arrays.asList(roles));
    }

    /**
     * Returns a user.
     *
     * @param name the user's name
     * @param roles the user's roles
     * @return the user
     * @throws NullPointerException if {@code name}, {@code roles} or one of the roles is null
     */
    public static User of(String name, Collection<String> roles) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(roles, "roles");
        return new User(name, Set.copyOf(roles));
    }

    /** {@return the user's name} */
    public String name() {
        return name;
    }

    /** {@return the user's roles, unmodifiable} */
    public Set<String> roles() {
        return roles;
    }

    /**
     * {@return whether the user has {@code role}}
     *
     * @param role the role
     */
    public boolean hasRole(String role) {
        return roles.contains(Objects.requireNonNull(role, "role"));
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof User u && name.equals(u.name) && roles.equals(u.roles);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + roles.hashCode();
    }

    @Override
    public String toString() {
        return "User[" + name + ", roles=" + roles + "]";
    }
}
