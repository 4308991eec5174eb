package dev.sagaflow.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
                .contains("participants did: book flight, book hotel, book car refused, cancel hotel, cancel flight")
                .contains("itinerary attempted 3 times, sent 1 time")
                .contains("killing the worker JVM with Process.destroyForcibly()")
                .contains("3 sagas killed mid-step (process kill), all COMPLETED after the restart")
                .contains("~> order-events        OrderRejected")
                .contains("All 6 scenarios ended as expected.")
                .doesNotContain("Serving the Order Service");
    }

    @Test
    void an_unknown_argument_is_refused_with_the_usage() {
        assertThatThrownBy(() -> Demo.run(new String[] {"--verbose"}, System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("usage: Demo [--serve] [--port N]");
    }

    @Test
    void a_port_that_is_not_a_number_is_refused() {
        assertThatThrownBy(() -> Demo.run(new String[] {"--serve", "--port", "http"}, System.out))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--port needs a number");
    }
}
