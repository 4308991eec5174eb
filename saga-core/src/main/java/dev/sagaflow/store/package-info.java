/**
 * The store SPI: the {@link dev.sagaflow.store.SagaStore} interface and the immutable records that
 * cross it. Implement it to keep saga instances somewhere new; every implementation must pass the
 * store compatibility suite published in saga-core's test-jar.
 */
package dev.sagaflow.store;
