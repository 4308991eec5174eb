/**
 * Test fixtures shared by the JDBC store's tests: the databases and their availability rule, and a
 * data source that counts commits and statements.
 */
package dev.sagaflow.jdbc.support;
