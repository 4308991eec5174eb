package dev.sagaflow.examples.trip;

/**
 * The hotel stay saga's data: a room, and the deposit that guarantees it. Immutable.
 *
 * @param traveller who stays
 * @param destination where
 * @param room the room reservation, once made
 * @param deposit the deposit reference, once taken
 */
public record HotelStay(String traveller, String destination, String room, String deposit) {

    /** A stay with nothing reserved yet. */
    public static HotelStay of(Trip trip) {
        return new HotelStay(trip.traveller(), trip.destination(), null, null);
    }

    /** This stay with a room. */
    public HotelStay withRoom(String reference) {
        return new HotelStay(traveller, destination, reference, deposit);
    }

    /** This stay with its deposit taken. */
    public HotelStay withDeposit(String reference) {
        return new HotelStay(traveller, destination, room, reference);
    }

    /** The trip the stay is for, as the booking services see it. */
    Trip asTrip() {
        return Trip.to(destination, traveller);
    }
}
