package dev.sagaflow.faults;

import static dev.sagaflow.faults.Behaviour.HANG;
import static dev.sagaflow.faults.Behaviour.OK;
import static dev.sagaflow.faults.Behaviour.REJECT;
import static dev.sagaflow.faults.Behaviour.THROW;

import dev.sagaflow.StepKind;
import dev.sagaflow.faults.FaultRun.NodeFault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Random saga shapes and crash plans from a seed: 1 to 12 steps, sometimes a pivot (then retriable
 * steps after it), steps without compensation, awaiting steps answered with success, failure or
 * silence, participants that fail a few times, always, say no, hang, or apply and then go down,
 * compensations that fail then succeed or give up, synchronous and asynchronous handlers; and 0, 1
 * or 2 node deaths at random writes. The same seed always gives the same case.
 */
public final class ShapeGenerator {
    private ShapeGenerator() {
    }

    public static SagaShape shape(Random random, String label) {
        int size = 1 + random.nextInt(12);
        int pivot = random.nextInt(3) == 0 ? random.nextInt(size) : -1;
        List<StepSpec> steps = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            String name = "s" + (i + 1);
            StepKind kind = i == pivot ? StepKind.PIVOT
                    : pivot >= 0 && i > pivot ? StepKind.RETRIABLE
                    : random.nextInt(6) == 0 ? StepKind.UNCOMPENSATED : StepKind.COMPENSATABLE;
            StepSpec step = switch (kind) {
                case COMPENSATABLE -> StepSpec.compensatable(name);
                case UNCOMPENSATED -> StepSpec.uncompensated(name);
                case PIVOT -> StepSpec.pivot(name);
                case RETRIABLE -> StepSpec.retriable(name);
            };
            step = random.nextInt(7) == 0 ? awaiting(random, step) : plain(random, step);
            if (kind == StepKind.COMPENSATABLE) {
                step = compensation(random, step);
            }
            steps.add(step.async(random.nextInt(3) == 0));
        }
        return new SagaShape(label, steps);
    }

    private static StepSpec awaiting(Random random, StepSpec step) {
        int roll = random.nextInt(10);
        ReplyKind reply = roll < 6 ? ReplyKind.SUCCESS : roll < 8 || step.kind() == StepKind.PIVOT
                ? ReplyKind.FAILURE : ReplyKind.TIMEOUT;
        StepSpec awaiting = step.awaiting(reply);
        if (random.nextInt(4) == 0) {
            awaiting = awaiting.actions(THROW, OK).attempts(2 + random.nextInt(3));
        } else {
            awaiting = awaiting.attempts(1 + random.nextInt(2));
        }
        if (reply == ReplyKind.TIMEOUT) {
            return awaiting.timeout(Duration.ofSeconds(10 + random.nextInt(110)));
        }
        return random.nextBoolean() ? awaiting.timeout(Duration.ofHours(1)) : awaiting;
    }

    private static StepSpec plain(Random random, StepSpec step) {
        boolean mayHang = step.kind() != StepKind.PIVOT;
        int roll = random.nextInt(100);
        List<Behaviour> actions = new ArrayList<>();
        if (roll < 50) {
            actions.add(OK);
        } else if (roll < 62) {
            actions.addAll(Collections.nCopies(1 + random.nextInt(3), THROW));
            actions.add(OK);
        } else if (roll < 70) {
            actions.add(THROW);
        } else if (roll < 76) {
            if (random.nextBoolean()) {
                actions.add(THROW);
            }
            actions.add(REJECT);
        } else if (roll < 82 && mayHang) {
            actions.add(OK);
            actions.add(THROW); // applied, then the participant went down
        } else if (roll < 90 && mayHang) {
            actions.addAll(Collections.nCopies(1 + random.nextInt(2), HANG));
            actions.add(OK);
        } else if (roll < 95 && mayHang) {
            actions.add(HANG);
        } else {
            actions.add(OK);
        }
        StepSpec plain = step.actions(actions.toArray(Behaviour[]::new)).attempts(1 + random.nextInt(4));
        if (actions.contains(HANG)) {
            return plain.timeout(Duration.ofSeconds(1 + random.nextInt(30)));
        }
        return random.nextInt(5) == 0 ? plain.timeout(Duration.ofHours(1)) : plain;
    }

    private static StepSpec compensation(Random random, StepSpec step) {
        int roll = random.nextInt(100);
        List<Behaviour> compensations = new ArrayList<>();
        if (roll < 70) {
            compensations.add(OK);
        } else if (roll < 82) {
            compensations.addAll(Collections.nCopies(1 + random.nextInt(3), THROW));
            compensations.add(OK);
        } else if (roll < 90) {
            compensations.add(THROW);
        } else {
            compensations.add(OK);
            compensations.add(THROW); // undone, then the participant went down
        }
        return step.compensations(compensations.toArray(Behaviour[]::new))
                .compensationAttempts(1 + random.nextInt(4));
    }

    /**
     * Where nodes die: none (1 in 5), node 1 at a random one of its {@code firstNodeWrites}
     * writes, and sometimes the recovering node too, at one of its first six writes.
     */
    public static List<NodeFault> crashes(Random random, int firstNodeWrites) {
        int roll = random.nextInt(10);
        int count = roll < 2 ? 0 : roll < 7 ? 1 : 2;
        List<NodeFault> crashes = new ArrayList<>(count);
        if (count >= 1) {
            crashes.add(NodeFault.crash(1 + random.nextInt(firstNodeWrites), random.nextBoolean(), random.nextBoolean()));
        }
        if (count >= 2) {
            crashes.add(NodeFault.crash(1 + random.nextInt(6), random.nextBoolean(), random.nextBoolean()));
        }
        return crashes;
    }
}
