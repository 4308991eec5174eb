package dev.sagaflow.examples.order.customer;

import dev.sagaflow.examples.customer.CreditLedger;
import dev.sagaflow.examples.customer.Reservation;
import dev.sagaflow.examples.order.messages.CreditLimitExceeded;
import dev.sagaflow.examples.order.messages.CreditReserved;
import dev.sagaflow.examples.order.messages.ReleaseCredit;
import dev.sagaflow.examples.order.messages.ReserveCredit;
import dev.sagaflow.examples.support.MessageChannel;
import dev.sagaflow.examples.support.Timeline;

/**
 * Reserves and releases customers' credit on command. {@link ReserveCredit} is answered with
 * {@link CreditReserved} or {@link CreditLimitExceeded} on the reply channel; a command that arrives
 * again is answered again with the outcome recorded the first time, and reserves nothing more.
 * {@link ReleaseCredit} gives the credit back and is not answered. Thread-safe.
 */
public final class CustomerService {
    private static final String WHO = "Customer Service";

    private final CreditLedger ledger;
    private final MessageChannel replies;
    private final Timeline timeline;

    /** Subscribes to {@code commands}; answers on {@code replies}. */
    public CustomerService(CreditLedger ledger, MessageChannel commands, MessageChannel replies, Timeline timeline) {
        this.ledger = ledger;
        this.replies = replies;
        this.timeline = timeline;
        commands.subscribe(ReserveCredit.class, this::reserveCredit);
        commands.subscribe(ReleaseCredit.class, this::releaseCredit);
    }

    /** The ledger this service keeps. */
    public CreditLedger ledger() {
        return ledger;
    }

    void reserveCredit(ReserveCredit command) {
        Reservation reservation = ledger.reserve(command.idempotencyKey(), command.orderId(), command.customerId(),
                command.amount());
        String again = reservation.repeated() ? " (command seen before: recorded outcome repeated)" : "";
        switch (reservation.status()) {
            case RESERVED -> {
                timeline.note(WHO, "reserved " + command.amount() + " for order " + command.orderId() + "; "
                        + command.customerId() + " has " + ledger.availableCredit(command.customerId()) + " left" + again);
                replies.send(new CreditReserved(command.correlationId(), reservation.reservationId()));
            }
            case REJECTED -> {
                timeline.note(WHO, "refused order " + command.orderId() + ": " + reservation.reason() + again);
                replies.send(new CreditLimitExceeded(command.correlationId(), reservation.reason()));
            }
            case RELEASED -> timeline.note(WHO, "ignored a reservation for order " + command.orderId()
                    + " that was released before it arrived");
        }
    }

    void releaseCredit(ReleaseCredit command) {
        boolean released = ledger.release(command.reservationKey(), command.orderId(), command.customerId());
        timeline.note(WHO, released
                ? "released the credit held for order " + command.orderId()
                : "nothing held for order " + command.orderId() + ", nothing to release");
    }
}
