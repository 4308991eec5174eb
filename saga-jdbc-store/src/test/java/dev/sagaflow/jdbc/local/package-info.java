/** Tests of local steps: work and checkpoint in one transaction, including crashes between them. */
package dev.sagaflow.jdbc.local;
