package dev.sagaflow.store.memory;

import static dev.sagaflow.store.SagaInstanceBuilder.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.JsonTestCodec;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaInstanceBuilder;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.SagaStoreCompatibilityTest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The compatibility suite on the default (round-trip) store and, nested, on the store that keeps
 * live objects; then what only the in-memory store does.
 */
class InMemorySagaStoreTest extends SagaStoreCompatibilityTest {
    private static final JsonTestCodec CODEC = new JsonTestCodec();

    @Override
    protected SagaStore createStore(Clock clock) {
        return InMemorySagaStore.builder().clock(clock).build();
    }

    @Nested
    class WithoutSerialization extends SagaStoreCompatibilityTest {
        @Override
        protected SagaStore createStore(Clock clock) {
            return InMemorySagaStore.builder().serialization(false).clock(clock).build();
        }

        @Override
        protected boolean keepsLiveObjects() {
            return true;
        }
    }

    @Nested
    class WithUnboundedRetention extends SagaStoreCompatibilityTest {
        @Override
        protected SagaStore createStore(Clock clock) {
            return InMemorySagaStore.builder().retainFinished(Integer.MAX_VALUE).clock(clock).build();
        }
    }

    // ---------------------------------------------------------------- retention of finished instances

    @Test
    void bounded_retention_forgets_the_oldest_finished_instances_with_history_and_key_but_never_failed_or_live() {
        InMemorySagaStore store = InMemorySagaStore.builder().serialization(false).retainFinished(2).build();
        SagaInstance failed = finish(store, "failed", SagaStatus.FAILED);
        SagaInstance first = finish(store, "first", SagaStatus.COMPLETED);
        SagaInstance live = insert(store, "live");
        SagaInstance second = finish(store, "second", SagaStatus.COMPENSATED);
        SagaInstance third = finish(store, "third", SagaStatus.COMPLETED);

        assertThat(store.find(first.id())).as("finished longest ago").isEmpty();
        assertThat(store.history(first.id())).isEmpty();
        assertThat(store.findByIdempotencyKey("order", "first")).isEmpty();
        assertThat(store.find(second.id())).isPresent();
        assertThat(store.find(third.id())).isPresent();
        assertThat(store.find(failed.id())).as("FAILED needs an operator").isPresent();
        assertThat(store.find(live.id())).isPresent();
        assertThat(store.size()).isEqualTo(4);
        assertThat(store.toString()).contains("retainFinished=2");

        SagaInstance again = instance(SagaData.ofJson("{}")).idempotencyKey("first").build();
        assertThat(store.insert(again, List.of(started(again)))).as("a forgotten key starts a new saga").isTrue();
    }

    @Test
    void an_instance_inserted_already_finished_counts_against_the_retention_bound() {
        InMemorySagaStore store = InMemorySagaStore.builder().serialization(false).retainFinished(1).build();
        SagaInstance first = instance(SagaData.ofJson("{}")).idempotencyKey("first").status(SagaStatus.COMPLETED)
                .owner(null, null).build();
        store.insert(first, List.of(started(first)));
        SagaInstance failed = instance(SagaData.ofJson("{}")).status(SagaStatus.FAILED).owner(null, null).build();
        store.insert(failed, List.of(started(failed)));
        assertThat(store.find(first.id())).as("within the bound").isPresent();

        SagaInstance second = instance(SagaData.ofJson("{}")).status(SagaStatus.COMPENSATED).owner(null, null).build();
        store.insert(second, List.of(started(second)));

        assertThat(store.find(first.id())).as("finished longest ago").isEmpty();
        assertThat(store.findByIdempotencyKey("order", "first")).isEmpty();
        assertThat(store.find(second.id())).isPresent();
        assertThat(store.find(failed.id())).isPresent();
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void clear_starts_the_retention_count_afresh() {
        InMemorySagaStore store = InMemorySagaStore.builder().serialization(false).retainFinished(2).build();
        finish(store, "old-1", SagaStatus.COMPLETED);
        finish(store, "old-2", SagaStatus.COMPLETED);

        store.clear();
        SagaInstance first = finish(store, "new-1", SagaStatus.COMPLETED);
        SagaInstance second = finish(store, "new-2", SagaStatus.COMPENSATED);

        assertThat(store.find(first.id())).as("two finished since the clear, within the bound of two").isPresent();
        assertThat(store.find(second.id())).isPresent();
        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void bounded_retention_under_concurrent_writers_keeps_every_failed_and_live_instance() throws Exception {
        InMemorySagaStore store = InMemorySagaStore.builder().serialization(false).retainFinished(100).build();
        int threads = 8;
        int perThread = 500;
        List<String> kept = Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        String key = thread + "-" + i;
                        if (i % 10 == 0) {
                            kept.add(finish(store, key, SagaStatus.FAILED).id());
                        } else if (i % 7 == 0) {
                            kept.add(insert(store, key).id());
                        } else {
                            finish(store, key, i % 2 == 0 ? SagaStatus.COMPLETED : SagaStatus.COMPENSATED);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : done) {
                future.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        for (String id : kept) {
            assertThat(store.find(id)).as("instance %s", id).isPresent();
        }
        long finished = store.query(SagaQuery.withStatus(SagaStatus.COMPLETED, SagaStatus.COMPENSATED).limit(10_000))
                .size();
        assertThat(finished).isLessThanOrEqualTo(100).isGreaterThan(100 - threads);
        assertThat(store.size()).isEqualTo(kept.size() + finished);
    }

    @Test
    void retention_is_bounded_by_default_and_unbounded_on_request_and_a_negative_bound_is_refused() {
        InMemorySagaStore bounded = InMemorySagaStore.create();
        InMemorySagaStore unbounded = InMemorySagaStore.builder().retainFinished(Integer.MAX_VALUE).build();
        int finished = InMemorySagaStore.DEFAULT_RETAIN_FINISHED + 5;
        for (int i = 0; i < finished; i++) {
            finish(bounded, "k" + i, SagaStatus.COMPLETED);
            finish(unbounded, "k" + i, SagaStatus.COMPLETED);
        }

        assertThat(bounded.size()).isEqualTo(InMemorySagaStore.DEFAULT_RETAIN_FINISHED);
        assertThat(bounded.findByIdempotencyKey("order", "k0")).as("the oldest finished").isEmpty();
        assertThat(unbounded.size()).isEqualTo(finished);
        assertThatThrownBy(() -> InMemorySagaStore.builder().retainFinished(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retainFinished");
    }

    private static SagaInstance insert(InMemorySagaStore store, String key) {
        SagaInstance instance = instance(SagaData.ofJson("{}")).idempotencyKey(key).build();
        assertThat(store.insert(instance, List.of(started(instance)))).isTrue();
        return instance;
    }

    private static SagaInstance finish(InMemorySagaStore store, String key, SagaStatus status) {
        SagaInstance instance = insert(store, key);
        SagaInstance done = SagaInstanceBuilder.from(instance).nextVersion().status(status).owner(null, null).build();
        assertThat(store.update(1, done, List.of())).isTrue();
        return done;
    }

    // ---------------------------------------------------------------- round-trip (the default)

    @Test
    void insert_of_data_that_cannot_be_serialised_throws_and_writes_nothing() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofValue(new NoProperties(), CODEC)).idempotencyKey("k-1").build();

        assertThatThrownBy(() -> store.insert(instance, List.of(started(instance))))
                .isInstanceOf(SagaDataException.class)
                .hasMessageContaining(NoProperties.class.getName())
                .hasMessageContaining(instance.id())
                .hasMessageContaining("order");

        assertThat(store.size()).isZero();
        assertThat(store.history(instance.id())).isEmpty();
        // The idempotency key was not taken by the failed insert.
        SagaInstance retry = SagaInstanceBuilder.from(instance).data(SagaData.ofJson("{}")).build();
        assertThat(store.insert(retry, List.of(started(retry)))).isTrue();
    }

    @Test
    void insert_of_data_that_serialises_but_cannot_be_read_back_throws_and_writes_nothing() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofValue(new NoDefaultConstructor("o-1", 3), CODEC)).build();

        assertThatThrownBy(() -> store.insert(instance, List.of(started(instance))))
                .isInstanceOf(SagaDataException.class)
                .hasMessageContaining("cannot be read back")
                .satisfies(e -> assertThat(((SagaDataException) e).sagaId()).isEqualTo(instance.id()));

        assertThat(store.find(instance.id())).isEmpty();
    }

    @Test
    void update_of_data_that_cannot_be_read_back_throws_and_keeps_the_previous_state() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofValue(new Mutable("o-1", 1), CODEC)).build();
        store.insert(instance, List.of(started(instance)));
        SagaInstance next = SagaInstanceBuilder.from(instance).nextVersion()
                .data(SagaData.ofValue(new NoDefaultConstructor("o-1", 2), CODEC)).build();

        assertThatThrownBy(() -> store.update(1, next, List.of(started(next))))
                .isInstanceOf(SagaDataException.class);

        SagaInstance stored = store.find(instance.id()).orElseThrow();
        assertThat(stored.version()).isEqualTo(1);
        assertThat(stored.data().json()).isEqualTo("{\"orderId\":\"o-1\",\"count\":1}");
        assertThat(store.history(instance.id())).containsExactly(started(instance));
    }

    @Test
    void every_read_returns_text_only_data() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofValue(new Mutable("o-1", 1), CODEC)).idempotencyKey("k").build();
        store.insert(instance, List.of(started(instance)));

        assertThat(store.find(instance.id()).orElseThrow().data().hasValue()).isFalse();
        assertThat(store.findByIdempotencyKey("order", "k").orElseThrow().data().hasValue()).isFalse();
        assertThat(store.query(SagaQuery.all()).get(0).data().hasValue()).isFalse();
        List<SagaInstance> claimed = store.claim(new ClaimRequest("node", T0, T0.plusSeconds(30), Set.of("fp"),
                false, 10));
        assertThat(claimed.get(0).data().hasValue()).isFalse();
        assertThat(claimed.get(0).data().json()).isEqualTo("{\"orderId\":\"o-1\",\"count\":1}");
    }

    @Test
    void changing_the_callers_object_after_a_write_does_not_change_the_stored_data() {
        InMemorySagaStore store = InMemorySagaStore.create();
        Mutable data = new Mutable("o-1", 1);
        SagaInstance instance = instance(SagaData.ofValue(data, CODEC)).build();
        store.insert(instance, List.of(started(instance)));

        data.count = 99;

        Mutable read = store.find(instance.id()).orElseThrow().data().decode(Mutable.class, CODEC);
        assertThat(read).isNotSameAs(data);
        assertThat(read.count).isEqualTo(1);
    }

    // ---------------------------------------------------------------- without serialisation

    @Test
    void without_serialisation_the_store_keeps_the_very_object_it_was_given() {
        InMemorySagaStore store = InMemorySagaStore.withoutSerialization();
        Mutable data = new Mutable("o-1", 1);
        SagaInstance instance = instance(SagaData.ofValue(data, CODEC)).build();
        store.insert(instance, List.of(started(instance)));

        SagaData stored = store.find(instance.id()).orElseThrow().data();

        assertThat(stored.hasValue()).isTrue();
        assertThat(stored.decode(Mutable.class, CODEC)).isSameAs(data);
    }

    @Test
    void without_serialisation_data_that_would_not_serialise_is_accepted() {
        InMemorySagaStore store = InMemorySagaStore.withoutSerialization();
        NoProperties data = new NoProperties();
        SagaInstance instance = instance(SagaData.ofValue(data, CODEC)).build();

        assertThat(store.insert(instance, List.of(started(instance)))).isTrue();

        assertThat(store.find(instance.id()).orElseThrow().data().decode(NoProperties.class, CODEC)).isSameAs(data);
    }

    // ---------------------------------------------------------------- caller bugs

    @Test
    void insert_of_an_instance_whose_version_is_not_one_is_rejected() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofJson("{}")).version(2).build();

        assertThatThrownBy(() -> store.insert(instance, List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("version 1");
        assertThat(store.size()).isZero();
    }

    @Test
    void history_entries_of_another_instance_are_rejected() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofJson("{}")).build();
        SagaInstance other = instance(SagaData.ofJson("{}")).build();

        assertThatThrownBy(() -> store.insert(instance, List.of(started(other))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(store.size()).isZero();
    }

    @Test
    void an_update_that_changes_the_idempotency_key_is_rejected() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofJson("{}")).idempotencyKey("k-1").build();
        store.insert(instance, List.of(started(instance)));
        SagaInstance next = SagaInstanceBuilder.from(instance).nextVersion().idempotencyKey("k-2").build();

        assertThatThrownBy(() -> store.update(1, next, List.of())).isInstanceOf(IllegalArgumentException.class);

        assertThat(store.find(instance.id()).orElseThrow().version()).isEqualTo(1);
        assertThat(store.findByIdempotencyKey("order", "k-1")).isPresent();
    }

    // ---------------------------------------------------------------- size and clear

    @Test
    void size_counts_instances_in_every_status() {
        InMemorySagaStore store = InMemorySagaStore.create();
        store.insert(instance(SagaData.ofJson("{}")).build(), List.of());
        store.insert(instance(SagaData.ofJson("{}")).status(SagaStatus.COMPLETED).build(), List.of());

        assertThat(store.size()).isEqualTo(2);
    }

    @Test
    void clear_removes_instances_history_and_idempotency_keys_and_fences_their_writers() {
        InMemorySagaStore store = InMemorySagaStore.create();
        SagaInstance instance = instance(SagaData.ofJson("{}")).idempotencyKey("k-1").build();
        store.insert(instance, List.of(started(instance)));

        store.clear();

        assertThat(store.size()).isZero();
        assertThat(store.find(instance.id())).isEmpty();
        assertThat(store.history(instance.id())).isEmpty();
        assertThat(store.update(1, SagaInstanceBuilder.from(instance).nextVersion().build(), List.of())).isFalse();
        assertThat(store.insert(instance, List.of(started(instance)))).isTrue();
    }

    @Test
    void to_string_names_the_data_mode() {
        assertThat(InMemorySagaStore.create()).hasToString(
                "InMemorySagaStore[serialization=round-trip, retainFinished=10000, instances=0]");
        assertThat(InMemorySagaStore.builder().retainFinished(Integer.MAX_VALUE).maxDataLength(100).build())
                .hasToString("InMemorySagaStore[serialization=round-trip, retainFinished=all, maxDataLength=100,"
                        + " instances=0]");
        assertThat(InMemorySagaStore.withoutSerialization().toString()).contains("live objects");
    }

    // ---------------------------------------------------------------- fixtures

    private static SagaInstanceBuilder instance(SagaData data) {
        return SagaInstanceBuilder.of("order").fingerprint("fp").data(data);
    }

    private static HistoryEntry started(SagaInstance instance) {
        return new HistoryEntry(instance.id(), instance.createdAt(), SagaEventType.SAGA_STARTED, null, 0, null);
    }

    /** Jackson has nothing to write for it and refuses (FAIL_ON_EMPTY_BEANS). */
    static final class NoProperties {
        @SuppressWarnings("unused")
        private final int hidden = 1;
    }

    /** Serialises through its getters, but Jackson has no constructor to read it back with. */
    public static final class NoDefaultConstructor {
        private final String orderId;
        private final int count;

        public NoDefaultConstructor(String orderId, int count) {
            this.orderId = orderId;
            this.count = count;
        }

        public String getOrderId() {
            return orderId;
        }

        public int getCount() {
            return count;
        }
    }

    /** A mutable bean, as hosts often use for saga data. */
    public static final class Mutable {
        public String orderId;
        public int count;

        public Mutable() {
        }

        Mutable(String orderId, int count) {
            this.orderId = orderId;
            this.count = count;
        }
    }
}
