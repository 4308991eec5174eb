/**
 * Runnable Sagaflow examples on embedded H2: {@link dev.sagaflow.examples.Demo} runs them all.
 *
 * <ul>
 *   <li>{@code order}: the order saga, an Order Service with an HTTP API and a Customer Service that
 *       talk only through messages;</li>
 *   <li>{@code trip}: trip booking with compensations in reverse order and a retried step after the pivot;</li>
 *   <li>{@code crash}: a worker process killed mid-saga and its sagas finished from the store;</li>
 *   <li>{@code choreography}: the same order flow with events and no orchestrator, for comparison.</li>
 * </ul>
 */
package dev.sagaflow.examples;
