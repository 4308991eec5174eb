/** The Sagaflow starter's health indicator on Spring Boot 3; not API. */
package dev.sagaflow.spring.boot.boot3;
