/** Fixtures of the console's tests: sagas in every state, a console on a JDK server, PostgreSQL and Chromium. */
package dev.sagaflow.console.support;
