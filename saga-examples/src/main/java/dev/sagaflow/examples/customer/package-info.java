/**
 * The Customer Service's own domain: customers, their credit limits and credit reservations, in the
 * Customer Service's own database. Both the orchestrated and the choreographed order flow use it; they
 * differ only in how the services talk.
 */
package dev.sagaflow.examples.customer;
