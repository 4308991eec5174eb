/** End-to-end tests of the console in a real browser (Debian's Chromium, headless) over PostgreSQL. */
package dev.sagaflow.console.browser;
