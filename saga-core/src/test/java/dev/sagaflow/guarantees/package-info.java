/**
 * Regression tests for the guarantees issue 10 found broken, one class per kind of fault (leases and clocks,
 * store failures, attempts and timeouts, replies, executors, limits), each test named after what it caught.
 */
package dev.sagaflow.guarantees;
