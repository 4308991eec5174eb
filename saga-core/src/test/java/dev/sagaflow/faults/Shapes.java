package dev.sagaflow.faults;

import static dev.sagaflow.faults.Behaviour.HANG;
import static dev.sagaflow.faults.Behaviour.OK;
import static dev.sagaflow.faults.Behaviour.REJECT;
import static dev.sagaflow.faults.Behaviour.THROW;
import static dev.sagaflow.faults.StepSpec.compensatable;
import static dev.sagaflow.faults.StepSpec.pivot;
import static dev.sagaflow.faults.StepSpec.retriable;
import static dev.sagaflow.faults.StepSpec.uncompensated;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The saga shapes every crash point is tried on: the happy path and each way a saga can go wrong
 * (a failing step at each position, a rejection, retries that succeed or run out, a timeout,
 * compensations that fail then succeed or give up, retries after the pivot, awaiting steps with a
 * success reply, a failure reply, or none). Retry budgets leave room for the one attempt a crash
 * may waste, so that with one crash each shape has exactly one legitimate end.
 */
public final class Shapes {
    private Shapes() {
    }

    public static List<SagaShape> all() {
        List<SagaShape> shapes = new ArrayList<>();
        shapes.add(SagaShape.of("happy", compensatable("s1"), compensatable("s2"), compensatable("s3")));
        for (int failing = 1; failing <= 4; failing++) {
            List<StepSpec> steps = new ArrayList<>();
            for (int i = 1; i <= 4; i++) {
                steps.add(i == failing ? compensatable("s" + i).actions(THROW) : compensatable("s" + i));
            }
            shapes.add(new SagaShape("failing-at-s" + failing, steps));
        }
        shapes.add(SagaShape.of("business-rejection", compensatable("s1"), uncompensated("check"),
                compensatable("s2"), compensatable("s3").actions(REJECT)));
        shapes.add(SagaShape.of("retry-then-success", compensatable("s1"),
                compensatable("s2").actions(THROW, THROW, OK).attempts(4), compensatable("s3")));
        shapes.add(SagaShape.of("exhausted-retries", compensatable("s1"),
                compensatable("s2").actions(THROW).attempts(3), compensatable("s3")));
        shapes.add(SagaShape.of("timeout", compensatable("s1"),
                compensatable("s2").actions(HANG).timeout(Duration.ofSeconds(5)), compensatable("s3")));
        shapes.add(SagaShape.of("timeout-then-success", compensatable("s1"),
                compensatable("s2").actions(HANG, OK).attempts(3).timeout(Duration.ofSeconds(5)),
                compensatable("s3")));
        shapes.add(SagaShape.of("compensation-fails-then-succeeds", compensatable("s1"),
                compensatable("s2").compensations(THROW, THROW, OK).compensationAttempts(4),
                compensatable("s3").actions(THROW)));
        shapes.add(SagaShape.of("compensation-gives-up", compensatable("s1"),
                compensatable("s2").compensations(THROW).compensationAttempts(3),
                compensatable("s3").actions(REJECT)));
        shapes.add(SagaShape.of("pivot-fails", compensatable("s1"), compensatable("s2"),
                pivot("commit").actions(REJECT), retriable("notify")));
        shapes.add(SagaShape.of("post-pivot-retry", compensatable("s1"), pivot("commit"),
                retriable("ship").actions(THROW, THROW, OK).attempts(4), retriable("notify")));
        shapes.add(SagaShape.of("post-pivot-gives-up", compensatable("s1"), pivot("commit"),
                retriable("ship").actions(THROW).attempts(3)));
        shapes.add(SagaShape.of("awaiting-success-reply", compensatable("s1"),
                compensatable("ask").awaiting(ReplyKind.SUCCESS), compensatable("s3")));
        shapes.add(SagaShape.of("awaiting-failure-reply", compensatable("s1"),
                compensatable("ask").awaiting(ReplyKind.FAILURE), compensatable("s3")));
        shapes.add(SagaShape.of("awaiting-timeout", compensatable("s1"),
                compensatable("ask").awaiting(ReplyKind.TIMEOUT).timeout(Duration.ofSeconds(60)),
                compensatable("s3")));
        // A participant that applied the effect and then went down: when a crash loses its first
        // answer, the step fails on the retry, possibly done, and must be compensated.
        shapes.add(SagaShape.of("applied-then-participant-down", compensatable("s1"),
                compensatable("s2").actions(OK, THROW).attempts(2), compensatable("s3")));
        shapes.add(SagaShape.of("compensation-applied-then-down", compensatable("s1"),
                compensatable("s2").compensations(OK, THROW).compensationAttempts(2),
                compensatable("s3").actions(THROW)));
        shapes.add(SagaShape.of("async-handlers", compensatable("s1").async(true),
                compensatable("s2").async(true).actions(THROW, OK).attempts(3),
                compensatable("s3").async(true).actions(THROW)));
        return shapes;
    }
}
