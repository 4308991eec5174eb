/** Extension points other than the store: data codecs, timers and step interceptors. */
package dev.sagaflow.spi;
