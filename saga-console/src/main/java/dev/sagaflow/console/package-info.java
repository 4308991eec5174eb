/**
 * The operator's web console: server-rendered pages that list saga instances, show one saga's
 * steps, data and history as a timeline, and let an operator retry a FAILED saga or abort a RUNNING
 * one. Build a {@link dev.sagaflow.console.SagaConsole} over a {@link dev.sagaflow.SagaOrchestrator},
 * give it an {@link dev.sagaflow.console.Authorizer}, and mount it on the JDK {@code HttpServer}
 * ({@link dev.sagaflow.console.SagaConsole#mount}) or a Servlet container
 * ({@link dev.sagaflow.console.SagaConsoleServlet}).
 */
package dev.sagaflow.console;
