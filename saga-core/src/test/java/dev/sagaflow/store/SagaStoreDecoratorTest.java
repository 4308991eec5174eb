package dev.sagaflow.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.sagaflow.store.memory.InMemorySagaStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A decorator shows the runtime exactly the capabilities of the store it decorates, and sees what it overrides. */
class SagaStoreDecoratorTest {

    /** A decorator that counts local-step writes. */
    private static final class Counting extends SagaStoreDecorator {
        final AtomicInteger localWrites = new AtomicInteger();

        Counting(SagaStore delegate) {
            super(delegate);
        }

        @Override
        protected boolean updateWithLocalWork(long expectedVersion, TransactionalSagaStore.LocalWork work) {
            localWrites.incrementAndGet();
            return super.updateWithLocalWork(expectedVersion, work);
        }
    }

    private interface TransactionalOutboxStore extends TransactionalSagaStore, OutboxStore {
    }

    @Test
    void a_plain_store_stays_plain() {
        SagaStore plain = mock(SagaStore.class);

        SagaStore decorated = new Counting(plain).asStore();

        assertThat(decorated).isNotInstanceOf(TransactionalSagaStore.class).isNotInstanceOf(OutboxStore.class);
    }

    @Test
    void a_store_with_an_outbox_keeps_it_and_relay_calls_reach_it() {
        InMemorySagaStore store = InMemorySagaStore.builder().clock(new SettableClock(SagaInstanceBuilder.T0)).build();

        SagaStore decorated = new Counting(store).asStore();

        assertThat(decorated).isInstanceOf(OutboxStore.class).isNotInstanceOf(TransactionalSagaStore.class);
        assertThat(((OutboxStore) decorated).claimOutbox("relay", Duration.ofSeconds(1), 10)).isEmpty();
        assertThat(decorated.now()).isEqualTo(SagaInstanceBuilder.T0);
    }

    @Test
    void a_transactional_store_stays_transactional_and_local_writes_pass_through_the_decorator() {
        TransactionalSagaStore store = mock(TransactionalSagaStore.class);
        when(store.updateWithLocalWork(anyLong(), any())).thenReturn(true);
        Counting counting = new Counting(store);

        SagaStore decorated = counting.asStore();

        assertThat(decorated).isInstanceOf(TransactionalSagaStore.class).isNotInstanceOf(OutboxStore.class);
        assertThat(((TransactionalSagaStore) decorated).updateWithLocalWork(3, c -> null)).isTrue();
        assertThat(counting.localWrites).hasValue(1);
        verify(store).updateWithLocalWork(anyLong(), any());
    }

    @Test
    void a_transactional_store_with_an_outbox_keeps_both() {
        TransactionalOutboxStore store = mock(TransactionalOutboxStore.class);
        when(store.failedOutbox(5)).thenReturn(List.of());

        SagaStore decorated = new Counting(store).asStore();

        assertThat(decorated).isInstanceOf(TransactionalSagaStore.class).isInstanceOf(OutboxStore.class);
        assertThat(((OutboxStore) decorated).failedOutbox(5)).isEmpty();
        verify(store).failedOutbox(5);
    }
}
