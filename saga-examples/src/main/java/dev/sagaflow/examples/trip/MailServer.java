package dev.sagaflow.examples.trip;

import dev.sagaflow.examples.support.Timeline;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Sends itineraries, kept in memory, and may be told to fail: refuse the connection (nothing is
 * sent), or send and then lose the acknowledgement (the mail is out, but the caller sees an error).
 * It remembers what it sent by request key, so a retried request is not sent twice. Thread-safe.
 */
public final class MailServer {
    /** How one call to {@link #sendItinerary} fails. */
    public enum Fault {
        /** The connection is refused: nothing is sent. */
        REFUSE_CONNECTION,
        /** The mail is sent, then the connection drops before the acknowledgement. */
        LOSE_ACKNOWLEDGEMENT
    }

    private final Deque<Fault> faults;
    private final Timeline timeline;
    private final Map<String, String> sent = new ConcurrentHashMap<>();
    private final AtomicInteger calls = new AtomicInteger();

    private MailServer(List<Fault> faults, Timeline timeline) {
        this.faults = new ArrayDeque<>(faults);
        this.timeline = timeline;
    }

    /** A server that never fails. */
    public static MailServer reliable(Timeline timeline) {
        return new MailServer(List.of(), timeline);
    }

    /** A server whose first calls fail as {@code faults} say, in order, and whose later calls succeed. */
    public static MailServer failing(Timeline timeline, Fault... faults) {
        return new MailServer(List.of(faults), timeline);
    }

    /**
     * Sends the trip's itinerary once per {@code key}, and returns the mail's id.
     *
     * @throws IOException when this call is scripted to fail
     */
    public String sendItinerary(String key, Trip trip) throws IOException {
        calls.incrementAndGet();
        Fault fault = nextFault();
        if (fault == Fault.REFUSE_CONNECTION) {
            timeline.note("Mail server", "connection refused");
            throw new IOException("mail server refused the connection");
        }
        String messageId = deliver(key, trip);
        if (fault == Fault.LOSE_ACKNOWLEDGEMENT) {
            timeline.note("Mail server", "itinerary sent, but the connection dropped before the acknowledgement");
            throw new IOException("connection reset before the mail server acknowledged");
        }
        return messageId;
    }

    /** How many itineraries were really sent. */
    public int itinerariesSent() {
        return sent.size();
    }

    /** How many times {@link #sendItinerary} was called. */
    public int calls() {
        return calls.get();
    }

    private synchronized Fault nextFault() {
        return faults.pollFirst();
    }

    private String deliver(String key, Trip trip) {
        String existing = sent.get(key);
        if (existing != null) {
            timeline.note("Mail server", "itinerary " + existing + " was already sent; not sending it again");
            return existing;
        }
        String messageId = "mail-" + (sent.size() + 1);
        sent.put(key, messageId);
        timeline.note("Mail server", "sent itinerary " + messageId + " to " + trip.traveller());
        return messageId;
    }
}
