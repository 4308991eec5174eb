package dev.sagaflow.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class DemoTest {

    @Test
    void the_demo_runs_every_scenario_to_its_expected_end_and_returns_without_serving() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        Demo.run(new String[0], new PrintStream(printed, true, StandardCharsets.UTF_8));

        String output = printed.toString(StandardCharsets.UTF_8);
        assertThat(output)
                .contains("APPROVED, saga COMPLETED; Ada has 40.00 of 100.00 credit left")
                .contains("REJECTED, saga COMPENSATED")
                // The branches run in parallel, so what the participants did first varies; the car rental refused.
                .containsPattern("trip COMPENSATED; participants did: [a-z, ]*book car refused")
                .contains("itinerary attempted 3 times, sent 1 time")
                .contains("killing the worker JVM with Process.destroyForcibly()")
                .contains("3 sagas killed mid-step (process kill), all COMPLETED after the restart")
                .contains("~> order-events        OrderRejected")
                .contains("All 6 scenarios ended as expected.")
                .doesNotContain("Serving the Order Service");
    }

    @Test
    void with_console_the_demo_serves_the_sagas_of_its_scenarios_in_the_operators_console() throws Exception {
        PipedOutputStream pipe = new PipedOutputStream();
        BufferedReader lines = new BufferedReader(new InputStreamReader(new PipedInputStream(pipe, 1 << 20),
                StandardCharsets.UTF_8));
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread demo = new Thread(() -> {
            try {
                Demo.run(new String[] {"--console", "--console-port", "0"}, new PrintStream(pipe, true, StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                // stopped by the test, as Ctrl-C would
            } catch (Throwable e) {
                failure.set(e);
            }
        }, "demo");
        demo.start();
        try {
            String address = null;
            for (String line = readLine(lines); line != null && address == null; line = readLine(lines)) {
                Matcher serving = Pattern.compile("Serving the operator's console at (\\S+)").matcher(line);
                address = serving.find() ? serving.group(1) : null;
            }
            assertThat(address).as("the demo says where the console is (failure: %s)", failure.get()).isNotNull();
            HttpClient http = HttpClient.newHttpClient();
            String overview = http.send(HttpRequest.newBuilder(URI.create(address)).build(),
                    HttpResponse.BodyHandlers.ofString()).body();

            // Nothing left running or failed; how many hotel-stay child sagas exist depends on how far their branch
            // got before the car rental refused, so COMPLETED and COMPENSATED are counted, not fixed.
            assertThat(overview).containsPattern("<th>all</th><td class=\"num\">0</td><td class=\"num\">0</td>"
                    + "<td class=\"num\">[5-9]</td><td class=\"num\">[2-9]</td><td class=\"num\">0</td>");
            assertThat(overview).contains(">order-saga</a>").contains(">trip-saga</a>").contains(">checkout-saga</a>");
            Matcher saga = Pattern.compile("href=\"(/sagaflow/sagas/[^\"]+)\"").matcher(http.send(HttpRequest.newBuilder(
                    URI.create(address + "sagas?name=trip-saga&status=COMPENSATED")).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            assertThat(saga.find()).isTrue();
            String tripPage = http.send(HttpRequest.newBuilder(URI.create(address).resolve(saga.group(1))).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(tripPage).contains("<svg").contains("COMPENSATION_SUCCEEDED").contains("rent-car");
        } finally {
            demo.interrupt();
            demo.join(10_000);
        }
        assertThat(demo.isAlive()).isFalse();
        assertThat(failure.get()).isNull();
    }

    @Test
    void an_unknown_argument_is_refused_with_the_usage() {
        assertThatThrownBy(() -> Demo.run(new String[] {"--verbose"}, System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("usage: Demo [--serve] [--port N] [--console] [--console-port N]");
    }

    @Test
    void a_port_that_is_not_a_number_is_refused() {
        assertThatThrownBy(() -> Demo.run(new String[] {"--serve", "--port", "http"}, System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--port needs a number");
    }

    /** The next line the demo printed, or null once it stopped printing (its thread ended: see its failure). */
    private static String readLine(BufferedReader lines) {
        try {
            return lines.readLine();
        } catch (IOException e) {
            return null;
        }
    }
}
