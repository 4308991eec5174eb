/**
 * The order flow of {@code dev.sagaflow.examples.order} as a choreography, for comparison: no
 * orchestrator and no saga store; each service reacts to the other's events and publishes its own.
 *
 * <pre>
 * Order Service     --OrderCreated-->          Customer Service
 * Customer Service  --CreditReserved-->        Order Service  --OrderApproved-->
 * Customer Service  --CreditLimitExceeded-->   Order Service  --OrderRejected--> Customer Service
 * </pre>
 *
 * {@code OrderRejected} is the compensating event: the Order Service has rejected its pending order,
 * and the Customer Service gives back any credit it holds for it. The state of one order is spread
 * over both services' tables and the events in flight; nothing records the flow as a whole.
 */
package dev.sagaflow.examples.choreography;
