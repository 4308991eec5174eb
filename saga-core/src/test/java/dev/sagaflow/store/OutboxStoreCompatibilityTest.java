package dev.sagaflow.store;

import static dev.sagaflow.store.SagaInstanceBuilder.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sagaflow.store.OutboxStore.FailedMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link OutboxStore} must have, beside {@link SagaStoreCompatibilityTest}: messages exist
 * exactly when the write that sends them was written, leave in the order written per instance, are claimed by
 * one relay at a time under a lease on the store's clock, and can be marked sent, failed, retried and purged.
 * Published in saga-core's test-jar; a store's test extends it and implements {@link #createStore(Clock)}.
 *
 * <p>The outbox may hold other tests' messages (a shared database): every test claims with a large limit and
 * looks only at the messages of its own instances.
 */
public abstract class OutboxStoreCompatibilityTest {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int ALL = SagaQuery.MAX_LIMIT;

    private final SettableClock clock = new SettableClock(T0);
    private OutboxStore store;
    private String run;

    /** A store for one test that measures leases on {@code clock}; it may hold other tests' rows. */
    protected abstract OutboxStore createStore(Clock clock) throws Exception;

    /** Releases what {@link #createStore(Clock)} made. Does nothing by default. */
    protected void closeStore(OutboxStore store) throws Exception {
    }

    @BeforeEach
    final void openStore() throws Exception {
        clock.set(T0);
        store = createStore(clock);
        run = UUID.randomUUID().toString().substring(0, 8);
    }

    @AfterEach
    final void releaseStore() throws Exception {
        closeStore(store);
    }

    @Test
    void a_message_exists_when_the_write_that_sends_it_was_written_and_not_when_it_lost_its_race() {
        SagaInstance instance = insert();
        OutboxMessage sent = message(instance, "reserve-credit");
        OutboxMessage lost = message(instance, "approve-order");

        assertThat(send(instance, 1, sent)).isTrue();
        assertThat(send(instance, 1, lost)).as("a stale version").isFalse();

        assertThat(claimed("relay-a", instance)).containsExactly(sent);
    }

    @Test
    void an_instances_messages_leave_one_at_a_time_in_the_order_they_were_written() {
        SagaInstance instance = insert();
        OutboxMessage first = message(instance, "reserve-credit");
        OutboxMessage second = message(instance, "reserve-stock");
        OutboxMessage third = message(instance, "notify");
        send(instance, 1, first, second);
        send(instance, 2, third);

        assertThat(claimed("relay-a", instance)).containsExactly(first);
        assertThat(claimed("relay-b", instance)).as("the first is in flight").isEmpty();
        assertThat(store.markSent(first.id(), relay("relay-a"))).isTrue();
        assertThat(claimed("relay-b", instance)).containsExactly(second);
        assertThat(store.markSent(second.id(), relay("relay-b"))).isTrue();
        assertThat(claimed("relay-a", instance)).containsExactly(third);
    }

    @Test
    void different_instances_messages_leave_side_by_side() {
        SagaInstance one = insert();
        SagaInstance two = insert();
        OutboxMessage fromOne = message(one, "reserve-credit");
        OutboxMessage fromTwo = message(two, "reserve-credit");
        send(one, 1, fromOne);
        send(two, 1, fromTwo);

        assertThat(claimed("relay-a", one, two)).containsExactlyInAnyOrder(fromOne, fromTwo);
    }

    @Test
    void a_failed_message_keeps_its_reason_does_not_hold_back_the_next_and_can_be_retried() {
        SagaInstance instance = insert();
        OutboxMessage poison = message(instance, "reserve-credit");
        OutboxMessage next = message(instance, "notify");
        send(instance, 1, poison, next);
        claimed("relay-a", instance);
        clock.set(T0.plusSeconds(5));

        assertThat(store.markFailed(poison.id(), relay("relay-a"), "no such queue: «credit»")).isTrue();

        assertThat(failed()).containsExactly(new FailedMessage(poison, "no such queue: «credit»", T0.plusSeconds(5)));
        assertThat(claimed("relay-a", instance)).containsExactly(next);
        assertThat(store.retryOutbox(poison.id())).isTrue();
        assertThat(store.retryOutbox(poison.id())).as("no longer failed").isFalse();
        assertThat(failed()).isEmpty();
        assertThat(claimed("relay-b", instance)).containsExactly(poison);
    }

    @Test
    void a_claimed_message_is_claimed_again_only_once_its_lease_ran_out_and_only_the_new_relay_marks_it() {
        SagaInstance instance = insert();
        OutboxMessage message = message(instance, "reserve-credit");
        send(instance, 1, message);
        assertThat(claimed("relay-a", instance)).containsExactly(message);

        clock.set(T0.plusSeconds(29));
        assertThat(claimed("relay-b", instance)).as("relay-a's lease holds").isEmpty();
        clock.set(T0.plusSeconds(31));
        assertThat(claimed("relay-b", instance)).containsExactly(message);

        assertThat(store.markSent(message.id(), relay("relay-a"))).as("relay-a lost it").isFalse();
        assertThat(store.markSent(message.id(), relay("relay-b"))).isTrue();
        assertThat(store.markSent(message.id(), relay("relay-b"))).as("already sent").isFalse();
        clock.set(T0.plusSeconds(100));
        assertThat(claimed("relay-c", instance)).as("sent messages are never claimed again").isEmpty();
    }

    @Test
    void purge_deletes_messages_sent_before_the_cut_and_nothing_else() {
        SagaInstance early = insert();
        SagaInstance late = insert();
        SagaInstance pending = insert();
        send(early, 1, message(early, "reserve-credit"));
        send(late, 1, message(late, "reserve-credit"));
        OutboxMessage unsent = message(pending, "reserve-credit");
        send(pending, 1, unsent);
        claimed("relay-a", early, late);
        store.markSent(message(early, "reserve-credit").id(), relay("relay-a"));
        clock.set(T0.plusSeconds(100));
        store.markSent(message(late, "reserve-credit").id(), relay("relay-a"));

        assertThat(store.purgeSentOutbox(T0.plusSeconds(50), ALL)).isGreaterThanOrEqualTo(1);
        assertThat(store.purgeSentOutbox(T0.plusSeconds(50), ALL)).as("all sent before the cut are gone").isZero();
        assertThat(store.purgeSentOutbox(T0.plusSeconds(101), ALL)).as("the later one").isGreaterThanOrEqualTo(1);
        assertThat(claimed("relay-a", pending)).as("a pending message is never purged").containsExactly(unsent);
    }

    @Test
    void concurrent_relays_claim_each_message_exactly_once() throws Exception {
        List<SagaInstance> instances = new ArrayList<>();
        List<OutboxMessage> messages = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            SagaInstance instance = insert();
            OutboxMessage message = message(instance, "reserve-credit");
            send(instance, 1, message);
            instances.add(instance);
            messages.add(message);
        }
        Set<String> ours = Set.copyOf(instances.stream().map(SagaInstance::id).toList());

        List<List<OutboxMessage>> perRelay = race(8, n -> {
            List<OutboxMessage> mine = new ArrayList<>();
            List<OutboxMessage> batch;
            do {
                batch = store.claimOutbox(relay("relay-" + n), LEASE, 3);
                batch.stream().filter(m -> ours.contains(m.sagaId())).forEach(mine::add);
            } while (!batch.isEmpty());
            return mine;
        });

        assertThat(perRelay.stream().flatMap(Collection::stream).toList())
                .containsExactlyInAnyOrderElementsOf(messages);
    }

    // ---------------------------------------------------------------- fixtures

    private SagaInstance insert() {
        SagaInstance instance = SagaInstanceBuilder.of("outbox-" + run).fingerprint("fp-" + run).build();
        assertThat(store.insert(InstanceWrite.of(instance, List.of(), null))).isTrue();
        return instance;
    }

    /** The update from {@code version} to the next, sending {@code messages}. */
    private boolean send(SagaInstance instance, long version, OutboxMessage... messages) {
        SagaInstance next = SagaInstanceBuilder.from(instance).version(version + 1).updatedAt(T0).build();
        return store.update(version, InstanceWrite.of(next, List.of(), null).sending(List.of(messages)));
    }

    private OutboxMessage message(SagaInstance instance, String step) {
        return new OutboxMessage(instance.id() + ":" + step, instance.id(), instance.sagaName(), step,
                "queue-" + step, "{\"amount\":42,\"note\":\"«€»\"}", Map.of(OutboxMessage.CORRELATION_ID_HEADER,
                instance.id() + ":" + step, "traceparent", "00-abc-def-01"), T0);
    }

    private String relay(String name) {
        return name + "-" + run;
    }

    /** What {@code relay} claims now among the messages of {@code instances}. */
    private List<OutboxMessage> claimed(String relay, SagaInstance... instances) {
        Set<String> ids = Set.copyOf(List.of(instances).stream().map(SagaInstance::id).toList());
        return store.claimOutbox(relay(relay), LEASE, ALL).stream().filter(m -> ids.contains(m.sagaId())).toList();
    }

    private List<FailedMessage> failed() {
        return store.failedOutbox(ALL).stream().filter(f -> f.message().sagaName().equals("outbox-" + run)).toList();
    }

    private static <T> List<T> race(int threads, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                Callable<T> call = () -> {
                    start.await();
                    return task.apply(n);
                };
                futures.add(pool.submit(call));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
