/** Test support: a data source that can refuse connections, and health read on either Boot line. */
package dev.sagaflow.spring.boot.support;
