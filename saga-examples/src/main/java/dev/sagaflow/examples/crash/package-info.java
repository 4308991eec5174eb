/**
 * Crash and resume: a worker JVM runs checkout sagas on an H2 database that this JVM serves over TCP,
 * and is killed ({@code Process.destroyForcibly()}) while every saga is in the middle of a step; an
 * orchestrator restarted over the same database finishes them all from the store, re-running the
 * interrupted step with the same idempotency key, so nothing is done twice.
 * {@link dev.sagaflow.examples.crash.CrashAndResumeExample} runs it.
 */
package dev.sagaflow.examples.crash;
