/**
 * A test kit for hosts' own unit tests of their sagas: a settable clock, a synchronous executor,
 * fault injection, an event recorder, and simulated crashes, all over the in-memory store.
 */
package dev.sagaflow.testing;
