package dev.sagaflow.examples.trip;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.examples.support.Timeline;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A booking participant (the airline, the hotel, the car rental), kept in memory. Booking is
 * idempotent by request key; cancelling a key never booked does nothing, so a compensation may run
 * for an action that never took effect. Refuses, as a {@link BusinessRejection}, to book where it is
 * sold out. Thread-safe.
 */
public final class BookingService {
    private final String what;
    private final String prefix;
    private final Set<String> soldOutIn;
    private final TripJournal journal;
    private final Timeline timeline;
    private final Map<String, String> bookings = new ConcurrentHashMap<>();
    private final AtomicInteger sequence = new AtomicInteger(100);

    /**
     * @param what what it books ("flight", "hotel", "car"): names the journal entries
     * @param soldOutIn destinations where it has nothing left
     */
    public BookingService(String what, Set<String> soldOutIn, TripJournal journal, Timeline timeline) {
        this.what = what;
        this.prefix = what.substring(0, Math.min(2, what.length())).toUpperCase(Locale.ROOT) + "-";
        this.soldOutIn = Set.copyOf(soldOutIn);
        this.journal = journal;
        this.timeline = timeline;
    }

    /**
     * Books for {@code trip} under {@code key}; the same key returns the same reference.
     *
     * @throws BusinessRejection if it is sold out at the trip's destination
     */
    public String book(String key, Trip trip) {
        if (soldOutIn.contains(trip.destination())) {
            journal.record("book " + what + " refused");
            timeline.note(who(), "no " + what + " left in " + trip.destination());
            throw new BusinessRejection("no " + what + " available in " + trip.destination());
        }
        return bookings.computeIfAbsent(key, k -> {
            String reference = prefix + sequence.incrementAndGet();
            journal.record("book " + what);
            timeline.note(who(), "booked " + reference + " in " + trip.destination() + " for " + trip.traveller());
            return reference;
        });
    }

    /** Cancels what was booked under {@code key}, if anything. */
    public void cancel(String key) {
        String reference = bookings.remove(key);
        if (reference != null) {
            journal.record("cancel " + what);
            timeline.note(who(), "cancelled " + reference);
        }
    }

    /** How many bookings are held. */
    public int activeBookings() {
        return bookings.size();
    }

    private String who() {
        return what.substring(0, 1).toUpperCase(Locale.ROOT) + what.substring(1) + " service";
    }
}
