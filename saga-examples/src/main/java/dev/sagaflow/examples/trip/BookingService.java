package dev.sagaflow.examples.trip;

import dev.sagaflow.BusinessRejection;
import dev.sagaflow.examples.support.Timeline;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A booking participant (the airline, the hotel's rooms and deposits, the car rental), kept in memory. Booking is
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
    private final AtomicInteger lateAnswers = new AtomicInteger();
    private volatile Duration lateBy = Duration.ZERO;
    private volatile Duration refusesAfter = Duration.ZERO;

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
    public String book(String key, Trip trip) throws InterruptedException {
        if (soldOutIn.contains(trip.destination())) {
            // A "no" that takes a while, as a search of every branch does.
            Thread.sleep(refusesAfter.toMillis());
        }
        return bookNow(key, trip);
    }

    private synchronized String bookNow(String key, Trip trip) {
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

    /** Makes a refusal take {@code delay}: the service searches before it says no. */
    public BookingService refusingAfter(Duration delay) {
        refusesAfter = delay;
        return this;
    }

    /**
     * Makes the next {@code count} bookings answer {@code delay} late: they take effect at once, but their answer
     * comes after the caller stopped waiting, as over a slow network.
     */
    public BookingService answerLate(int count, Duration delay) {
        lateBy = delay;
        lateAnswers.set(count);
        return this;
    }

    /**
     * {@link #book} over a blocking call, as over HTTP: answered late if {@link #answerLate} said so (the booking is
     * made at once; only the answer is slow). The saga's timeout interrupts the wait; the booking stands.
     */
    public String bookBlocking(String key, Trip trip) throws InterruptedException {
        String reference = book(key, trip);
        if (lateAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            timeline.note(who(), "booked " + reference + ", but the answer is " + lateBy.toMillis() + " ms late");
            Thread.sleep(lateBy.toMillis());
        }
        return reference;
    }

    /**
     * Whether something is booked under {@code key}: what a saga's probe asks after a timeout. It waits for a booking
     * under way to finish, so that it never answers "nothing booked" about a booking that is being made.
     */
    public synchronized boolean isBooked(String key) {
        boolean booked = bookings.containsKey(key);
        timeline.note(who(), "asked about " + key + ": " + (booked ? "booked" : "nothing booked"));
        return booked;
    }

    /** Cancels what was booked under {@code key}, if anything. */
    public synchronized void cancel(String key) {
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
