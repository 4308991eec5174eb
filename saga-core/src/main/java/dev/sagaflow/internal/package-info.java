/** Implementation details. Not API: anything here may change in any release. */
package dev.sagaflow.internal;
