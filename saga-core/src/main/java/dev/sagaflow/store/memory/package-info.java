/**
 * The in-memory {@link dev.sagaflow.store.SagaStore}: the reference implementation of the store
 * SPI, for unit tests, examples, benchmarks and hosts that need no durability. Nothing it holds
 * survives the JVM. Start with {@link dev.sagaflow.store.memory.InMemorySagaStore#create()}.
 */
package dev.sagaflow.store.memory;
