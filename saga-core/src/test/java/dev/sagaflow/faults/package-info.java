/**
 * Tests that search for counter-examples to the runtime's guarantees: a crash at every write
 * ({@link dev.sagaflow.faults.FaultyStore}, {@link dev.sagaflow.faults.FaultRun}), randomized saga
 * shapes ({@link dev.sagaflow.faults.ShapeGenerator}), and an invariant checker that reads the
 * participants' own ledgers ({@link dev.sagaflow.faults.Participants},
 * {@link dev.sagaflow.faults.Invariants}). Shared with saga-jdbc-store through the test-jar.
 */
package dev.sagaflow.faults;
