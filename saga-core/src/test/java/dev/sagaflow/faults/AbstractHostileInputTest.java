package dev.sagaflow.faults;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.AsyncStepAction;
import dev.sagaflow.RetryPolicy;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaEvent;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaExecution;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.StepState;
import dev.sagaflow.testing.ManualTimer;
import dev.sagaflow.testing.SagaTestKit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile input that reaches the runtime through the store SPI or the API: stored rows with
 * unreadable or wrong data, step lists that do not match the definition, definitions changed
 * between versions, huge data, names with quotes and non-ASCII characters. Each case gets a clear,
 * named error; the instance is kept for an operator (FAILED and listed, or left untouched and
 * reported); and the runtime goes on serving other sagas. A store's test extends this class.
 * Published in saga-core's test-jar.
 */
public abstract class AbstractHostileInputTest {
    private SagaTestKit kit;
    private final Ledger ledger = new Ledger();

    /** An empty store for one test. */
    protected abstract SagaStore emptyStore(Clock storeClock);

    @BeforeEach
    void createKit() {
        ManualTimer timer = new ManualTimer();
        kit = SagaTestKit.over(emptyStore(timer.clock()), timer);
    }

    /** s1, s2, s3 (compensatable); s2's action never answers its first attempt (the node dies in it). */
    private SagaDefinition<Trail> stranding(String name) {
        AsyncStepAction<Trail> hangsOnce = (trail, context) -> {
            ledger.record(context);
            return context.attempt() == 1 ? new CompletableFuture<>()
                    : CompletableFuture.completedFuture(trail.mark("do " + context.stepName()));
        };
        return Saga.define(name, Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction(hangsOnce).compensation(TestSagas.compensation(ledger))
                .step("s3").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
    }

    /** Starts a saga whose node dies inside s2, rewrites its stored row, and returns its id. */
    private String strandAndTamper(SagaDefinition<Trail> saga, UnaryOperator<SagaInstance> tamper) {
        SagaOrchestrator doomed = kit.orchestrator().nodeId("node-a").register(saga).build();
        String id = doomed.start(saga, Trail.of("t")).sagaId();
        SagaTestKit.crash(doomed);
        SagaInstance stored = kit.store().find(id).orElseThrow();
        SagaInstance tampered = tamper.apply(stored);
        SagaInstance next = new SagaInstance(tampered.id(), tampered.sagaName(), tampered.sagaVersion(),
                tampered.fingerprint(), tampered.idempotencyKey(), tampered.status(), tampered.data(),
                tampered.steps(), tampered.createdAt(), tampered.updatedAt(), tampered.deadline(), tampered.owner(),
                tampered.leaseUntil(), stored.version() + 1, tampered.error());
        assertThat(kit.store().update(stored.version(), next, List.of())).isTrue();
        return id;
    }

    private static SagaInstance withData(SagaInstance instance, String json) {
        return new SagaInstance(instance.id(), instance.sagaName(), instance.sagaVersion(), instance.fingerprint(),
                instance.idempotencyKey(), instance.status(), SagaData.ofJson(json), instance.steps(),
                instance.createdAt(), instance.updatedAt(), instance.deadline(), instance.owner(), instance.leaseUntil(),
                instance.version(), instance.error());
    }

    private static SagaInstance withSteps(SagaInstance instance, List<StepState> steps) {
        return new SagaInstance(instance.id(), instance.sagaName(), instance.sagaVersion(), instance.fingerprint(),
                instance.idempotencyKey(), instance.status(), instance.data(), steps, instance.createdAt(),
                instance.updatedAt(), instance.deadline(), instance.owner(), instance.leaseUntil(), instance.version(),
                instance.error());
    }

    /** After recovery: the instance is FAILED with {@code error} in its reason, listed, announced, and another saga runs. */
    private void assertKeptForAnOperator(SagaOrchestrator orchestrator, String id, String... error) {
        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).as("status of %s", stored).isEqualTo(SagaStatus.FAILED);
        assertThat(stored.error()).contains(error);
        assertThat(stored.owner()).as("no node holds it").isNull();
        assertThat(orchestrator.list(SagaQuery.withStatus(SagaStatus.FAILED))).extracting(SagaInfo::sagaId)
                .contains(id);
        assertThat(orchestrator.find(id)).get().satisfies(info -> assertThat(info.error()).contains(error));
        assertThat(kit.listener().events(id)).extracting(SagaEvent::type).contains(SagaEventType.SAGA_FAILED);
        assertOthersStillRun(orchestrator);
    }

    private void assertOthersStillRun(SagaOrchestrator orchestrator) {
        SagaDefinition<Trail> other = TestSagas.linear("bystander", 2, new Ledger());
        SagaOrchestrator node = orchestrator;
        try {
            assertThat(node.run(other, Trail.of("other")).status()).isEqualTo(SagaStatus.COMPLETED);
        } catch (dev.sagaflow.UnknownSagaException notRegistered) {
            SagaOrchestrator fresh = kit.orchestrator().register(other).build();
            assertThat(fresh.run(other, Trail.of("other")).status()).isEqualTo(SagaStatus.COMPLETED);
            fresh.close();
        }
    }

    // ---------------------------------------------------------------- stored data

    @Test
    void stored_data_that_is_truncated_json_fails_the_instance_with_a_named_error() {
        SagaDefinition<Trail> saga = stranding("truncated-data");
        String id;
        try {
            id = strandAndTamper(saga, i -> withData(i, "{\"name\":\"t\",\"marks\":[\"do s1\""));
        } catch (dev.sagaflow.SagaStoreException refused) {
            // A database that checks JSON (PostgreSQL json, MySQL json_valid) refuses it at the write.
            assertThat(refused).hasMessageContaining("update of saga instance");
            return;
        }

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        assertKeptForAnOperator(node, id, "saga data cannot be read", Trail.class.getName());
        assertThat(ledger.calls()).as("nothing ran on unreadable data").containsExactly("do s1", "do s2");
    }

    @Test
    void stored_data_of_the_wrong_shape_fails_the_instance_with_a_named_error() {
        SagaDefinition<Trail> saga = stranding("wrong-data");
        String objectForString = strandAndTamper(saga, i -> withData(i, "{\"name\":{\"x\":1},\"marks\":[]}"));
        String array = strandAndTamper(saga, i -> withData(i, "[1, 2, 3]"));
        String unknownField = strandAndTamper(saga, i -> withData(i, "{\"name\":\"t\",\"marks\":[],\"extra\":1}"));

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        for (String id : List.of(objectForString, array, unknownField)) {
            assertKeptForAnOperator(node, id, "saga data cannot be read");
        }
    }

    @Test
    void stored_data_that_is_json_null_fails_the_instance_instead_of_handing_null_to_the_handlers() {
        SagaDefinition<Trail> saga = stranding("null-data");
        String id = strandAndTamper(saga, i -> withData(i, "null"));

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        assertKeptForAnOperator(node, id, "saga data cannot be read", "null");
        assertThat(ledger.calls()).containsExactly("do s1", "do s2");
    }

    // ---------------------------------------------------------------- stored steps

    @Test
    void a_stored_step_list_longer_than_the_definition_fails_the_instance_naming_both_lists() {
        SagaDefinition<Trail> saga = stranding("longer-steps");
        String id = strandAndTamper(saga, i -> {
            List<StepState> steps = new ArrayList<>(i.steps());
            steps.add(StepState.pending("s4"));
            return withSteps(i, steps);
        });

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        assertKeptForAnOperator(node, id, "[s1, s2, s3, s4]", "[s1, s2, s3]");
    }

    @Test
    void a_stored_step_list_whose_running_step_is_past_the_definitions_end_fails_the_instance() {
        SagaDefinition<Trail> saga = stranding("step-past-the-end");
        String id = strandAndTamper(saga, i -> {
            List<StepState> steps = new ArrayList<>();
            for (StepState step : i.steps()) {
                steps.add(step.status() == StepStatus.RUNNING ? step.withStatus(StepStatus.SUCCEEDED)
                        : step.status() == StepStatus.PENDING ? step.withStatus(StepStatus.SUCCEEDED) : step);
            }
            steps.add(i.steps().get(1).withStatus(StepStatus.RUNNING).with(StepStatus.RUNNING, 1, 0, false,
                    i.createdAt(), null, null, null));
            steps.set(3, new StepState("s4", StepStatus.RUNNING, 1, 0, false, i.createdAt(), null, null, null));
            return withSteps(i, steps);
        });

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        assertKeptForAnOperator(node, id, "[s1, s2, s3, s4]", "[s1, s2, s3]");
    }

    @Test
    void a_stored_step_list_shorter_than_the_definition_fails_the_instance_naming_both_lists() {
        SagaDefinition<Trail> saga = stranding("shorter-steps");
        String id = strandAndTamper(saga, i -> withSteps(i, i.steps().subList(0, 2)));

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        assertKeptForAnOperator(node, id, "[s1, s2]", "[s1, s2, s3]");
    }

    @Test
    void a_live_instance_without_a_current_step_fails_with_a_named_error() {
        SagaDefinition<Trail> saga = stranding("no-current-step");
        String id = strandAndTamper(saga, i -> withSteps(i, i.steps().stream()
                .map(s -> s.status() == StepStatus.RUNNING ? s.withStatus(StepStatus.SUCCEEDED) : s).toList()));

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        assertKeptForAnOperator(node, id, "RUNNING", "no step is RUNNING");
    }

    // ---------------------------------------------------------------- definitions across versions

    @Test
    void instances_of_a_version_that_is_no_longer_registered_are_left_untouched_and_reported() {
        SagaDefinition<Trail> v1 = stranding("versioned");
        String id = strandAndTamper(v1, i -> i);
        SagaInstance before = kit.store().find(id).orElseThrow();
        SagaDefinition<Trail> v2 = Saga.define("versioned", Trail.class).version(2)
                .step("reserve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("charge").action(TestSagas.action(ledger))
                .build();

        SagaOrchestrator onlyV2 = kit.orchestrator().nodeId("node-a").register(v2).build();
        kit.timer().advance(Duration.ofMinutes(5));

        SagaInstance after = kit.store().find(id).orElseThrow();
        assertThat(after.version()).isEqualTo(before.version());
        assertThat(after.steps()).isEqualTo(before.steps());
        assertThat(kit.listener().events(id)).filteredOn(e -> e.type() == SagaEventType.INSTANCE_NOT_RESUMABLE)
                .hasSize(1).first().satisfies(e -> assertThat(e.detail()).contains("'versioned' version 1 is not"
                        + " registered"));
        assertThat(onlyV2.run(v2, Trail.of("new")).status()).as("new instances run on v2")
                .isEqualTo(SagaStatus.COMPLETED);
        onlyV2.close();

        SagaOrchestrator both = kit.orchestrator().nodeId("node-a").register(v1, v2).build();
        kit.timer().advance(Duration.ofMinutes(1));
        assertThat(kit.store().find(id).orElseThrow().status()).as("resumed by v1").isEqualTo(SagaStatus.COMPLETED);
        both.close();
    }

    /** The same saga, name, version and steps, but a data type that cannot read what v1 stored. */
    public record Order(long orderId, String customer) {
    }

    @Test
    void a_data_type_changed_incompatibly_under_the_same_version_fails_the_instance_with_a_named_error() {
        SagaDefinition<Trail> before = stranding("retyped");
        String id = strandAndTamper(before, i -> i);
        SagaDefinition<Order> after = Saga.define("retyped", Order.class)
                .step("s1").action((o, c) -> o).compensation((o, c) -> o)
                .step("s2").action((o, c) -> o).compensation((o, c) -> o)
                .step("s3").action((o, c) -> o).compensation((o, c) -> o)
                .build();
        assertThat(after.fingerprint()).as("only the data type changed").isEqualTo(before.fingerprint());

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(after).build();

        assertKeptForAnOperator(node, id, "saga data cannot be read", Order.class.getName());
    }

    // ---------------------------------------------------------------- size and characters

    @Test
    void huge_saga_data_of_several_megabytes_survives_every_write_and_a_crash() {
        String huge = "x".repeat(3_000_000) + "ü注🚀" + "y".repeat(3_000_000);
        SagaDefinition<Trail> saga = stranding("huge-data");
        SagaOrchestrator doomed = kit.orchestrator().nodeId("node-a").register(saga).build();
        String id = doomed.start(saga, Trail.of(huge)).sagaId();
        SagaTestKit.crash(doomed);

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        SagaInstance stored = kit.store().find(id).orElseThrow();
        assertThat(stored.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(node.find(id).orElseThrow().data()).isInstanceOfSatisfying(Trail.class, trail -> {
            assertThat(trail.name()).isEqualTo(huge);
            assertThat(trail.marks()).containsExactly("do s1", "do s2", "do s3");
        });
        node.close();
    }

    @Test
    void names_keys_and_node_ids_with_quotes_and_non_ascii_characters_work_everywhere() {
        String sagaName = "o'rder \"Ω\" 注文 🚀 \\ ; -- ";
        SagaDefinition<Trail> saga = Saga.define(sagaName, Trail.class)
                .step("re'serve").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("ask \"them\":ü").action(TestSagas.action(ledger)).awaitReply(String.class,
                        (trail, reply) -> trail.mark(reply))
                .step("ship ☃").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .retry(RetryPolicy.fixed(Duration.ofSeconds(1), 2))
                .build();
        String key = "k'ey \"1\" ✓ 🚀";
        SagaOrchestrator node = kit.orchestrator().nodeId("nœud 'a' \"☃\"").register(saga).build();

        SagaExecution<Trail> execution = node.start(saga, Trail.of("ünïcødé 'quoted' \"double\""), key);
        assertThat(node.start(saga, Trail.of("again"), key).sagaId()).isEqualTo(execution.sagaId());
        String correlation = SagaReply.correlationId(execution.sagaId(), "ask \"them\":ü");
        node.reply(SagaReply.success(correlation, "réponse '✓'"));
        SagaOutcome<Trail> outcome = execution.outcome().join();

        assertThat(outcome.status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(outcome.data().marks()).containsExactly("do re'serve", "do ask \"them\":ü", "réponse '✓'",
                "do ship ☃");
        assertThat(kit.store().findByIdempotencyKey(sagaName, key)).get().extracting(SagaInstance::id)
                .isEqualTo(execution.sagaId());
        assertThat(node.list(SagaQuery.all().sagaName(sagaName))).extracting(SagaInfo::sagaId)
                .containsExactly(execution.sagaId());
        assertThat(node.find(execution.sagaId()).orElseThrow().history()).extracting(h -> h.step())
                .contains("re'serve", "ask \"them\":ü", "ship ☃");
        node.close();
    }

    @Test
    void a_reply_for_an_unknown_step_with_a_hostile_name_is_rejected_with_a_named_error() {
        SagaDefinition<Trail> saga = Saga.define("replies", Trail.class)
                .step("ask").action(TestSagas.action(ledger)).awaitReply().compensation(TestSagas.compensation(ledger))
                .build();
        SagaOrchestrator node = kit.orchestrator().register(saga).build();
        String id = node.start(saga, Trail.of("t")).sagaId();

        assertThatThrownBy(() -> node.reply(SagaReply.success(id, "'; DROP TABLE saga_instances; --", null)))
                .isInstanceOf(dev.sagaflow.ReplyRejectedException.class)
                .hasMessageContaining("has no step ''; DROP TABLE saga_instances; --'").hasMessageContaining(id);
        assertThatThrownBy(() -> node.reply(SagaReply.success("no-such-id", "ask", null)))
                .isInstanceOf(dev.sagaflow.ReplyRejectedException.class).hasMessageContaining("no such saga instance");
        node.reply(SagaReply.success(id, "ask", null));
        assertThat(kit.store().find(id).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        node.close();
    }
}
