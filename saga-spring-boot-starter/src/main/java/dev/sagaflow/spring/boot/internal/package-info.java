/** The starter's store wrappers, lifecycle, transaction binding and health; not API. */
package dev.sagaflow.spring.boot.internal;
