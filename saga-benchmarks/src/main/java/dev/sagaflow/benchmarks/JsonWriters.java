package dev.sagaflow.benchmarks;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.StepStatus;
import dev.sagaflow.jdbc.internal.HistoryJson;
import dev.sagaflow.jdbc.internal.StepsJson;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.ToIntFunction;

/**
 * The JDBC store's steps and history JSON, written and read by the store's current code (Jackson's streaming
 * API) and by the hand-written baseline it replaced ({@link HandWrittenStoreJson}), in the same run: nanoseconds
 * and bytes allocated per call, medians of alternating rounds. A plain timing harness, like the rest of this
 * module; run it with
 * {@code java -cp saga-benchmarks/target/saga-benchmarks.jar dev.sagaflow.benchmarks.JsonWriters [rounds]}.
 */
public final class JsonWriters {
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final int CALLS_PER_ROUND = 200_000;
    private static long sink;

    private JsonWriters() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 9;
        Instant t = Instant.parse("2026-12-01T10:00:00.123456Z");
        // The steps of issue 5's 3-step saga as its second write stores them, and as its FAIL run's last write does;
        // the history of a HAPPY run's last write.
        List<StepState> running = List.of(
                new StepState("create-pending-order", StepStatus.SUCCEEDED, 1, 0, false, t, t.plusMillis(2), null, null),
                new StepState("reserve-credit", StepStatus.RUNNING, 1, 0, false, t.plusMillis(2), null, null, null),
                StepState.pending("approve-order"));
        List<StepState> failed = List.of(
                new StepState("create-pending-order", StepStatus.COMPENSATED, 1, 1, false, t, t.plusMillis(2), null, null),
                new StepState("reserve-credit", StepStatus.COMPENSATED, 1, 1, false, t.plusMillis(2), t.plusMillis(3),
                        null, null),
                new StepState("approve-order", StepStatus.FAILED, 1, 0, false, t.plusMillis(3), t.plusMillis(4), null,
                        "BusinessRejection: credit limit exceeded for customer \"c-42\""));
        List<HistoryEntry> history = List.of(
                new HistoryEntry("id", t, SagaEventType.STEP_SUCCEEDED, "approve-order", 1, null),
                new HistoryEntry("id", t, SagaEventType.SAGA_COMPLETED, null, 0, null));

        for (List<StepState> steps : List.of(running, failed)) {
            check(HandWrittenStoreJson.encodeSteps(steps), StepsJson.encode(steps));
            check(HandWrittenStoreJson.decodeSteps(StepsJson.encode(steps)), StepsJson.decode(StepsJson.encode(steps)));
        }
        check(HandWrittenStoreJson.encodeHistory(history), HistoryJson.encode(history));
        String runningText = StepsJson.encode(running);
        String failedText = StepsJson.encode(failed);
        String historyText = HistoryJson.encode(history);

        List<Row> rows = List.of(
                new Row("encode steps, 3 (running)", x -> HandWrittenStoreJson.encodeSteps(running).length(),
                        x -> StepsJson.encode(running).length()),
                new Row("encode steps, 3 (failed, error)", x -> HandWrittenStoreJson.encodeSteps(failed).length(),
                        x -> StepsJson.encode(failed).length()),
                new Row("encode history, 2 entries", x -> HandWrittenStoreJson.encodeHistory(history).length(),
                        x -> HistoryJson.encode(history).length()),
                new Row("decode steps, 3 (failed, error)", x -> decodeTree(failedText),
                        x -> StepsJson.decode(failedText).size()),
                new Row("decode steps, 3 (running)", x -> decodeTree(runningText),
                        x -> StepsJson.decode(runningText).size()),
                new Row("decode history, 2 entries", x -> decodeTreeHistory(historyText),
                        x -> HistoryJson.decode("id", historyText).size()));

        System.out.printf("Store JSON: hand-written writer / tree reader (before) against Jackson streaming (now),"
                + " %d rounds of %,d calls each, medians%n", rounds, CALLS_PER_ROUND);
        System.out.printf("%-34s %14s %14s %14s %14s %8s%n", "operation", "before ns", "now ns", "before B",
                "now B", "now/before");
        for (Row row : rows) {
            double[][] before = new double[2][rounds];
            double[][] now = new double[2][rounds];
            for (int warm = 0; warm < 3; warm++) {
                measure(row.before);
                measure(row.now);
            }
            for (int r = 0; r < rounds; r++) {
                // Alternate which goes first, so that neither always runs on a warmer or a cooler machine.
                double[] a = r % 2 == 0 ? measure(row.before) : null;
                double[] b = measure(row.now);
                if (a == null) {
                    a = measure(row.before);
                }
                before[0][r] = a[0];
                before[1][r] = a[1];
                now[0][r] = b[0];
                now[1][r] = b[1];
            }
            double beforeNs = median(before[0]);
            double nowNs = median(now[0]);
            System.out.printf(Locale.ROOT, "%-34s %14.0f %14.0f %14.0f %14.0f %8.2f%n", row.name, beforeNs, nowNs,
                    median(before[1]), median(now[1]), nowNs / beforeNs);
        }
        if (sink == 42) {
            System.out.println();
        }
    }

    private record Row(String name, ToIntFunction<Object> before, ToIntFunction<Object> now) {
    }

    /** Nanoseconds and bytes allocated per call, over one round. */
    private static double[] measure(ToIntFunction<Object> call) {
        long allocated = THREADS.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
            sum += call.applyAsInt(null);
        }
        long nanos = System.nanoTime() - start;
        allocated = THREADS.getCurrentThreadAllocatedBytes() - allocated;
        sink += sum;
        return new double[] {(double) nanos / CALLS_PER_ROUND, (double) allocated / CALLS_PER_ROUND};
    }

    private static int decodeTree(String text) {
        try {
            return HandWrittenStoreJson.decodeSteps(text).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int decodeTreeHistory(String text) {
        try {
            return HandWrittenStoreJson.decodeHistory("id", text).size();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static void check(Object before, Object now) {
        if (!before.equals(now)) {
            throw new IllegalStateException("the two versions differ:\n  before: " + before + "\n  now:    " + now);
        }
    }
}
