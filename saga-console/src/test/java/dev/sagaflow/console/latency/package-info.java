/**
 * The list page's latency over 1,000,000 instances in PostgreSQL: a loader, and a timing of every page's
 * requests with EXPLAIN ANALYZE of the statements they run. Run on demand, not in the build:
 * {@code mvn -pl saga-console -am verify -Pconsole-latency -Dtest=ListPageLatencyTest -Dsurefire.failIfNoSpecifiedTests=false}.
 */
package dev.sagaflow.console.latency;
