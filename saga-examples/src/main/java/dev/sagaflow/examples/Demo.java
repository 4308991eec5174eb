package dev.sagaflow.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.examples.choreography.ChoreographyExample;
import dev.sagaflow.examples.console.DemoConsole;
import dev.sagaflow.examples.crash.CrashAndResumeExample;
import dev.sagaflow.examples.order.Order;
import dev.sagaflow.examples.order.OrderClient;
import dev.sagaflow.examples.order.OrderExample;
import dev.sagaflow.examples.order.OrderStatus;
import dev.sagaflow.examples.support.Timeline;
import dev.sagaflow.examples.trip.MailServer;
import dev.sagaflow.examples.trip.MailServer.Fault;
import dev.sagaflow.examples.trip.Trip;
import dev.sagaflow.examples.trip.TripExample;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;

/**
 * Runs every example on embedded H2 and prints a timeline of each saga:
 *
 * <ol>
 *   <li>an order approved (HTTP, the order saga, the Customer Service over messages);</li>
 *   <li>an order rejected because it exceeds the customer's credit;</li>
 *   <li>a trip (flight, hotel stay and car booked in parallel, the hotel stay a child saga) whose car rental
 *       refuses, so what was booked beside it is cancelled;</li>
 *   <li>a trip whose airline answers after the timeout (its probe finds the booking, made once) and whose
 *       itinerary mail fails twice after the pivot and is retried;</li>
 *   <li>a worker JVM killed mid-saga, and its sagas finished by a restarted orchestrator;</li>
 *   <li>the order flow again as a choreography of events, without an orchestrator.</li>
 * </ol>
 *
 * Throws if any scenario ends otherwise than described. With {@code --serve} the Order Service's HTTP
 * API stays up afterwards ({@code --port N}, default 8080) until the process is stopped. With
 * {@code --console} the operator's console shows every saga the scenarios ran (the choreography has none)
 * at {@code http://127.0.0.1:8081/sagaflow/} ({@code --console-port N}) until the process is stopped.
 */
public final class Demo {
    private static final String USAGE = "usage: Demo [--serve] [--port N] [--console] [--console-port N]";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final Timeline timeline;
    private final List<String> summary = new ArrayList<>();
    /** Where the scenarios' sagas are kept for the console, or {@code null} without {@code --console}. */
    private final DemoConsole console;

    private Demo(Timeline timeline, DemoConsole console) {
        this.timeline = timeline;
        this.console = console;
    }

    /** Runs the demo on standard output; see the class comment for the arguments. */
    public static void main(String[] args) throws Exception {
        run(args, System.out);
    }

    /**
     * Runs the demo, printing to {@code out}. Returns when every scenario is done, unless
     * {@code --serve} or {@code --console} is given: then it serves until the thread is interrupted.
     *
     * @throws IllegalArgumentException for unknown arguments
     * @throws IllegalStateException if a scenario does not end as expected
     */
    public static void run(String[] args, PrintStream out) throws Exception {
        Options options = Options.parse(args);
        DemoConsole console = options.console ? DemoConsole.create() : null;
        Demo demo = new Demo(Timeline.to(out), console);
        try (OrderExample orders = OrderExample.start(demo.timeline)) {
            OrderClient client = new OrderClient(orders.serveHttp(options.serve ? options.port : 0).baseUri());
            demo.orderApproved(orders, client);
            demo.orderRejected(orders, client);
            if (console != null) {
                console.keepAll(orders.orders().orchestrator());
            }
            demo.tripCompensated();
            demo.tripItineraryRetried();
            demo.crashAndResume();
            demo.choreography();
            demo.printSummary();
            if (options.serve) {
                demo.serve(client);
            }
            if (console != null) {
                demo.serveConsole(options.consolePort);
            }
            if (options.serve || console != null) {
                new CountDownLatch(1).await();
            }
        } finally {
            if (console != null) {
                console.close();
            }
        }
    }

    private void orderApproved(OrderExample orders, OrderClient client) throws Exception {
        timeline.heading("1. Order approved: POST /orders, the order saga, the Customer Service over messages");
        JsonNode order = placeAndAwait(client, new BigDecimal("60.00"));
        expect(order, "APPROVED", "COMPLETED");
        report("order " + order.path("orderId").asText() + " APPROVED, saga COMPLETED; " + credit(orders));
    }

    private void orderRejected(OrderExample orders, OrderClient client) throws Exception {
        timeline.heading("2. Order rejected: it exceeds the credit left, so the pending order is compensated");
        JsonNode order = placeAndAwait(client, new BigDecimal("75.00"));
        expect(order, "REJECTED", "COMPENSATED");
        report("order " + order.path("orderId").asText() + " REJECTED, saga COMPENSATED (" + steps(order) + "); "
                + credit(orders));
    }

    private void tripCompensated() throws Exception {
        timeline.heading("3. Trip to " + TripExample.NO_CARS_IN + ": flight, hotel stay (a child saga) and car booked in"
                + " parallel; no car left, so what was booked beside it is cancelled");
        try (TripExample trips = TripExample.start(timeline, MailServer.reliable(timeline))) {
            SagaOutcome<Trip> outcome = trips.book("Ada", TripExample.NO_CARS_IN);
            check(outcome.status() == SagaStatus.COMPENSATED && trips.activeBookings() == 0, "trip compensated", outcome);
            keep(trips.sagaInfo(outcome.sagaId()));
            trips.children(outcome.sagaId()).forEach(this::keep);
            report("trip COMPENSATED; participants did: " + String.join(", ", trips.journal().entries()));
        }
    }

    private void tripItineraryRetried() throws Exception {
        timeline.heading("4. Trip to Lisbon: the airline answers after the timeout, so its probe is asked; the itinerary"
                + " mail fails twice after the pivot and is retried");
        MailServer mail = MailServer.failing(timeline, Fault.REFUSE_CONNECTION, Fault.LOSE_ACKNOWLEDGEMENT);
        try (TripExample trips = TripExample.withLateAirline(timeline, mail)) {
            SagaOutcome<Trip> outcome = trips.book("Grace", "Lisbon");
            long flightsBooked = trips.journal().entries().stream().filter("book flight"::equals).count();
            check(outcome.isCompleted() && mail.itinerariesSent() == 1 && flightsBooked == 1,
                    "trip completed, flight booked once, itinerary sent once", outcome);
            keep(trips.sagaInfo(outcome.sagaId()));
            trips.children(outcome.sagaId()).forEach(this::keep);
            report("trip COMPLETED; the late flight booked " + flightsBooked + " time (the probe found it); itinerary"
                    + " attempted " + mail.calls() + " times, sent " + mail.itinerariesSent() + " time");
        }
    }

    private void crashAndResume() throws Exception {
        timeline.heading("5. Crash and resume: a worker JVM is killed mid-saga; a restart finishes its sagas");
        CrashAndResumeExample.Result result = CrashAndResumeExample.run(timeline, 3);
        boolean allCompleted = result.sagas().values().stream().allMatch(s -> s.status() == SagaStatus.COMPLETED);
        boolean chargedOnce = result.effects().values().stream()
                .allMatch(effects -> effects.stream().filter("payment charged"::equals).count() == 1);
        check(allCompleted && chargedOnce, "every saga completed, each order charged once", result);
        result.sagas().values().forEach(this::keep);
        result.effects().forEach((order, effects) -> timeline.note("  effects", order + ": " + effects));
        report(result.sagas().size() + " sagas killed mid-step (process kill), all COMPLETED after the restart; "
                + "each order charged once");
    }

    private void choreography() throws Exception {
        timeline.heading("6. The same order flow as a choreography: events only, no orchestrator, no saga store");
        try (ChoreographyExample choreography = ChoreographyExample.start(timeline)) {
            Order approved = choreography.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("60.00"));
            Order rejected = choreography.placeOrder(OrderExample.CUSTOMER_ID, new BigDecimal("75.00"));
            check(approved.status() == OrderStatus.APPROVED && rejected.status() == OrderStatus.REJECTED,
                    "first approved, second rejected", List.of(approved, rejected));
            report("choreography: " + approved.id() + " APPROVED, " + rejected.id() + " REJECTED; "
                    + OrderExample.CUSTOMER_NAME + " has " + choreography.credit().availableCredit(OrderExample.CUSTOMER_ID)
                    + " credit left");
        }
    }

    private JsonNode placeAndAwait(OrderClient client, BigDecimal amount) throws Exception {
        OrderClient.Response posted = client.placeOrder(OrderExample.CUSTOMER_ID, amount);
        timeline.note("HTTP client", "POST /orders " + amount + " -> " + posted.status() + " " + posted.json());
        String orderId = posted.json().path("orderId").asText();
        OrderClient.Response settled = client.awaitFinished(orderId, PATIENCE);
        JsonNode order = settled.json();
        timeline.note("HTTP client", "GET /orders/" + orderId + " -> " + settled.status() + " order "
                + order.path("status").asText() + ", saga " + order.path("saga").path("status").asText() + ", "
                + order.path("saga").path("history").size() + " history entries");
        return order;
    }

    private void serve(OrderClient client) {
        timeline.heading("Serving the Order Service at " + client.base() + " (Ctrl-C to stop)");
        timeline.line("curl -s -X POST " + client.base() + "/orders -H 'Content-Type: application/json' -d '{\"customerId\":\""
                + OrderExample.CUSTOMER_ID + "\",\"amount\":25.00}'");
        timeline.line("curl -s " + client.base() + "/orders/<orderId>");
    }

    private void serveConsole(int port) throws IOException {
        URI address = console.serve(port);
        timeline.heading("Serving the operator's console at " + address + " (Ctrl-C to stop)");
        timeline.line(console.size() + " sagas of scenarios 1 to 5, read-only, from this machine only (scenario 6 has"
                + " no orchestrator, so no saga)");
    }

    /** Keeps {@code saga} for the console, when there is one. */
    private void keep(SagaInfo saga) {
        if (console != null) {
            console.keep(saga);
        }
    }

    private void printSummary() {
        timeline.heading("Summary");
        summary.forEach(timeline::line);
        timeline.line("All " + summary.size() + " scenarios ended as expected.");
    }

    private void report(String line) {
        summary.add((summary.size() + 1) + ". " + line);
        timeline.note("=>", line);
    }

    private static String credit(OrderExample orders) {
        return OrderExample.CUSTOMER_NAME + " has " + orders.credit().availableCredit(OrderExample.CUSTOMER_ID)
                + " of " + OrderExample.CREDIT_LIMIT + " credit left";
    }

    private static String steps(JsonNode order) {
        List<String> steps = new ArrayList<>();
        order.path("saga").path("steps").forEach(s -> steps.add(s.path("name").asText() + " " + s.path("status").asText()));
        return String.join(", ", steps);
    }

    private static void expect(JsonNode order, String orderStatus, String sagaStatus) {
        check(orderStatus.equals(order.path("status").asText())
                && sagaStatus.equals(order.path("saga").path("status").asText()),
                "order " + orderStatus + " with saga " + sagaStatus, order);
    }

    private static void check(boolean ok, String expected, Object actual) {
        if (!ok) {
            throw new IllegalStateException("the demo expected " + expected + " but got " + actual);
        }
    }

    /** The command line. */
    private record Options(boolean serve, int port, boolean console, int consolePort) {
        static Options parse(String[] args) {
            boolean serve = false;
            int port = 8080;
            boolean console = false;
            int consolePort = 8081;
            for (int i = 0; i < args.length; i++) {
                switch (Objects.requireNonNull(args[i])) {
                    case "--serve" -> serve = true;
                    case "--port" -> port = portAt(args, ++i, "--port");
                    case "--console" -> console = true;
                    case "--console-port" -> consolePort = portAt(args, ++i, "--console-port");
                    default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; " + USAGE);
                }
            }
            return new Options(serve, port, console, consolePort);
        }

        private static int portAt(String[] args, int i, String option) {
            try {
                int port = Integer.parseInt(args[i]);
                if (port < 0 || port > 65_535) {
                    throw new NumberFormatException();
                }
                return port;
            } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
                throw new IllegalArgumentException(option + " needs a number from 0 to 65535; " + USAGE, e);
            }
        }
    }
}
