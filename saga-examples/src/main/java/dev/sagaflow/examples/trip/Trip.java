package dev.sagaflow.examples.trip;

/**
 * The trip saga's data: who goes where, and the bookings made so far. Immutable.
 *
 * @param traveller who travels
 * @param destination where to
 * @param flight the flight booking reference, once booked
 * @param hotel the hotel booking reference, once booked
 * @param car the car rental reference, once booked
 * @param itinerary the id of the itinerary mail, once sent
 */
public record Trip(String traveller, String destination, String flight, String hotel, String car, String itinerary) {

    /** A trip with nothing booked yet. */
    public static Trip to(String destination, String traveller) {
        return new Trip(traveller, destination, null, null, null, null);
    }

    /** This trip with a flight. */
    public Trip withFlight(String reference) {
        return new Trip(traveller, destination, reference, hotel, car, itinerary);
    }

    /** This trip with a hotel. */
    public Trip withHotel(String reference) {
        return new Trip(traveller, destination, flight, reference, car, itinerary);
    }

    /** This trip with a car. */
    public Trip withCar(String reference) {
        return new Trip(traveller, destination, flight, hotel, reference, itinerary);
    }

    /** This trip with its itinerary sent. */
    public Trip withItinerary(String messageId) {
        return new Trip(traveller, destination, flight, hotel, car, messageId);
    }
}
