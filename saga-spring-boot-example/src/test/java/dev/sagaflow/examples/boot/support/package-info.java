/** What the example's tests share: the PostgreSQL database they run on, and the condition that needs it. */
package dev.sagaflow.examples.boot.support;
