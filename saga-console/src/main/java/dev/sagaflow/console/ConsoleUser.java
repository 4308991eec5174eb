package dev.sagaflow.console;

import java.util.Objects;

/**
 * Who is using the console, as an {@link Authorizer} decided. The name is shown on every page and
 * recorded in a saga's history when this user retries or aborts it. Immutable.
 *
 * @param name the user's name, not blank, at most 200 characters
 * @param role what the user may do
 */
public record ConsoleUser(String name, ConsoleRole role) {
    /** The longest name accepted. */
    public static final int MAX_NAME_LENGTH = 200;

    /**
     * @throws IllegalArgumentException if {@code name} is null, blank or longer than {@value #MAX_NAME_LENGTH}
     *     characters, or {@code role} is null
     */
    public ConsoleUser {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name cannot be null or blank");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("name must be at most " + MAX_NAME_LENGTH + " characters, was "
                    + name.length());
        }
        if (role == null) {
            throw new IllegalArgumentException("role cannot be null");
        }
    }

    /** A user who may only look. */
    public static ConsoleUser readOnly(String name) {
        return new ConsoleUser(name, ConsoleRole.READ_ONLY);
    }

    /** A user who may also retry and abort sagas. */
    public static ConsoleUser operator(String name) {
        return new ConsoleUser(name, ConsoleRole.OPERATOR);
    }

    @Override
    public String toString() {
        return Objects.toString(name) + " (" + role + ")";
    }
}
