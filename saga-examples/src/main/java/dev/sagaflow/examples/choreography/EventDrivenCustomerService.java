package dev.sagaflow.examples.choreography;

import dev.sagaflow.examples.customer.CreditLedger;
import dev.sagaflow.examples.customer.Reservation;
import dev.sagaflow.examples.support.MessageChannel;
import dev.sagaflow.examples.support.Timeline;

/**
 * The Customer Service of the choreography: on {@link OrderCreated} it reserves credit and publishes
 * {@link CreditReserved} or {@link CreditLimitExceeded}; on {@link OrderRejected} it gives back any
 * credit held for the order. The order id is the idempotency key, so a redelivered event changes
 * nothing. Thread-safe.
 */
public final class EventDrivenCustomerService {
    private static final String WHO = "Customer Service";

    private final CreditLedger ledger;
    private final MessageChannel customerEvents;
    private final Timeline timeline;

    /** Subscribes to {@code orderEvents}; publishes on {@code customerEvents}. */
    public EventDrivenCustomerService(CreditLedger ledger, MessageChannel orderEvents, MessageChannel customerEvents,
            Timeline timeline) {
        this.ledger = ledger;
        this.customerEvents = customerEvents;
        this.timeline = timeline;
        orderEvents.subscribe(OrderCreated.class, this::onOrderCreated);
        orderEvents.subscribe(OrderRejected.class, this::onOrderRejected);
    }

    void onOrderCreated(OrderCreated event) {
        Reservation reservation = ledger.reserve(key(event.orderId()), event.orderId(), event.customerId(),
                event.amount());
        String again = reservation.repeated() ? " (event seen before: recorded outcome repeated)" : "";
        switch (reservation.status()) {
            case RESERVED -> {
                timeline.note(WHO, "reserved " + event.amount() + " for " + event.orderId() + "; "
                        + event.customerId() + " has " + ledger.availableCredit(event.customerId()) + " left" + again);
                customerEvents.send(new CreditReserved(event.orderId(), reservation.reservationId()));
            }
            case REJECTED -> {
                timeline.note(WHO, "refused " + event.orderId() + ": " + reservation.reason() + again);
                customerEvents.send(new CreditLimitExceeded(event.orderId(), reservation.reason()));
            }
            case RELEASED -> timeline.note(WHO, event.orderId() + " was rejected before its credit was asked for");
        }
    }

    void onOrderRejected(OrderRejected event) {
        boolean released = ledger.release(key(event.orderId()), event.orderId(), event.customerId());
        timeline.note(WHO, released ? "released the credit held for " + event.orderId()
                : "nothing held for " + event.orderId() + ", nothing to release");
    }

    private static String key(String orderId) {
        return "order:" + orderId;
    }
}
