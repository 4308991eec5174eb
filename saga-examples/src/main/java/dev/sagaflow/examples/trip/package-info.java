/**
 * Trip booking: flight, hotel and car, each with a compensation, then a pivot that confirms the trip
 * and a step after it that mails the itinerary. When the car rental refuses, the hotel and then the
 * flight are cancelled, newest first; when the mail server fails, the itinerary is retried until it
 * is sent, and it is sent once. {@link dev.sagaflow.examples.trip.TripExample} runs it on H2.
 */
package dev.sagaflow.examples.trip;
