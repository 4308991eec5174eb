/** The spans behind SagaTracing; not API. */
package dev.sagaflow.opentelemetry.internal;
