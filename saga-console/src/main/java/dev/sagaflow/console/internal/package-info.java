/**
 * The console's implementation: routing, authorisation and CSRF checks, the queries behind the pages,
 * HTML and SVG rendering. Not API: anything here may change without notice.
 */
package dev.sagaflow.console.internal;
