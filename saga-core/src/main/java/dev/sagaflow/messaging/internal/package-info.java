/** The relay's machinery; not API. */
package dev.sagaflow.messaging.internal;
