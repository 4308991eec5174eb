/**
 * saga-core's fault-finding suites (crash at every write, randomized sagas, racing nodes, hostile
 * rows) on the JDBC store, one short subclass per database, each in tables of its own.
 */
package dev.sagaflow.jdbc.faults;
