/**
 * The benchmark harness: issue 5's create-order saga run by plain Java, a minimal generic interpreter, a
 * hand-written raw JDBC protocol and Sagaflow, with throughput, writes and allocation per saga. Not published;
 * run {@link dev.sagaflow.benchmarks.BenchmarkMain}.
 */
package dev.sagaflow.benchmarks;
