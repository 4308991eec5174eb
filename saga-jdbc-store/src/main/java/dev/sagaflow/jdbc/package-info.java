/**
 * A {@link dev.sagaflow.store.SagaStore} on any {@link javax.sql.DataSource}:
 * {@link dev.sagaflow.jdbc.JdbcSagaStore}, built with {@link dev.sagaflow.jdbc.JdbcSagaStore#builder(javax.sql.DataSource)},
 * for the databases named by {@link dev.sagaflow.jdbc.JdbcDialect} (PostgreSQL, MySQL 8 and MariaDB, H2 2.x).
 *
 * <p>The schema for each database ships in this jar as {@code dev/sagaflow/jdbc/schema/<dialect>.sql}
 * (see {@link dev.sagaflow.jdbc.JdbcDialect#schemaResource()}); run it with your migration tool, or let the
 * store create missing tables with {@link dev.sagaflow.jdbc.JdbcSagaStore.Builder#createSchemaIfMissing(boolean)}.
 * Everything in {@code dev.sagaflow.jdbc.internal} is an implementation detail.
 */
package dev.sagaflow.jdbc;
