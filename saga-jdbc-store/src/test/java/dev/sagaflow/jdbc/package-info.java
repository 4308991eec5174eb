/**
 * Tests of the JDBC store: the compatibility suite on H2, PostgreSQL and MariaDB, and what only a
 * database store has (commit counts, schema files and creation, dialect detection, query plans).
 */
package dev.sagaflow.jdbc;
