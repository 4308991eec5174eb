package dev.sagaflow.messaging;

import static dev.sagaflow.messaging.RecordingSender.Behaviour.CONFIRM;
import static dev.sagaflow.messaging.RecordingSender.Behaviour.LOSE_CONFIRM;
import static dev.sagaflow.messaging.RecordingSender.Behaviour.REFUSE;
import static dev.sagaflow.messaging.RecordingSender.Behaviour.UNREACHABLE;
import static dev.sagaflow.messaging.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaStoreException;
import dev.sagaflow.messaging.RecordingSender.Attempt;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.OutboxStore.FailedMessage;
import dev.sagaflow.store.SettableClock;
import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class OutboxRelayTest {
    private static final String QUEUE = "customer-commands";

    private final SettableClock clock = new SettableClock(Instant.parse("2026-03-01T10:00:00Z"));
    private final InMemorySagaStore memory = InMemorySagaStore.builder().clock(clock).build();
    /** Every successful markSent / markFailed, in order: "sent:<id>" or "failed:<id>". */
    private final List<String> marks = new CopyOnWriteArrayList<>();
    private final OutboxStore store = InterceptedOutbox.of(memory, (method, args, proceed) -> {
        Object result = proceed.call();
        if ((method.equals("markSent") || method.equals("markFailed")) && Boolean.TRUE.equals(result)) {
            marks.add((method.equals("markSent") ? "sent:" : "failed:") + args[0]);
        }
        return result;
    });
    private final CommandWriter writer = new CommandWriter(memory);
    private final RecordingSender sender = new RecordingSender();
    private final List<OutboxRelay> relays = new ArrayList<>();

    @AfterEach
    void closeRelays() {
        relays.forEach(OutboxRelay::close);
    }

    private OutboxRelay.Builder relay(OutboxStore outbox, MessageSender to) {
        return OutboxRelay.builder(outbox, to).backoff(Duration.ofMillis(5), Duration.ofMillis(50))
                .pollInterval(Duration.ofMillis(10));
    }

    private OutboxRelay started(OutboxRelay.Builder builder) {
        OutboxRelay relay = builder.build();
        relays.add(relay);
        relay.start();
        return relay;
    }

    private List<OutboxMessage> writeInstances(int instances, int atStart, int later) {
        List<OutboxMessage> all = new ArrayList<>();
        for (int i = 0; i < instances; i++) {
            List<OutboxMessage> first = writer.start(QUEUE, atStart);
            all.addAll(first);
            if (later > 0) {
                all.addAll(writer.next(first.get(0).sagaId(), QUEUE, later));
            }
        }
        return all;
    }

    private Set<String> marked() {
        return marks.stream().map(mark -> mark.substring(mark.indexOf(':') + 1)).collect(Collectors.toSet());
    }

    private static Set<String> ids(Collection<OutboxMessage> messages) {
        return messages.stream().map(OutboxMessage::id).collect(Collectors.toSet());
    }

    private void roundsUntil(OutboxRelay relay, BooleanSupplier done) {
        for (int round = 0; round < 1_000 && !done.getAsBoolean(); round++) {
            relay.relayOnce();
        }
        assertThat(done.getAsBoolean()).as("done within 1,000 rounds").isTrue();
    }


    /**
     * Per instance, the attempts in order must never go back to an older command, and the first attempt at a
     * command must come after the previous command's confirm (or refusal).
     */
    private static void assertSentInOrderPerInstance(List<Attempt> attempts) {
        Map<String, List<Attempt>> byInstance = new HashMap<>();
        for (Attempt attempt : attempts) {
            byInstance.computeIfAbsent(attempt.message().sagaId(), id -> new ArrayList<>()).add(attempt);
        }
        byInstance.forEach((sagaId, list) -> {
            int current = 0;
            boolean currentFinished = true;
            for (Attempt attempt : list) {
                int seq = CommandWriter.seq(attempt.message().payload());
                if (seq != current) {
                    assertThat(seq).as("instance %s: command after %s", sagaId, current).isEqualTo(current + 1);
                    assertThat(currentFinished).as("instance %s: command %s sent before %s was confirmed", sagaId,
                            seq, current).isTrue();
                    current = seq;
                }
                currentFinished = attempt.behaviour() == CONFIRM || attempt.behaviour() == REFUSE;
            }
        });
    }

    @Test
    void each_instances_commands_are_sent_in_the_order_written_and_each_only_after_the_previous_was_confirmed() {
        List<OutboxMessage> written = writeInstances(20, 3, 2);
        Random random = new Random(11);
        sender.behave(message -> random.nextInt(10) < 3 ? UNREACHABLE : CONFIRM);
        OutboxRelay relay = relay(store, sender).batchSize(7).build();

        roundsUntil(relay, () -> marked().containsAll(ids(written)));

        assertSentInOrderPerInstance(sender.attempts());
        assertThat(sender.attempts()).extracting(Attempt::behaviour).contains(UNREACHABLE);
        assertThat(sender.arrivals()).extracting(a -> a.message().id()).doesNotHaveDuplicates()
                .containsExactlyInAnyOrderElementsOf(ids(written));
    }

    @Test
    void every_message_arrives_at_least_once_and_is_marked_sent_only_after_its_confirm_when_confirms_are_lost() {
        List<OutboxMessage> written = writeInstances(30, 2, 1);
        Random random = new Random(7);
        sender.behave(message -> switch (random.nextInt(6)) {
            case 0 -> UNREACHABLE;
            case 1 -> LOSE_CONFIRM;
            default -> CONFIRM;
        });
        OutboxRelay relay = relay(store, sender).batchSize(10).build();

        roundsUntil(relay, () -> marked().containsAll(ids(written)));

        List<Attempt> attempts = sender.attempts();
        assertThat(attempts.stream().filter(Attempt::arrived).map(a -> a.message().id()).collect(Collectors.toSet()))
                .as("every message reached the broker").containsAll(ids(written));
        Set<String> lostConfirms = attempts.stream().filter(a -> a.behaviour() == LOSE_CONFIRM)
                .map(a -> a.message().id()).collect(Collectors.toSet());
        assertThat(lostConfirms).as("the seed loses some confirms").isNotEmpty();
        Map<String, Long> arrivals = attempts.stream().filter(Attempt::arrived)
                .collect(Collectors.groupingBy(a -> a.message().id(), Collectors.counting()));
        arrivals.forEach((id, count) -> {
            if (count > 1) {
                assertThat(lostConfirms).as("only a message whose confirm was lost arrives twice").contains(id);
            }
        });
        for (OutboxMessage message : written) {
            int confirmed = indexOf(attempts, message.id(), CONFIRM);
            assertThat(confirmed).as("message %s confirmed", message.id()).isNotNegative();
            assertThat(marks).as("marked sent once").containsOnlyOnce("sent:" + message.id());
        }
        assertThat(memory.claimOutbox("probe", Duration.ofSeconds(1), 100)).as("nothing left to send").isEmpty();
        assertSentInOrderPerInstance(attempts);
    }

    private static int indexOf(List<Attempt> attempts, String id, RecordingSender.Behaviour behaviour) {
        for (int i = 0; i < attempts.size(); i++) {
            if (attempts.get(i).message().id().equals(id) && attempts.get(i).behaviour() == behaviour) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void a_message_the_broker_refuses_for_good_ends_failed_is_listed_with_its_reason_and_is_never_sent_again() {
        List<OutboxMessage> commands = writer.start(QUEUE, 2);
        OutboxMessage poison = commands.get(0);
        sender.behave(message -> message.id().equals(poison.id()) ? REFUSE : CONFIRM);
        OutboxRelay relay = relay(store, sender).build();

        roundsUntil(relay, () -> marked().containsAll(ids(commands)));
        for (int i = 0; i < 5; i++) {
            relay.relayOnce();
        }

        assertThat(marks).containsExactly("failed:" + poison.id(), "sent:" + commands.get(1).id());
        assertThat(sender.attempts()).filteredOn(a -> a.message().id().equals(poison.id())).hasSize(1);
        List<FailedMessage> failed = memory.failedOutbox(10);
        assertThat(failed).singleElement().satisfies(f -> {
            assertThat(f.message().id()).isEqualTo(poison.id());
            assertThat(f.reason()).isEqualTo("no route to " + QUEUE);
        });
    }

    @Test
    void a_refused_message_that_an_operator_retries_is_sent_again_once_the_broker_takes_it() {
        OutboxMessage poison = writer.start(QUEUE, 1).get(0);
        AtomicBoolean routable = new AtomicBoolean(false);
        sender.behave(message -> routable.get() ? CONFIRM : REFUSE);
        OutboxRelay relay = relay(store, sender).build();
        roundsUntil(relay, () -> marks.contains("failed:" + poison.id()));

        routable.set(true);
        assertThat(memory.retryOutbox(poison.id())).isTrue();
        roundsUntil(relay, () -> marks.contains("sent:" + poison.id()));

        assertThat(memory.failedOutbox(10)).isEmpty();
        assertThat(sender.attempts()).extracting(Attempt::behaviour).containsExactly(REFUSE, CONFIRM);
    }

    /** The relay dies (an Error out of the store call) after the broker confirmed and before it marked the message. */
    private static final class Crash extends Error {
        Crash() {
            super("the relay's process dies here");
        }
    }

    @Test
    void a_relay_killed_between_the_confirm_and_mark_sent_leaves_the_message_to_another_relay_which_sends_it_again_with_the_same_ids() {
        List<OutboxMessage> commands = writer.start(QUEUE, 2);
        OutboxStore dying = InterceptedOutbox.of(store, (method, args, proceed) -> {
            if (method.equals("markSent")) {
                throw new Crash();
            }
            return proceed.call();
        });
        Duration lease = Duration.ofSeconds(30);
        OutboxRelay first = relay(dying, sender.sibling("first")).lease(lease).build();
        OutboxRelay second = relay(store, sender.sibling("second")).lease(lease).build();

        assertThatThrownBy(first::relayOnce).isInstanceOf(Crash.class);
        assertThat(second.relayOnce()).as("the message is still claimed by the dead relay").isZero();
        clock.advance(lease.plusMillis(1));
        roundsUntil(second, () -> marked().containsAll(ids(commands)));

        List<Attempt> attempts = sender.attempts();
        assertThat(attempts).extracting(Attempt::sender, a -> a.message().id())
                .startsWith(org.assertj.core.groups.Tuple.tuple("first", commands.get(0).id()),
                        org.assertj.core.groups.Tuple.tuple("second", commands.get(0).id()));
        assertThat(attempts.get(1).message().headers()).isEqualTo(attempts.get(0).message().headers())
                .containsEntry(OutboxMessage.IDEMPOTENCY_KEY_HEADER, commands.get(0).sagaId() + ":step-1");
        assertSentInOrderPerInstance(attempts);
        assertThat(memory.markSent(commands.get(0).id(), first.relayId()))
                .as("the dead relay's late mark is refused: the claim is another's").isFalse();
    }

    @Test
    void two_relays_sharing_the_outbox_never_send_the_same_message_at_the_same_time() throws InterruptedException {
        InMemorySagaStore shared = InMemorySagaStore.create();
        CommandWriter sharedWriter = new CommandWriter(shared);
        List<OutboxMessage> written = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            List<OutboxMessage> first = sharedWriter.start(QUEUE, 2);
            written.addAll(first);
            written.addAll(sharedWriter.next(first.get(0).sagaId(), QUEUE, 1));
        }
        Set<String> sent = ConcurrentHashMap.newKeySet();
        OutboxStore counting = InterceptedOutbox.of(shared, (method, args, proceed) -> {
            Object result = proceed.call();
            if (method.equals("markSent") && Boolean.TRUE.equals(result)) {
                sent.add((String) args[0]);
            }
            return result;
        });
        sender.sendMillis(1);
        started(relay(counting, sender.sibling("a")).batchSize(16));
        started(relay(counting, sender.sibling("b")).batchSize(16));

        eventually(() -> sent.containsAll(ids(written)), Duration.ofSeconds(30));

        assertThat(sender.overlaps()).isZero();
        assertThat(sender.attempts()).extracting(a -> a.message().id()).doesNotHaveDuplicates().hasSize(written.size());
        assertThat(sender.attempts()).extracting(Attempt::sender).contains("a", "b");
        assertSentInOrderPerInstance(sender.attempts());
    }

    @Test
    void a_relay_that_stalls_after_claiming_for_more_than_half_its_lease_does_not_send_and_another_relay_sends_once_the_claim_ran_out()
            throws InterruptedException {
        InMemorySagaStore shared = InMemorySagaStore.create();
        OutboxMessage command = new CommandWriter(shared).start(QUEUE, 1).get(0);
        Duration lease = Duration.ofMillis(400);
        OutboxStore stalling = InterceptedOutbox.of(shared, (method, args, proceed) -> {
            Object result = proceed.call();
            if (method.equals("claimOutbox")) {
                Thread.sleep(250); // a GC pause or a frozen VM, right after the claim
            }
            return result;
        });
        OutboxRelay stalled = relay(stalling, sender.sibling("stalled")).lease(lease).build();
        OutboxRelay other = relay(shared, sender.sibling("other")).lease(lease).build();

        assertThat(stalled.relayOnce()).isZero();
        assertThat(sender.attempts()).as("the stalled relay must not send a claim that may be running out").isEmpty();
        Thread.sleep(200);
        assertThat(other.relayOnce()).isEqualTo(1);

        assertThat(sender.attempts()).extracting(Attempt::sender, a -> a.message().id())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("other", command.id()));
    }

    @Test
    void while_the_broker_is_unreachable_the_relay_backs_off_and_sends_everything_once_it_is_back()
            throws InterruptedException {
        List<OutboxMessage> written = writeInstances(10, 1, 1);
        AtomicBoolean reachable = new AtomicBoolean(false);
        AtomicInteger attemptsWhileDown = new AtomicInteger();
        sender.behave(message -> {
            if (reachable.get()) {
                return CONFIRM;
            }
            attemptsWhileDown.incrementAndGet();
            return UNREACHABLE;
        });
        started(OutboxRelay.builder(store, sender).batchSize(10).pollInterval(Duration.ofMillis(10))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(160)));

        Thread.sleep(1_000);
        int rounds = attemptsWhileDown.get() / 10;
        reachable.set(true);
        eventually(() -> marked().containsAll(ids(written)), Duration.ofSeconds(10));

        // Without backoff the loop would try every 10 ms poll (~100 rounds); doubling from 20 ms to 160 ms
        // (with jitter, at least half of each) allows about 12.
        assertThat(rounds).isBetween(2, 16);
        assertThat(marks).hasSize(written.size());
        assertSentInOrderPerInstance(sender.attempts());
    }

    @Test
    void while_the_store_cannot_mark_messages_the_relay_keeps_them_and_marks_them_later_without_sending_them_again()
            throws InterruptedException {
        List<OutboxMessage> written = writeInstances(5, 1, 0);
        AtomicBoolean storeDown = new AtomicBoolean(true);
        OutboxStore flaky = InterceptedOutbox.of(store, (method, args, proceed) -> {
            if (method.startsWith("mark") && storeDown.get()) {
                throw new SagaStoreException("connection refused", null, null, SagaStoreException.Failure.TRANSIENT);
            }
            return proceed.call();
        });
        started(relay(flaky, sender));

        eventually(() -> sender.attempts().size() == written.size(), Duration.ofSeconds(5));
        Thread.sleep(200);
        storeDown.set(false);
        eventually(() -> marked().containsAll(ids(written)), Duration.ofSeconds(5));

        assertThat(sender.attempts()).as("each sent once: a confirmed message is marked, not sent again")
                .hasSize(written.size());
    }

    @Test
    void while_the_store_cannot_be_read_the_relay_backs_off_and_relays_once_it_is_back() throws InterruptedException {
        List<OutboxMessage> written = writeInstances(3, 1, 0);
        AtomicBoolean storeDown = new AtomicBoolean(true);
        AtomicInteger claimsWhileDown = new AtomicInteger();
        OutboxStore flaky = InterceptedOutbox.of(store, (method, args, proceed) -> {
            if (method.equals("claimOutbox") && storeDown.get()) {
                claimsWhileDown.incrementAndGet();
                throw new SagaStoreException("connection refused", null, null, SagaStoreException.Failure.TRANSIENT);
            }
            return proceed.call();
        });
        started(OutboxRelay.builder(flaky, sender).pollInterval(Duration.ofMillis(5))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(100)));

        Thread.sleep(500);
        storeDown.set(false);
        eventually(() -> marked().containsAll(ids(written)), Duration.ofSeconds(5));

        assertThat(claimsWhileDown.get()).as("backed off, not polled every 5 ms").isBetween(2, 15);
    }

    @Test
    void the_loop_runs_on_the_hosts_executor_when_given_one_and_close_stops_it() throws InterruptedException {
        ExecutorService executor = Executors.newSingleThreadExecutor(runnable -> new Thread(runnable, "host-pool"));
        try {
            List<OutboxMessage> written = writeInstances(3, 1, 0);
            List<String> threads = new CopyOnWriteArrayList<>();
            OutboxRelay relay = started(relay(store, message -> threads.add(Thread.currentThread().getName()))
                    .executor(executor));

            eventually(() -> marked().containsAll(ids(written)), Duration.ofSeconds(5));
            relay.close();

            assertThat(threads).containsOnly("host-pool");
            OutboxMessage later = writer.start(QUEUE, 1).get(0);
            Thread.sleep(100);
            assertThat(marked()).as("a closed relay sends nothing").doesNotContain(later.id());
            assertThatThrownBy(relay::relayOnce).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void its_own_thread_is_named_after_the_relay_and_wake_up_sends_without_waiting_for_the_poll()
            throws InterruptedException {
        List<String> threads = new CopyOnWriteArrayList<>();
        OutboxRelay relay = started(OutboxRelay.builder(store, message -> threads.add(Thread.currentThread().getName()))
                .relayId("node-1").pollInterval(Duration.ofMinutes(10)));
        Thread.sleep(100); // the loop found nothing and waits for its ten-minute poll

        writer.start(QUEUE, 1);
        relay.wakeUp();

        eventually(() -> !threads.isEmpty(), Duration.ofSeconds(5));
        assertThat(threads).containsExactly("sagaflow-outbox-relay-node-1");
    }

    @Test
    void a_relay_starts_once() {
        OutboxRelay relay = started(relay(store, sender));
        assertThatThrownBy(relay::start).isInstanceOf(IllegalStateException.class).hasMessageContaining("already started");
        relay.close();
        relay.close();
    }

    @Test
    void settings_are_checked_when_the_relay_is_built() {
        OutboxRelay.Builder builder = OutboxRelay.builder(store, sender);
        assertThatThrownBy(() -> builder.batchSize(0)).hasMessage("batchSize must be >= 1, was 0");
        assertThatThrownBy(() -> builder.lease(Duration.ZERO)).hasMessage("lease must be > 0, was PT0S");
        assertThatThrownBy(() -> builder.backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("max backoff must be >= initial backoff, was PT1S < PT2S");
        assertThatThrownBy(() -> builder.relayId(" ")).hasMessage("relayId cannot be null or blank");
        assertThatThrownBy(() -> OutboxRelay.builder(null, sender)).hasMessage("store cannot be null");
    }

    @Test
    void the_default_send_all_reports_each_failure_by_message_id_and_confirms_the_rest() {
        List<OutboxMessage> commands = writeInstances(3, 1, 0);
        sender.behave(message -> message.id().equals(commands.get(1).id()) ? REFUSE : CONFIRM);

        Map<String, Exception> failures = sender.sendAll(commands);

        assertThat(failures).containsOnlyKeys(commands.get(1).id());
        assertThat(failures.get(commands.get(1).id())).isInstanceOf(MessageRejectedException.class)
                .hasMessageContaining("instance " + commands.get(1).sagaId()).hasMessageContaining("step 'step-1'");
        assertThat(new HashSet<>(sender.attempts())).hasSize(3);
    }
}
