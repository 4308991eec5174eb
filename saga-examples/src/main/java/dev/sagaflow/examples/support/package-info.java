/**
 * What the examples share: an H2 database behind a HikariCP pool, an in-process message channel, and a
 * timeline that prints what happens. Example code, not part of the Sagaflow API.
 */
package dev.sagaflow.examples.support;
