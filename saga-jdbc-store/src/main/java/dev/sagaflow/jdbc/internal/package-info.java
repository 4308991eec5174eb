/**
 * Implementation of the JDBC store. Not API: anything here may change in any release.
 *
 * <ul>
 *   <li>{@link dev.sagaflow.jdbc.internal.Dialect} and its subclasses: one object per database, with capability
 *       flags, detected from the connection;</li>
 *   <li>{@link dev.sagaflow.jdbc.internal.Jdbc}: runs every statement (connection, transaction, error
 *       translation);</li>
 *   <li>{@link dev.sagaflow.jdbc.internal.InstanceColumn}: the instances table's columns, from which every column
 *       list and binding is generated; {@link dev.sagaflow.jdbc.internal.InstanceRows} reads rows back;</li>
 *   <li>{@link dev.sagaflow.jdbc.internal.InstanceWriter}: one write strategy per kind of database (a single
 *       statement on PostgreSQL, a transaction of two statements elsewhere, group commit beside
 *       {@link dev.sagaflow.jdbc.internal.GroupCommit}), each with its SQL beside its bindings;</li>
 *   <li>{@link dev.sagaflow.jdbc.internal.Leases} (claims, renewal, release) and
 *       {@link dev.sagaflow.jdbc.internal.Reads};</li>
 *   <li>the store's own JSON columns ({@link dev.sagaflow.jdbc.internal.StepsJson},
 *       {@link dev.sagaflow.jdbc.internal.HistoryJson}), the table names and schema creation.</li>
 * </ul>
 */
package dev.sagaflow.jdbc.internal;
