/** Sagaflow's traces through the OpenTelemetry API: see {@link dev.sagaflow.opentelemetry.SagaTracing}. */
package dev.sagaflow.opentelemetry;
