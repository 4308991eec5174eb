package dev.sagaflow.store;

import static dev.sagaflow.store.SagaInstanceBuilder.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.StepStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link SagaStore} must have. A store's test extends this class and implements
 * {@link #createStore(Clock)}; that is all. Published in saga-core's test-jar.
 *
 * <p>The store measures leases on the clock it is given (what a database's own clock is in production), which
 * the suite sets by hand.
 *
 * <p>The tests assume a store that may already hold rows from earlier tests or runs (a real
 * database): every test uses its own saga names, fingerprints, owners and idempotency keys, made
 * unique with a random suffix, and looks only at those. Ids are random UUIDs. Every instant has
 * millisecond precision and nothing finer, which any database keeps exactly; the suite does compare
 * instants for equality. Saga data must come back as exactly the text that went in.
 *
 * <p>The concurrency tests run {@value #THREADS} threads against one store object, in several
 * rounds; a store backed by a connection pool should allow that many connections or let threads
 * wait for one. They assert outcomes only, never durations.
 */
public abstract class SagaStoreCompatibilityTest {
    /** Threads in each concurrency test. */
    protected static final int THREADS = 8;
    /** How often the update and insert races are run; one race rarely hits a narrow window. */
    private static final int ROUNDS = 20;
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final JsonTestCodec CODEC = new JsonTestCodec();

    private SagaStore store;
    private String run;
    private final SettableClock clock = new SettableClock(T0);

    /**
     * A store for one test, called before each test, that measures leases on {@code clock}. It may be shared
     * with other tests or hold their rows; the suite never assumes it is empty.
     */
    protected abstract SagaStore createStore(Clock clock) throws Exception;

    /** Releases what {@link #createStore(Clock)} made, called after each test. Does nothing by default. */
    protected void closeStore(SagaStore store) throws Exception {
    }

    /**
     * Whether the store keeps live objects without encoding them (an in-memory store for benchmarks): such a
     * store accepts data it could not serialise. Default {@code false}.
     */
    protected boolean keepsLiveObjects() {
        return false;
    }

    /** The store of the current test, for subclasses that add tests of their own. */
    protected final SagaStore store() {
        return store;
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

    // ---------------------------------------------------------------- insert and find

    @Test
    void insert_then_find_returns_an_equal_instance() {
        SagaInstance instance = order()
                .idempotencyKey(key("k"))
                .sagaVersion(3)
                .status(SagaStatus.COMPENSATING)
                .steps(List.of(
                        new StepState("validate", StepStatus.SUCCEEDED, 1, 0, false, T0, at(1), null, null),
                        new StepState("reserve-credit", StepStatus.COMPENSATING, 2, 3, false, at(1), at(2), at(9),
                                "compensation timed out"),
                        new StepState("ship", StepStatus.FAILED, 4, 0, true, at(2), at(3), null, "timed out"),
                        StepState.pending("approve-order")))
                .createdAt(T0)
                .updatedAt(at(3))
                .deadline(at(3600))
                .owner(owner("a"), at(33))
                .error("step 'ship' timed out after 4 attempts")
                .build();

        assertThat(insert(instance, List.of(started(instance)))).isTrue();

        assertSameInstance(store.find(instance.id()).orElseThrow(), instance);
    }

    @Test
    void insert_then_find_returns_the_nullable_fields_as_null() {
        SagaInstance instance = order().steps(List.of(StepState.pending("only"))).build();

        insert(instance, List.of());

        SagaInstance found = store.find(instance.id()).orElseThrow();
        assertSameInstance(found, instance);
        assertThat(found.idempotencyKey()).isNull();
        assertThat(found.deadline()).isNull();
        assertThat(found.owner()).isNull();
        assertThat(found.leaseUntil()).isNull();
        assertThat(found.error()).isNull();
    }

    @Test
    void saga_data_with_non_ascii_text_quotes_and_escapes_comes_back_exactly() {
        String json = "{\"customer\":\"Zoë Ångström-Łukasz\",\"city\":\"東京\",\"emoji\":\"🚀\","
                + "\"quote\":\"she said \\\"yes\\\" — it's ok\",\"path\":\"C:\\\\orders\\\\new\","
                + "\"lines\":\"a\\nb\\tc\",\"escaped\":\"\\u00e9\\u2603\",\"apostrophe\":\"O'Brien\"}";
        SagaInstance instance = order().json(json).build();

        insert(instance, List.of(started(instance)));

        assertThat(store.find(instance.id()).orElseThrow().data().json()).isEqualTo(json);
    }

    @Test
    void saga_data_of_a_megabyte_comes_back_exactly() {
        StringBuilder json = new StringBuilder("{\"lines\":[");
        for (int i = 0; json.length() < 1_048_576; i++) {
            json.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append(",\"sku\":\"SKU-").append(i * 7919)
                    .append("\",\"text\":\"line ").append(i).append(" of a large order, ünïcödé\"}");
        }
        String big = json.append("]}").toString();
        SagaInstance instance = order().json(big).build();

        insert(instance, List.of(started(instance)));

        String found = store.find(instance.id()).orElseThrow().data().json();
        assertThat(found.length()).isEqualTo(big.length());
        assertThat(found).isEqualTo(big);
    }

    @Test
    void live_saga_data_is_stored_as_its_encoded_json() throws Exception {
        Order order = new Order("o-" + run, 4_200, List.of("book", "lamp"));
        SagaInstance instance = order().data(SagaData.ofValue(order, CODEC)).build();

        insert(instance, List.of(started(instance)));

        SagaData found = store.find(instance.id()).orElseThrow().data();
        assertThat(found.json()).isEqualTo(CODEC.encode(order));
        assertThat(found.decode(Order.class, CODEC)).isEqualTo(order);
    }

    @Test
    void find_of_an_unknown_id_is_empty() {
        assertThat(store.find(UUID.randomUUID().toString())).isEmpty();
    }

    @Test
    void insert_with_an_existing_id_throws_and_keeps_the_first() {
        SagaInstance first = order().build();
        insert(first, List.of(started(first)));
        SagaInstance sameId = order().id(first.id()).json("{\"second\":true}").build();

        assertThatThrownBy(() -> insert(sameId, List.of(started(sameId))))
                .isInstanceOf(IllegalArgumentException.class);

        assertSameInstance(store.find(first.id()).orElseThrow(), first);
        assertThat(store.history(first.id())).containsExactly(started(first));
    }

    // ---------------------------------------------------------------- idempotency keys

    @Test
    void insert_with_a_duplicate_idempotency_key_returns_false_and_keeps_the_first() {
        SagaInstance first = order().idempotencyKey(key("order-42")).build();
        SagaInstance second = order().idempotencyKey(key("order-42")).json("{\"second\":true}").build();
        assertThat(insert(first, List.of(started(first)))).isTrue();

        assertThat(insert(second, List.of(started(second)))).isFalse();

        assertThat(store.find(second.id())).isEmpty();
        assertThat(store.history(second.id())).isEmpty();
        assertSameInstance(store.findByIdempotencyKey(sagaName(), key("order-42")).orElseThrow(), first);
    }

    @Test
    void the_same_idempotency_key_under_another_saga_name_is_accepted() {
        SagaInstance order = order().idempotencyKey(key("shared")).build();
        SagaInstance trip = SagaInstanceBuilder.of(otherSagaName()).fingerprint(fingerprint())
                .idempotencyKey(key("shared")).build();

        assertThat(insert(order, List.of(started(order)))).isTrue();
        assertThat(insert(trip, List.of(started(trip)))).isTrue();

        assertThat(store.findByIdempotencyKey(sagaName(), key("shared")).orElseThrow().id()).isEqualTo(order.id());
        assertThat(store.findByIdempotencyKey(otherSagaName(), key("shared")).orElseThrow().id())
                .isEqualTo(trip.id());
    }

    @Test
    void instances_without_an_idempotency_key_never_conflict() {
        SagaInstance first = order().build();
        SagaInstance second = order().build();

        assertThat(insert(first, List.of(started(first)))).isTrue();
        assertThat(insert(second, List.of(started(second)))).isTrue();

        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName())))).containsExactlyInAnyOrder(
                first.id(), second.id());
    }

    @Test
    void find_by_an_unknown_idempotency_key_is_empty() {
        SagaInstance instance = order().idempotencyKey(key("known")).build();
        insert(instance, List.of(started(instance)));

        assertThat(store.findByIdempotencyKey(sagaName(), key("unknown"))).isEmpty();
        assertThat(store.findByIdempotencyKey(otherSagaName(), key("known"))).isEmpty();
    }

    // ---------------------------------------------------------------- update

    @Test
    void update_with_the_current_version_writes_the_new_state() {
        SagaInstance instance = order().owner(owner("a"), at(30)).build();
        insert(instance, List.of(started(instance)));
        SagaInstance next = SagaInstanceBuilder.from(instance).nextVersion()
                .status(SagaStatus.COMPENSATING)
                .steps(List.of(
                        new StepState("reserve-credit", StepStatus.FAILED, 1, 0, false, T0, at(1), null, "declined"),
                        StepState.pending("approve-order")))
                .json("{\"orderId\":\"o-1\",\"cents\":1250,\"declined\":true}")
                .updatedAt(at(1))
                .error("credit limit exceeded")
                .build();

        assertThat(update(1, next, List.of(entry(next, SagaEventType.STEP_FAILED, "reserve-credit", 1,
                "declined", at(1))))).isTrue();

        assertSameInstance(store.find(instance.id()).orElseThrow(), next);
    }

    @Test
    void update_with_a_stale_version_writes_nothing_and_appends_no_history() {
        SagaInstance instance = order().build();
        insert(instance, List.of(started(instance)));
        SagaInstance winner = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(1)).error("winner").build();
        HistoryEntry winnerEntry = entry(winner, SagaEventType.STEP_SUCCEEDED, "reserve-credit", 1, null, at(1));
        assertThat(update(1, winner, List.of(winnerEntry))).isTrue();
        SagaInstance loser = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(2)).error("loser")
                .status(SagaStatus.FAILED).build();

        boolean written = update(1, loser, List.of(entry(loser, SagaEventType.SAGA_FAILED, null, 0, "loser",
                at(2))));

        assertThat(written).isFalse();
        assertSameInstance(store.find(instance.id()).orElseThrow(), winner);
        assertThat(store.history(instance.id())).containsExactly(started(instance), winnerEntry);
    }

    @Test
    void update_expecting_a_version_ahead_of_the_stored_one_writes_nothing() {
        SagaInstance instance = order().build();
        insert(instance, List.of(started(instance)));
        SagaInstance ahead = SagaInstanceBuilder.from(instance).version(6).error("from the future").build();

        assertThat(update(5, ahead, List.of(entry(ahead, SagaEventType.SAGA_FAILED, null, 0, null, at(1)))))
                .isFalse();

        assertSameInstance(store.find(instance.id()).orElseThrow(), instance);
        assertThat(store.history(instance.id())).containsExactly(started(instance));
    }

    @Test
    void update_of_an_unknown_id_returns_false() {
        SagaInstance unknown = order().version(2).build();

        assertThat(update(1, unknown, List.of(entry(unknown, SagaEventType.SAGA_COMPLETED, null, 0, null,
                at(1))))).isFalse();

        assertThat(store.find(unknown.id())).isEmpty();
        assertThat(store.history(unknown.id())).isEmpty();
    }

    @Test
    void update_whose_next_version_is_not_one_more_than_expected_is_rejected_as_a_caller_bug() {
        SagaInstance instance = order().build();
        insert(instance, List.of(started(instance)));
        SagaInstance skipping = SagaInstanceBuilder.from(instance).version(3).error("skipped a version").build();
        SagaInstance same = SagaInstanceBuilder.from(instance).version(1).error("same version").build();

        assertThatThrownBy(() -> update(1, skipping, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> update(1, same, List.of())).isInstanceOf(IllegalArgumentException.class);

        assertSameInstance(store.find(instance.id()).orElseThrow(), instance);
        assertThat(store.history(instance.id())).containsExactly(started(instance));
    }

    @Test
    void each_update_needs_the_version_the_previous_one_wrote() {
        SagaInstance v1 = order().build();
        insert(v1, List.of(started(v1)));
        SagaInstance v2 = SagaInstanceBuilder.from(v1).nextVersion().updatedAt(at(1)).build();
        SagaInstance v3 = SagaInstanceBuilder.from(v2).nextVersion().updatedAt(at(2))
                .status(SagaStatus.COMPLETED).build();

        assertThat(update(1, v2, List.of())).isTrue();
        assertThat(update(1, v2, List.of())).isFalse();
        assertThat(update(2, v3, List.of())).isTrue();

        assertSameInstance(store.find(v1.id()).orElseThrow(), v3);
    }

    // ---------------------------------------------------------------- history

    @Test
    void history_is_appended_in_order_across_writes() {
        SagaInstance v1 = order().build();
        SagaInstance v2 = SagaInstanceBuilder.from(v1).nextVersion().updatedAt(at(1)).build();
        SagaInstance v3 = SagaInstanceBuilder.from(v2).nextVersion().updatedAt(at(2))
                .status(SagaStatus.COMPENSATING).build();
        HistoryEntry start = started(v1);
        // Entries written together share a timestamp: the store must keep the order they were given in.
        HistoryEntry succeeded = entry(v2, SagaEventType.STEP_SUCCEEDED, "reserve-credit", 1, null, at(1));
        HistoryEntry retry = entry(v2, SagaEventType.STEP_RETRY_SCHEDULED, "approve-order", 1,
                "connection refused: «orders» service", at(1));
        HistoryEntry failed = entry(v3, SagaEventType.STEP_FAILED, "approve-order", 2, "declined \"twice\"", at(2));
        HistoryEntry aborted = entry(v3, SagaEventType.SAGA_ABORTED, null, 0, null, at(2));

        insert(v1, List.of(start));
        update(1, v2, List.of(succeeded, retry));
        update(2, v3, List.of(failed, aborted));

        assertThat(store.history(v1.id())).containsExactly(start, succeeded, retry, failed, aborted);
    }

    @Test
    void history_of_an_unknown_id_is_empty() {
        assertThat(store.history(UUID.randomUUID().toString())).isEmpty();
    }

    @Test
    void history_holds_only_its_own_instance() {
        SagaInstance first = order().build();
        SagaInstance second = order().build();

        insert(first, List.of(started(first)));
        insert(second, List.of(started(second)));

        assertThat(store.history(first.id())).containsExactly(started(first));
        assertThat(store.history(second.id())).containsExactly(started(second));
    }

    // ---------------------------------------------------------------- query

    @Test
    void query_by_status_returns_only_instances_in_those_statuses() {
        SagaInstance running = insert(order().status(SagaStatus.RUNNING).createdAt(at(1)));
        SagaInstance compensating = insert(order().status(SagaStatus.COMPENSATING).createdAt(at(2)));
        SagaInstance completed = insert(order().status(SagaStatus.COMPLETED).createdAt(at(3)));
        SagaInstance failed = insert(order().status(SagaStatus.FAILED).createdAt(at(4)));

        assertThat(ids(store.query(SagaQuery.withStatus(SagaStatus.RUNNING, SagaStatus.COMPENSATING)
                .sagaName(sagaName())))).containsExactly(running.id(), compensating.id());
        assertThat(ids(store.query(SagaQuery.withStatus(SagaStatus.FAILED).sagaName(sagaName()))))
                .containsExactly(failed.id());
        assertThat(ids(store.query(SagaQuery.withStatus(SagaStatus.COMPENSATED).sagaName(sagaName())))).isEmpty();
        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName())))).containsExactly(
                running.id(), compensating.id(), completed.id(), failed.id());
    }

    @Test
    void query_by_saga_name_returns_only_that_saga() {
        SagaInstance order = insert(order());
        SagaInstance trip = insert(SagaInstanceBuilder.of(otherSagaName()).fingerprint(fingerprint()));

        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName())))).containsExactly(order.id());
        assertThat(ids(store.query(SagaQuery.withStatus(SagaStatus.RUNNING).sagaName(otherSagaName()))))
                .containsExactly(trip.id());
    }

    @Test
    void query_by_updated_before_returns_only_instances_written_strictly_earlier() {
        SagaInstance old = insert(order().createdAt(at(-300)).updatedAt(at(-60)));
        SagaInstance older = insert(order().createdAt(at(-200)).updatedAt(at(-120)));
        insert(order().createdAt(at(-400)).updatedAt(at(0)));
        insert(order().updatedAt(at(60)));

        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName()).updatedBefore(at(0)))))
                .as("oldest first: by creation, not by update").containsExactly(old.id(), older.id());
    }

    @Test
    void query_results_are_ordered_by_creation_time_then_by_id() {
        List<SagaInstance> inserted = new ArrayList<>();
        // Three instances share one creation time, so their order is decided by id; update times run the
        // other way, so that an order by update would show.
        for (int seconds : new int[] {5, 1, 3, 1, 1, 2}) {
            inserted.add(insert(order().createdAt(at(seconds)).updatedAt(at(100 - seconds))));
        }
        List<String> expected = inserted.stream()
                .sorted(Comparator.comparing(SagaInstance::createdAt).thenComparing(SagaInstance::id))
                .map(SagaInstance::id)
                .toList();

        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName())))).containsExactlyElementsOf(expected);
    }

    @Test
    void query_returns_at_most_the_limit_oldest_first() {
        SagaInstance third = insert(order().createdAt(at(3)).updatedAt(at(7)));
        insert(order().createdAt(at(5)).updatedAt(at(5)));
        SagaInstance first = insert(order().createdAt(at(1)).updatedAt(at(9)));
        insert(order().createdAt(at(4)).updatedAt(at(6)));
        SagaInstance second = insert(order().createdAt(at(2)).updatedAt(at(8)));

        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName()).limit(3))))
                .containsExactly(first.id(), second.id(), third.id());
        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName()).limit(1)))).containsExactly(first.id());
    }

    @Test
    void query_sees_the_state_the_last_update_wrote() {
        SagaInstance instance = insert(order());
        SagaInstance completed = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(1))
                .status(SagaStatus.COMPLETED).build();

        update(1, completed, List.of(entry(completed, SagaEventType.SAGA_COMPLETED, null, 0, null, at(1))));

        assertThat(store.query(SagaQuery.withStatus(SagaStatus.RUNNING).sagaName(sagaName()))).isEmpty();
        List<SagaInstance> found = store.query(SagaQuery.withStatus(SagaStatus.COMPLETED).sagaName(sagaName()));
        assertThat(found).hasSize(1);
        assertSameInstance(found.get(0), completed);
    }

    // ---------------------------------------------------------------- claim

    @Test
    void claim_takes_unowned_live_instances_and_writes_owner_lease_and_a_new_version() {
        SagaInstance running = insert(order().status(SagaStatus.RUNNING).createdAt(at(1)).updatedAt(at(1)));
        SagaInstance compensating = insert(order().status(SagaStatus.COMPENSATING).createdAt(at(2)).updatedAt(at(2)));
        Instant now = at(10);

        List<SagaInstance> claimed = store.claim(claimBy("a", now, false, 10));

        assertThat(claimed).hasSize(2);
        SagaInstance expectedRunning = running.claimedBy(owner("a"), now.plus(LEASE), now);
        SagaInstance expectedCompensating = compensating.claimedBy(owner("a"), now.plus(LEASE), now);
        assertSameInstance(claimed.get(0), expectedRunning);
        assertSameInstance(claimed.get(1), expectedCompensating);
        assertSameInstance(store.find(running.id()).orElseThrow(), expectedRunning);
        assertSameInstance(store.find(compensating.id()).orElseThrow(), expectedCompensating);
        assertThat(store.find(running.id()).orElseThrow().version()).isEqualTo(2);
    }

    @Test
    void claim_takes_instances_whose_lease_has_run_out() {
        SagaInstance expired = insert(order().owner(owner("b"), at(5)));
        SagaInstance expiredEarlier = insert(order().owner(owner("c"), at(2)).createdAt(at(1)).updatedAt(at(1)));

        List<SagaInstance> claimed = store.claim(claimBy("a", at(10), false, 10));

        assertThat(ids(claimed)).containsExactly(expired.id(), expiredEarlier.id());
        assertThat(store.find(expired.id()).orElseThrow().owner()).isEqualTo(owner("a"));
        assertThat(store.find(expired.id()).orElseThrow().leaseUntil()).isEqualTo(at(10).plus(LEASE));
    }

    @Test
    void claim_skips_terminal_and_failed_instances() {
        SagaInstance completed = insert(order().status(SagaStatus.COMPLETED));
        SagaInstance compensated = insert(order().status(SagaStatus.COMPENSATED));
        SagaInstance failed = insert(order().status(SagaStatus.FAILED));
        SagaInstance failedExpired = insert(order().status(SagaStatus.FAILED).owner(owner("b"), at(1)));

        assertThat(store.claim(claimBy("a", at(10), true, 10))).isEmpty();

        for (SagaInstance untouched : List.of(completed, compensated, failed, failedExpired)) {
            assertSameInstance(store.find(untouched.id()).orElseThrow(), untouched);
        }
    }

    @Test
    void claim_skips_instances_whose_lease_has_not_run_out() {
        SagaInstance leased = insert(order().owner(owner("b"), at(20)));
        // A lease that ends exactly now still holds: only a lease before now has run out.
        SagaInstance endingNow = insert(order().owner(owner("b"), at(10)));

        assertThat(store.claim(claimBy("a", at(10), false, 10))).isEmpty();
        assertThat(store.claim(claimBy("a", at(10), true, 10))).isEmpty();

        assertSameInstance(store.find(leased.id()).orElseThrow(), leased);
        assertSameInstance(store.find(endingNow.id()).orElseThrow(), endingNow);
    }

    @Test
    void claim_takes_its_own_leased_instances_only_when_asked_to() {
        SagaInstance own = insert(order().owner(owner("a"), at(20)));

        assertThat(store.claim(claimBy("a", at(10), false, 10))).isEmpty();
        List<SagaInstance> claimed = store.claim(claimBy("a", at(10), true, 10));

        assertThat(claimed).hasSize(1);
        assertSameInstance(claimed.get(0), own.claimedBy(owner("a"), at(10).plus(LEASE), at(10)));
    }

    @Test
    void claim_takes_only_instances_whose_fingerprint_the_node_has() {
        SagaInstance known = insert(order().fingerprint(fingerprint()));
        SagaInstance unknown = insert(order().fingerprint(fingerprint() + "-v2"));

        clock.set(at(10));
        List<SagaInstance> claimed = store.claim(ClaimRequest.any(owner("a"), LEASE,
                Set.of(fingerprint(), "fp-not-used-" + run), false, 10));

        assertThat(ids(claimed)).containsExactly(known.id());
        assertSameInstance(store.find(unknown.id()).orElseThrow(), unknown);
        assertThat(store.claim(ClaimRequest.any(owner("a"), LEASE, Set.of(), false, 10))).isEmpty();
    }

    @Test
    void claim_takes_at_most_the_limit_oldest_first() {
        SagaInstance third = insert(order().createdAt(at(3)).updatedAt(at(7)));
        SagaInstance fifth = insert(order().createdAt(at(5)).updatedAt(at(5)));
        SagaInstance first = insert(order().createdAt(at(1)).updatedAt(at(9)));
        SagaInstance fourth = insert(order().createdAt(at(4)).updatedAt(at(6)));
        SagaInstance second = insert(order().createdAt(at(2)).updatedAt(at(8)));

        assertThat(ids(store.claim(claimBy("a", at(10), false, 2)))).containsExactly(first.id(), second.id());
        assertThat(store.find(third.id()).orElseThrow().owner()).isNull();
        assertThat(ids(store.claim(claimBy("b", at(10), false, 2)))).containsExactly(third.id(), fourth.id());
        assertThat(ids(store.claim(claimBy("c", at(10), false, 2)))).containsExactly(fifth.id());
    }

    @Test
    void a_claimed_instance_can_no_longer_be_updated_from_its_previous_version() {
        SagaInstance instance = insert(order().owner(owner("b"), at(5)));
        store.claim(claimBy("a", at(10), false, 10));
        SagaInstance fromTheOldOwner = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(11))
                .status(SagaStatus.COMPLETED).build();

        boolean written = update(1, fromTheOldOwner, List.of(entry(fromTheOldOwner,
                SagaEventType.SAGA_COMPLETED, null, 0, null, at(11))));

        assertThat(written).isFalse();
        SagaInstance stored = store.find(instance.id()).orElseThrow();
        assertThat(stored.owner()).isEqualTo(owner("a"));
        assertThat(stored.status()).isEqualTo(SagaStatus.RUNNING);
        assertThat(store.history(instance.id())).containsExactly(started(instance));
    }

    @Test
    void the_new_owner_updates_from_the_version_its_claim_wrote() {
        insert(order());
        SagaInstance claimed = store.claim(claimBy("a", at(10), false, 10)).get(0);
        SagaInstance next = SagaInstanceBuilder.from(claimed).nextVersion().updatedAt(at(11)).build();

        assertThat(update(claimed.version(), next, List.of(entry(next, SagaEventType.STEP_RESUMED,
                "reserve-credit", 2, null, at(11))))).isTrue();

        assertSameInstance(store.find(claimed.id()).orElseThrow(), next);
    }

    // ---------------------------------------------------------------- leases

    @Test
    void renew_leases_extends_only_that_owners_live_instances_and_keeps_versions() {
        SagaInstance running = insert(order().owner(owner("a"), at(30)));
        SagaInstance lapsed = insert(order().status(SagaStatus.COMPENSATING).owner(owner("a"), at(5)));
        SagaInstance completed = insert(order().status(SagaStatus.COMPLETED).owner(owner("a"), at(30)));
        SagaInstance failed = insert(order().status(SagaStatus.FAILED).owner(owner("a"), at(30)));
        SagaInstance others = insert(order().owner(owner("b"), at(30)));

        clock.set(at(60));
        LeaseRenewal renewal = store.renewLeases(node("a", "one"));

        assertThat(renewal).isEqualTo(new LeaseRenewal(true, 2));
        assertSameInstance(store.find(running.id()).orElseThrow(), running.withLease(owner("a"), at(90)));
        assertSameInstance(store.find(lapsed.id()).orElseThrow(), lapsed.withLease(owner("a"), at(90)));
        assertSameInstance(store.find(completed.id()).orElseThrow(), completed);
        assertSameInstance(store.find(failed.id()).orElseThrow(), failed);
        assertSameInstance(store.find(others.id()).orElseThrow(), others);
    }

    @Test
    void renew_leases_of_an_owner_with_no_instances_renews_nothing() {
        insert(order().owner(owner("a"), at(30)));

        assertThat(store.renewLeases(node("nobody", "one")).renewed()).isZero();
    }

    @Test
    void release_leases_clears_owner_and_lease_of_that_owners_live_instances_and_keeps_versions() {
        SagaInstance running = insert(order().owner(owner("a"), at(30)));
        SagaInstance compensating = insert(order().status(SagaStatus.COMPENSATING).owner(owner("a"), at(30)));
        SagaInstance completed = insert(order().status(SagaStatus.COMPLETED).owner(owner("a"), at(30)));
        SagaInstance others = insert(order().owner(owner("b"), at(30)));

        int released = store.releaseLeases(owner("a"));

        assertThat(released).isEqualTo(2);
        assertSameInstance(store.find(running.id()).orElseThrow(), running.withLease(null, null));
        assertSameInstance(store.find(compensating.id()).orElseThrow(), compensating.withLease(null, null));
        assertSameInstance(store.find(completed.id()).orElseThrow(), completed);
        assertSameInstance(store.find(others.id()).orElseThrow(), others);
        assertThat(store.releaseLeases(owner("a"))).isZero();
    }

    @Test
    void released_instances_can_be_claimed_at_once_by_another_node() {
        SagaInstance instance = insert(order().owner(owner("a"), at(30)));
        store.releaseLeases(owner("a"));

        List<SagaInstance> claimed = store.claim(claimBy("b", at(10), false, 10));

        assertThat(ids(claimed)).containsExactly(instance.id());
        assertThat(claimed.get(0).owner()).isEqualTo(owner("b"));
        assertThat(claimed.get(0).version()).isEqualTo(2);
    }


    // ---------------------------------------------------------------- the store's clock

    @Test
    void a_lease_is_written_and_compared_on_the_stores_clock_whatever_time_the_writer_thinks_it_is() {
        clock.set(at(100));
        // The writer's own idea of the time (updatedAt, a year off) plays no part in the lease.
        SagaInstance instance = order().updatedAt(at(100).plus(Duration.ofDays(365))).owner(owner("a"), null).build();
        assertThat(store.insert(InstanceWrite.of(instance, List.of(started(instance)), LEASE))).isTrue();

        assertThat(store.find(instance.id()).orElseThrow().leaseUntil()).isEqualTo(at(130));
        assertThat(store.now()).isEqualTo(at(100));
        assertThat(store.claim(claimBy("b", at(129), false, 10))).as("the lease still holds").isEmpty();
        assertThat(ids(store.claim(claimBy("b", at(131), false, 10)))).containsExactly(instance.id());
    }

    @Test
    void an_update_extends_the_writers_lease_from_the_stores_clock() {
        SagaInstance instance = insert(order().owner(owner("a"), at(30)));
        clock.set(at(20));
        SagaInstance next = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(20)).build();

        assertThat(store.update(1, InstanceWrite.of(next, List.of(), LEASE))).isTrue();

        assertThat(store.find(instance.id()).orElseThrow().leaseUntil()).isEqualTo(at(50));
    }

    @Test
    void a_finishing_write_without_an_owner_clears_the_lease() {
        SagaInstance instance = insert(order().owner(owner("a"), at(30)));
        SagaInstance completed = SagaInstanceBuilder.from(instance).nextVersion().status(SagaStatus.COMPLETED)
                .owner(null, null).updatedAt(at(1)).build();

        assertThat(store.update(1, InstanceWrite.of(completed, List.of(), null))).isTrue();

        SagaInstance stored = store.find(instance.id()).orElseThrow();
        assertThat(stored.owner()).isNull();
        assertThat(stored.leaseUntil()).isNull();
    }

    // ---------------------------------------------------------------- claims by id

    @Test
    void a_claim_of_given_ids_takes_those_that_are_unowned_expired_or_its_own_and_nothing_else() {
        SagaInstance unowned = insert(order());
        SagaInstance expired = insert(order().owner(owner("b"), at(5)));
        SagaInstance own = insert(order().owner(owner("a"), at(50)));
        SagaInstance othersLeased = insert(order().owner(owner("b"), at(50)));
        SagaInstance notAsked = insert(order());
        clock.set(at(10));

        List<SagaInstance> claimed = store.claim(ClaimRequest.of(owner("a"), LEASE, Set.of(fingerprint()),
                Set.of(unowned.id(), expired.id(), own.id(), othersLeased.id())));

        assertThat(ids(claimed)).containsExactlyInAnyOrder(unowned.id(), expired.id(), own.id());
        assertSameInstance(store.find(othersLeased.id()).orElseThrow(), othersLeased);
        assertSameInstance(store.find(notAsked.id()).orElseThrow(), notAsked);
        assertThat(store.find(own.id()).orElseThrow().version()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- node registrations

    @Test
    void registering_a_node_reports_who_held_its_id_and_whether_that_registration_had_run_out() {
        assertThat(store.registerNode(node("a", "first"))).isEqualTo(NodeRegistration.FIRST);

        clock.set(at(10));
        NodeRegistration second = store.registerNode(node("a", "second"));
        assertThat(second.previousIncarnation()).isEqualTo(node("a", "first").incarnation());
        assertThat(second.previousLeaseUntil()).isEqualTo(at(30));
        assertThat(second.previousLive()).as("registered 10 s ago with a 30 s lease").isTrue();

        clock.set(at(100));
        NodeRegistration third = store.registerNode(node("a", "third"));
        assertThat(third.previousIncarnation()).isEqualTo(node("a", "second").incarnation());
        assertThat(third.previousLive()).as("its lease ran out at 40 s").isFalse();
    }

    @Test
    void a_renewal_by_an_incarnation_that_lost_its_node_id_renews_nothing() {
        store.registerNode(node("a", "first"));
        SagaInstance instance = insert(order().owner(owner("a"), at(30)));
        store.registerNode(node("a", "second"));
        clock.set(at(20));

        assertThat(store.renewLeases(node("a", "first"))).isEqualTo(new LeaseRenewal(false, 0));
        assertSameInstance(store.find(instance.id()).orElseThrow(), instance);

        assertThat(store.renewLeases(node("a", "second"))).isEqualTo(new LeaseRenewal(true, 1));
        assertThat(store.find(instance.id()).orElseThrow().leaseUntil()).isEqualTo(at(50));
    }

    @Test
    void a_renewal_by_a_node_nobody_has_registered_registers_it() {
        SagaInstance instance = insert(order().owner(owner("a"), at(30)));

        assertThat(store.renewLeases(node("a", "only"))).isEqualTo(new LeaseRenewal(true, 1));
        assertThat(store.renewLeases(node("a", "another"))).as("the id is held now").isEqualTo(
                new LeaseRenewal(false, 0));
        assertThat(store.find(instance.id()).orElseThrow().version()).isEqualTo(1);
    }

    @Test
    void deregistering_frees_the_node_id_only_for_the_incarnation_that_holds_it() {
        store.registerNode(node("a", "first"));
        store.registerNode(node("a", "second"));

        store.deregisterNode(node("a", "first"));
        assertThat(store.renewLeases(node("a", "first")).nodeHeld()).as("second still holds it").isFalse();

        store.deregisterNode(node("a", "second"));
        assertThat(store.registerNode(node("a", "third"))).isEqualTo(NodeRegistration.FIRST);
    }

    // ---------------------------------------------------------------- recorded replies

    @Test
    void a_reply_is_recorded_once_per_instance_and_step_and_listed_until_a_write_consumes_it() {
        SagaInstance instance = insert(order());
        RecordedReply reply = new RecordedReply(instance.id(), "reserve-credit", true, "{\"approved\":true}", null,
                at(1));
        RecordedReply duplicate = new RecordedReply(instance.id(), "reserve-credit", false, null, "late no", at(2));
        RecordedReply other = new RecordedReply(instance.id(), "approve-order", false, null, "declined: «no»", at(3));

        assertThat(store.recordReply(reply)).isTrue();
        assertThat(store.recordReply(duplicate)).isFalse();
        assertThat(store.recordReply(other)).isTrue();
        assertThat(store.replies(instance.id())).containsExactly(reply, other);

        SagaInstance next = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(4)).build();
        SagaInstance stale = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(5)).build();
        assertThat(store.update(1, InstanceWrite.of(next, List.of(), null).consuming(Set.of("reserve-credit"))))
                .isTrue();
        assertThat(store.replies(instance.id())).containsExactly(other);

        assertThat(store.update(1, InstanceWrite.of(stale, List.of(), null).consuming(Set.of("approve-order"))))
                .as("a lost compare-and-set consumes nothing").isFalse();
        assertThat(store.replies(instance.id())).containsExactly(other);
    }

    @Test
    void a_reply_for_an_unknown_instance_is_not_recorded() {
        assertThat(store.recordReply(new RecordedReply(UUID.randomUUID().toString(), "s", true, null, null, at(1))))
                .isFalse();
        assertThat(store.replies(UUID.randomUUID().toString())).isEmpty();
    }

    // ---------------------------------------------------------------- purge

    @Test
    void purge_deletes_only_successfully_finished_instances_last_written_before_the_cut_with_their_history() {
        SagaInstance oldCompleted = insert(order().status(SagaStatus.COMPLETED).updatedAt(at(10)));
        SagaInstance oldCompensated = insert(order().status(SagaStatus.COMPENSATED).updatedAt(at(20)));
        SagaInstance recent = insert(order().status(SagaStatus.COMPLETED).updatedAt(at(100)));
        SagaInstance failed = insert(order().status(SagaStatus.FAILED).updatedAt(at(10)));
        SagaInstance running = insert(order().status(SagaStatus.RUNNING).updatedAt(at(10)));
        store.recordReply(new RecordedReply(oldCompleted.id(), "reserve-credit", true, null, null, at(11)));

        int purged = 0;
        int batch;
        do {
            batch = store.purgeFinished(at(50), 1);
            purged += batch;
        } while (batch > 0 && purged < 100);

        assertThat(store.find(oldCompleted.id())).isEmpty();
        assertThat(store.history(oldCompleted.id())).isEmpty();
        assertThat(store.replies(oldCompleted.id())).isEmpty();
        assertThat(store.find(oldCompensated.id())).isEmpty();
        assertThat(store.find(recent.id())).isPresent();
        assertThat(store.find(failed.id())).as("FAILED needs an operator").isPresent();
        assertThat(store.find(running.id())).isPresent();
        assertThat(store.history(recent.id())).containsExactly(started(recent));
    }

    // ---------------------------------------------------------------- counts and queries

    @Test
    void count_groups_the_selected_instances_by_saga_name_and_status() {
        insert(order().status(SagaStatus.RUNNING));
        insert(order().status(SagaStatus.RUNNING));
        insert(order().status(SagaStatus.FAILED));
        insert(SagaInstanceBuilder.of(otherSagaName()).fingerprint(fingerprint()).status(SagaStatus.COMPLETED));

        assertThat(store.count(SagaQuery.all().sagaName(sagaName()))).containsExactly(
                new SagaCount(sagaName(), SagaStatus.RUNNING, 2), new SagaCount(sagaName(), SagaStatus.FAILED, 1));
        assertThat(store.count(SagaQuery.withStatus(SagaStatus.COMPLETED).sagaName(otherSagaName())))
                .containsExactly(new SagaCount(otherSagaName(), SagaStatus.COMPLETED, 1));
        assertThat(store.count(SagaQuery.withStatus(SagaStatus.COMPENSATED).sagaName(sagaName()))).isEmpty();
    }

    @Test
    void query_by_creation_time_key_and_owner() {
        SagaInstance early = insert(order().createdAt(at(1)).idempotencyKey(key("early")).owner(owner("a"), at(60)));
        SagaInstance late = insert(order().createdAt(at(9)).owner(owner("b"), at(60)));

        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName()).createdBefore(at(5))))).containsExactly(
                early.id());
        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName()).idempotencyKey(key("early")))))
                .containsExactly(early.id());
        assertThat(ids(store.query(SagaQuery.all().sagaName(sagaName()).owner(owner("b"))))).containsExactly(late.id());
    }

    @Test
    void pages_follow_each_other_without_gaps_or_repeats_in_the_result_order() {
        List<SagaInstance> inserted = new ArrayList<>();
        for (int seconds : new int[] {4, 1, 1, 3, 2, 1, 5}) {
            inserted.add(insert(order().createdAt(at(seconds))));
        }
        List<String> expected = inserted.stream().sorted(SagaQuery.RESULT_ORDER).map(SagaInstance::id).toList();

        List<String> paged = new ArrayList<>();
        SagaQuery page = SagaQuery.all().sagaName(sagaName()).limit(3);
        List<SagaInstance> found;
        do {
            found = store.query(page);
            paged.addAll(ids(found));
            if (!found.isEmpty()) {
                page = page.after(found.get(found.size() - 1));
            }
        } while (found.size() == 3);

        assertThat(paged).containsExactlyElementsOf(expected);
    }

    // ---------------------------------------------------------------- what every store refuses

    @Test
    void live_data_that_cannot_be_serialised_is_refused_and_nothing_is_written() {
        org.junit.jupiter.api.Assumptions.assumeFalse(keepsLiveObjects(), "this store keeps live objects");
        SagaInstance instance = order().data(SagaData.ofValue(new Unserialisable(), CODEC)).build();

        assertThatThrownBy(() -> insert(instance, List.of(started(instance))))
                .isInstanceOf(dev.sagaflow.SagaDataException.class);

        assertThat(store.find(instance.id())).isEmpty();
        assertThat(store.history(instance.id())).isEmpty();
    }

    @Test
    void a_write_whose_history_or_messages_belong_to_another_instance_is_refused_before_it_reaches_a_store() {
        SagaInstance instance = order().build();
        SagaInstance other = order().build();

        assertThatThrownBy(() -> InstanceWrite.of(instance, List.of(started(other)), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(other.id());
        assertThat(store.find(instance.id())).isEmpty();
    }

    // ---------------------------------------------------------------- concurrency

    @Test
    void concurrent_updates_from_the_same_version_have_exactly_one_winner() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            concurrentUpdatesHaveOneWinner();
        }
    }

    private void concurrentUpdatesHaveOneWinner() throws Exception {
        SagaInstance instance = insert(order());

        List<SagaInstance> written = race(THREADS, n -> {
            SagaInstance next = SagaInstanceBuilder.from(instance).nextVersion().updatedAt(at(1))
                    .error("writer " + n).build();
            boolean won = update(1, next, List.of(entry(next, SagaEventType.STEP_SUCCEEDED, "reserve-credit",
                    1, "writer " + n, at(1))));
            return won ? next : null;
        }).stream().filter(next -> next != null).toList();

        assertThat(written).hasSize(1);
        SagaInstance winner = written.get(0);
        assertSameInstance(store.find(instance.id()).orElseThrow(), winner);
        assertThat(store.history(instance.id())).containsExactly(started(instance),
                entry(winner, SagaEventType.STEP_SUCCEEDED, "reserve-credit", 1, winner.error(), at(1)));
    }

    @Test
    void concurrent_claims_take_every_instance_exactly_once() throws Exception {
        List<String> inserted = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            inserted.add(insert(order().updatedAt(at(i % 7))).id());
        }

        List<List<SagaInstance>> claimedPerNode = race(THREADS, n -> {
            List<SagaInstance> mine = new ArrayList<>();
            List<SagaInstance> batch;
            do {
                batch = store.claim(claimBy("node-" + n, at(100), false, 3));
                mine.addAll(batch);
            } while (!batch.isEmpty());
            return mine;
        });

        List<String> claimedIds = claimedPerNode.stream().flatMap(Collection::stream).map(SagaInstance::id).toList();
        assertThat(claimedIds).hasSize(inserted.size()).containsExactlyInAnyOrderElementsOf(inserted);
        for (int n = 0; n < THREADS; n++) {
            for (SagaInstance claimed : claimedPerNode.get(n)) {
                SagaInstance stored = store.find(claimed.id()).orElseThrow();
                assertThat(stored.owner()).isEqualTo(owner("node-" + n));
                assertThat(stored.version()).isEqualTo(2);
            }
        }
    }

    @Test
    void concurrent_inserts_with_the_same_idempotency_key_have_exactly_one_winner() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            concurrentInsertsHaveOneWinner(key("same-" + round));
        }
        assertThat(store.query(SagaQuery.all().sagaName(sagaName()))).hasSize(ROUNDS);
    }

    private void concurrentInsertsHaveOneWinner(String key) throws Exception {
        List<SagaInstance> candidates = IntStream.range(0, THREADS)
                .mapToObj(n -> order().idempotencyKey(key).json("{\"writer\":" + n + "}").build())
                .toList();

        List<Boolean> results = race(THREADS, n -> insert(candidates.get(n), List.of(started(candidates.get(n)))));

        assertThat(results).containsOnlyOnce(true);
        SagaInstance winner = candidates.get(results.indexOf(true));
        assertSameInstance(store.findByIdempotencyKey(sagaName(), key).orElseThrow(), winner);
        for (SagaInstance candidate : candidates) {
            if (candidate != winner) {
                assertThat(store.history(candidate.id())).isEmpty();
            }
        }
    }

    // ---------------------------------------------------------------- fixtures

    /**
     * Runs {@code task(0)} to {@code task(threads - 1)} on as many threads, released together. The
     * threads spin for the brief moment until all are ready: threads woken from a latch start too far
     * apart to race on an in-memory store.
     */
    private static <T> List<T> race(int threads, IntFunction<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            AtomicBoolean go = new AtomicBoolean();
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    while (!go.get()) {
                        Thread.onSpinWait();
                    }
                    return task.apply(n);
                }));
            }
            ready.await();
            go.set(true);
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private String sagaName() {
        return "order-" + run;
    }

    private String otherSagaName() {
        return "trip-" + run;
    }

    private String fingerprint() {
        return "fp-" + run;
    }

    private String owner(String name) {
        return name + "-" + run;
    }

    private String key(String name) {
        return name + "-" + run;
    }

    private NodeLease node(String name, String incarnation) {
        return new NodeLease(owner(name), incarnation + "-" + run, LEASE);
    }

    private static Instant at(int secondsAfterT0) {
        return T0.plusSeconds(secondsAfterT0);
    }

    /** An instance of this test's saga with this test's fingerprint. */
    private SagaInstanceBuilder order() {
        return SagaInstanceBuilder.of(sagaName()).fingerprint(fingerprint());
    }

    private SagaInstance insert(SagaInstanceBuilder builder) {
        SagaInstance instance = builder.build();
        assertThat(insert(instance, List.of(started(instance)))).isTrue();
        return instance;
    }

    /** Inserts {@code instance}, its owner leasing until its {@code leaseUntil} on the store's clock. */
    private boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        return atLeaseStart(instance, lease -> store.insert(new InstanceWrite(instance, history, lease, Set.of(),
                List.of())));
    }

    /** Updates to {@code next}, its owner leasing until its {@code leaseUntil} on the store's clock. */
    private boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        return atLeaseStart(next, lease -> store.update(expectedVersion, new InstanceWrite(next, history, lease,
                Set.of(), List.of())));
    }

    /**
     * Writes with the lease that makes the store's expiry the instance's {@code leaseUntil}: from the store
     * clock's reading, or, for a lease that ends before that reading, from just before its end.
     */
    private boolean atLeaseStart(SagaInstance instance, java.util.function.Function<Duration, Boolean> write) {
        if (instance.owner() == null) {
            return write.apply(null);
        }
        Instant until = Objects.requireNonNull(instance.leaseUntil(), "an owned instance needs a lease in this suite");
        Instant now = clock.instant();
        if (until.isAfter(now)) {
            return write.apply(Duration.between(now, until));
        }
        clock.set(until.minusSeconds(1));
        try {
            return write.apply(Duration.ofSeconds(1));
        } finally {
            clock.set(now);
        }
    }

    /**
     * A claim by this test's node {@code name} for this test's fingerprint at {@code now} on the store's clock,
     * leasing for {@link #LEASE}.
     */
    private ClaimRequest claimBy(String name, Instant now, boolean includeOwn, int limit) {
        clock.set(now);
        return ClaimRequest.any(owner(name), LEASE, Set.of(fingerprint()), includeOwn, limit);
    }

    private static HistoryEntry started(SagaInstance instance) {
        return new HistoryEntry(instance.id(), instance.createdAt(), SagaEventType.SAGA_STARTED, null, 0, null);
    }

    private static HistoryEntry entry(SagaInstance instance, SagaEventType type, String step, int attempt,
            String detail, Instant at) {
        return new HistoryEntry(instance.id(), at, type, step, attempt, detail);
    }

    private static List<String> ids(List<SagaInstance> instances) {
        return instances.stream().map(SagaInstance::id).collect(Collectors.toList());
    }

    /** Every field equal, and the data as exactly the same JSON text ({@link SagaData} has no equals). */
    protected static void assertSameInstance(SagaInstance actual, SagaInstance expected) {
        assertThat(actual.data().json()).as("data of %s", expected.id()).isEqualTo(expected.data().json());
        assertThat(actual).usingRecursiveComparison().ignoringFields("data").isEqualTo(expected);
    }

    /** Saga data as a record, to store live data through the test codec. */
    record Order(String id, long cents, List<String> items) {
    }

    /** Data Jackson cannot write: it has no properties. */
    static final class Unserialisable {
        @Override
        public String toString() {
            return "Unserialisable";
        }
    }
}
