/**
 * Test fixtures shared by the JDBC store's tests: the databases and their availability rule, a
 * data source that counts commits and statements, and one that can be switched off and on.
 */
package dev.sagaflow.jdbc.support;
