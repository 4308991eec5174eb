/**
 * The demo's {@code --console}: every scenario's sagas gathered in one H2 database and shown by the
 * operator's console ({@code saga-console}) in a browser.
 */
package dev.sagaflow.examples.console;
