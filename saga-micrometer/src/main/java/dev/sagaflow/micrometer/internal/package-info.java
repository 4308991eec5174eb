/** The meters, the instrumented store, the attempt observer and the listener behind SagaflowMetrics; not API. */
package dev.sagaflow.micrometer.internal;
