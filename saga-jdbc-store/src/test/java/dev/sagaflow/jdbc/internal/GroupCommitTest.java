package dev.sagaflow.jdbc.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The batching itself, without a database: who writes what, and that nobody waits forever. */
class GroupCommitTest {
    private final ExecutorService threads = Executors.newFixedThreadPool(8);

    @AfterEach
    void stop() {
        threads.shutdownNow();
    }

    static final class Write extends GroupCommit.Pending {
        final Object key;
        volatile boolean written;

        Write(Object key) {
            this.key = key;
        }

        @Override
        protected List<Object> conflictKeys() {
            return List.of(key);
        }
    }

    @Test
    void a_lone_write_is_written_at_once_by_its_own_caller() {
        List<List<Write>> batches = new ArrayList<>();
        GroupCommit<Write> commit = new GroupCommit<>(8, 0, 1, batch -> {
            batches.add(batch);
            batch.forEach(w -> {
                w.written = true;
                w.finish();
            });
        });
        Write write = new Write("a");

        commit.submit(write);

        assertThat(write.written).isTrue();
        assertThat(batches).hasSize(1);
    }

    @Test
    void writes_that_arrive_while_a_batch_is_written_form_the_next_batch_and_conflicting_ones_never_share_one()
            throws Exception {
        CountDownLatch firstBatchStarted = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Object>> batches = new CopyOnWriteArrayList<>();
        GroupCommit<Write> commit = new GroupCommit<>(8, 0, 1, batch -> {
            batches.add(batch.stream().map(w -> w.key).toList());
            firstBatchStarted.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batch.forEach(w -> {
                w.written = true;
                w.finish();
            });
        });
        Future<?> first = threads.submit(() -> commit.submit(new Write("x")));
        assertThat(firstBatchStarted.await(10, TimeUnit.SECONDS)).isTrue();
        List<Write> waiting = List.of(new Write("a"), new Write("b"), new Write("a"));
        List<Future<?>> futures = new ArrayList<>();
        for (Write write : waiting) {
            futures.add(threads.submit(() -> commit.submit(write)));
        }

        release.countDown();
        first.get(10, TimeUnit.SECONDS);
        for (Future<?> future : futures) {
            future.get(10, TimeUnit.SECONDS);
        }

        assertThat(waiting).allMatch(w -> w.written);
        assertThat(batches.get(0)).containsExactly("x");
        assertThat(batches).allSatisfy(batch -> assertThat(batch).doesNotHaveDuplicates());
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(4);
    }

    @Test
    void a_writer_that_throws_fails_its_leader_and_the_next_write_still_gets_a_leader() throws Exception {
        AtomicBoolean broken = new AtomicBoolean(true);
        GroupCommit<Write> commit = new GroupCommit<>(8, 0, 1, batch -> {
            if (broken.getAndSet(false)) {
                throw new IllegalStateException("writer bug");
            }
            batch.forEach(w -> {
                w.written = true;
                w.finish();
            });
        });
        Write failed = new Write("a");

        assertThatThrownBy(() -> commit.submit(failed)).hasMessage("writer bug");
        assertThat(failed.isDone()).isTrue();
        assertThat(failed.written).isFalse();

        Write next = new Write("b");
        threads.submit(() -> commit.submit(next)).get(10, TimeUnit.SECONDS);
        assertThat(next.written).isTrue();
    }
}
