/**
 * Trip booking: flight, hotel and car booked in parallel (a parallel group), the hotel as a child saga of its own
 * (room, then deposit), the flight with a timeout and a probe; then a pivot that confirms the trip and a step after
 * it that mails the itinerary. When the car rental refuses, the bookings that took effect are cancelled, the hotel
 * stay by compensating its child saga; when the airline answers after the timeout, the probe finds the booking and
 * the saga goes on without booking twice; when the mail server fails, the itinerary is retried until it is sent,
 * and it is sent once. {@link dev.sagaflow.examples.trip.TripExample} runs it on H2.
 */
package dev.sagaflow.examples.trip;
