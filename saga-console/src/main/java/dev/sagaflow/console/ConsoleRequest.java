package dev.sagaflow.console;

import java.net.InetAddress;
import java.util.Optional;

/**
 * What an {@link Authorizer} may look at of one HTTP request to the console, whichever server
 * carries it. Valid only during the {@link Authorizer#authorize} call that receives it.
 */
public interface ConsoleRequest {

    /** The HTTP method, upper case ({@code GET}, {@code POST}). */
    String method();

    /** The request path as sent (still percent-encoded), including the console's base path. */
    String path();

    /** The first value of the request header {@code name} (case-insensitive), if present. */
    Optional<String> header(String name);

    /** The address of the client (of the nearest proxy, if any). */
    InetAddress remoteAddress();

    /**
     * The name of the user the server authenticated, if any: on the JDK server, the user name of
     * {@code HttpExchange.getPrincipal()} (without the realm) when the host put an {@code Authenticator} on
     * the console's {@code HttpContext}; in a Servlet container, {@code HttpServletRequest.getRemoteUser()}.
     */
    Optional<String> authenticatedUser();

    /**
     * The server's own request object, for checks this interface does not offer: a
     * {@code com.sun.net.httpserver.HttpExchange} on the JDK server, a
     * {@code jakarta.servlet.http.HttpServletRequest} in a Servlet container (for {@code isUserInRole}).
     *
     * @return the request object if it is an instance of {@code type}, otherwise empty
     */
    <T> Optional<T> unwrap(Class<T> type);
}
