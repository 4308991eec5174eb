/** Extension points other than the store: data codecs, timers, step interceptors and attempt observers. */
package dev.sagaflow.spi;
