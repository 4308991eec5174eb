/**
 * Implementation of the JDBC store: one dialect object per database with its capability flags, the
 * table names, the row and JSON mapping, and schema creation. Not API: anything here may change in
 * any release.
 */
package dev.sagaflow.jdbc.internal;
