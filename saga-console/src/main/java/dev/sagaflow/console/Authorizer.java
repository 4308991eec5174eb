package dev.sagaflow.console;

import java.util.Optional;

/**
 * The host's decision of who is asking and what they may do: called for every request to the console
 * before anything is read or rendered. The console has no users of its own; authentication (a login
 * page, basic authentication, a proxy's header, Spring Security) belongs to the host, and this hook
 * maps its result to a {@link ConsoleUser}.
 *
 * <pre>{@code
 * Authorizer authorizer = request -> request.authenticatedUser()
 *         .map(user -> operators.contains(user) ? ConsoleUser.operator(user) : ConsoleUser.readOnly(user));
 * }</pre>
 *
 * <p>Must be thread-safe: the server may call it from several threads at once. If it throws, the request
 * is refused (and the exception logged), as if it had returned empty.
 */
@FunctionalInterface
public interface Authorizer {

    /**
     * Who makes {@code request}, and with which role.
     *
     * @return the user, or empty to refuse the request (the console answers 403 and shows nothing)
     */
    Optional<ConsoleUser> authorize(ConsoleRequest request);
}
