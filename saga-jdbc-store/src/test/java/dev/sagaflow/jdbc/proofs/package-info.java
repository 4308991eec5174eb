/**
 * Proofs that the runtime keeps its promises on real databases: a child JVM killed mid-step, many
 * nodes sharing one database while one of them dies, the database going away and coming back,
 * unreadable and unresumable rows, and the number of commits a saga costs. Each proof is an
 * abstract class with one short subclass per database; each class works in tables of its own
 * ({@link dev.sagaflow.jdbc.proofs.ProofTables}), dropped when it ends.
 */
package dev.sagaflow.jdbc.proofs;
