package dev.sagaflow.faults;

import java.time.Clock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.sagaflow.faults.FaultRun.NodeFault;
import dev.sagaflow.store.SagaStore;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Random saga shapes (see {@link ShapeGenerator}), each run once without a crash and once with the
 * node deaths its seed picks, checked against the {@link Invariants}. Seeds are fixed (case
 * {@code i} has seed {@link FaultSettings#BASE_SEED} + i) and printed in every failure, with the
 * property that replays that one case. A store's test extends this class. Published in saga-core's
 * test-jar.
 */
public abstract class AbstractRandomSagaTest {
    private static final AtomicInteger CASES = new AtomicInteger();
    private static final AtomicInteger CRASHES = new AtomicInteger();

    /** An empty store for one run. */
    protected abstract SagaStore emptyStore(Clock storeClock);

    /** How many random cases the normal build runs on this store. */
    protected abstract int normalCases();

    @TestFactory
    Stream<DynamicTest> random_sagas_end_correctly_whatever_fails_and_wherever_nodes_die() {
        Long replay = FaultSettings.replaySeed();
        LongStream seeds = replay != null ? LongStream.of(replay)
                : LongStream.range(0, FaultSettings.randomCases(normalCases())).map(i -> FaultSettings.BASE_SEED + i);
        return seeds.mapToObj(seed -> dynamicTest("seed " + seed, () -> runCase(seed)));
    }

    private void runCase(long seed) {
        Random random = new Random(seed);
        SagaShape shape = ShapeGenerator.shape(random, "random-" + seed);
        String replay = "seed " + seed + " (replay: -Dsagaflow.random.seed=" + seed + ")";
        FaultRun.Result clean = new FaultRun(shape, this::emptyStore, "random-" + seed).run(List.of());
        assertThat(clean.violations()).as("%s, without a crash; what happened:%n%s", replay, clean.report()).isEmpty();
        assertThat(shape.expectedStatuses(0)).as("%s: the oracle is exact without crashes", replay).hasSize(1);
        List<NodeFault> crashes = ShapeGenerator.crashes(random, clean.firstNodeCalls().size());
        CASES.incrementAndGet();
        if (crashes.isEmpty()) {
            return;
        }
        FaultRun.Result result = new FaultRun(shape, this::emptyStore, "random-" + seed).run(crashes);
        CRASHES.addAndGet(result.faultsReached());
        // The first node dies at one of the writes it makes without a crash, so that death always happens; a
        // second one may not (the recovering node can finish the saga in fewer writes than the one picked).
        assertThat(result.faultsReached()).as("%s: crashes %s reached", replay, crashes)
                .isBetween(1, crashes.size());
        assertThat(result.violations()).as("%s, with crashes %s; what happened:%n%s", replay, crashes, result.report())
                .isEmpty();
    }

    @AfterAll
    static void summary() {
        System.out.println("[random-sagas] " + CASES.getAndSet(0) + " cases, " + CRASHES.getAndSet(0)
                + " crash points reached, seeds from " + FaultSettings.BASE_SEED);
    }
}
