/**
 * The Sagaflow API: define sagas with {@link dev.sagaflow.Saga#define(String, Class)}, run them with a
 * {@link dev.sagaflow.SagaOrchestrator}, observe them with {@link dev.sagaflow.SagaListener}.
 */
package dev.sagaflow;
