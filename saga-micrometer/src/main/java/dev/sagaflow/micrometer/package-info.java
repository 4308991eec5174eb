/** Sagaflow's metrics and observations through Micrometer: see {@link dev.sagaflow.micrometer.SagaflowMetrics}. */
package dev.sagaflow.micrometer;
