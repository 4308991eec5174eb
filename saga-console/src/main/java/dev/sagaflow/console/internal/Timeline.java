package dev.sagaflow.console.internal;

import dev.sagaflow.SagaEventType;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.StepStatus;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.StepState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One saga's history laid out on a time axis: a lane for the saga and one per step, each with bars (an
 * action running, a wait for a reply, a compensation running) and marks (a retry scheduled, a failure, a
 * success, an operator's action). Built from the steps and the history alone.
 *
 * <p>The history records when phases end, not always when they begin, so beginnings are inferred: a
 * step's first action begins at its {@link StepState#startedAt()}; a wait for a reply at its
 * {@code STEP_AWAITING_REPLY} entry; a compensation, or an action run again after an operator's retry, at
 * the entry just before its first entry (the failure, abort, retry or compensation that handed over to
 * it). Immutable.
 *
 * @param start the left end of the axis: when the saga was created
 * @param end the right end: its last entry, or {@code now} while it is live
 * @param lanes the saga's lane first, then one per step in definition order
 */
public record Timeline(Instant start, Instant end, List<Lane> lanes) {

    /** The kind of a bar. */
    public enum BarKind {
        /** The step's action running (with its retries). */
        ACTION,
        /** The step waiting for a participant's reply. */
        WAIT,
        /** The step's compensation running (with its retries). */
        COMPENSATION
    }

    /** The kind of a mark. */
    public enum MarkKind {
        /** The saga started. */
        START,
        /** A step or compensation succeeded, or the saga ended well. */
        SUCCESS,
        /** An attempt failed and another is scheduled. */
        RETRY,
        /** A step gave up, a compensation gave up, the saga failed, or a reply was rejected. */
        FAILURE,
        /** A step was run again after a crash or takeover. */
        RESUMED,
        /** An operator (or the deadline) aborted, or an operator retried. */
        OPERATOR
    }

    /**
     * A phase from {@code from} to {@code to}.
     *
     * @param open whether it is still going on ({@code to} is then "now")
     * @param failed whether it ended in a failure
     */
    public record Bar(BarKind kind, Instant from, Instant to, boolean open, boolean failed) {
    }

    /** A history entry drawn as a mark on its lane. */
    public record Mark(MarkKind kind, HistoryEntry entry) {
    }

    /**
     * One row of the picture.
     *
     * @param label the step name, or {@code null} for the saga's own lane
     * @param status the step's status, or {@code null} for the saga's lane
     */
    public record Lane(String label, StepStatus status, List<Bar> bars, List<Mark> marks) {
        public Lane {
            bars = List.copyOf(bars);
            marks = List.copyOf(marks);
        }
    }

    public Timeline {
        lanes = List.copyOf(lanes);
    }

    /** The timeline of {@code info} (which must hold its history), seen at {@code now}. */
    public static Timeline of(SagaInfo info, Instant now) {
        List<HistoryEntry> history = new ArrayList<>(info.history());
        history.sort(Comparator.comparing(HistoryEntry::at)); // stable: entries of one write keep their order
        Instant last = info.updatedAt();
        for (HistoryEntry entry : history) {
            last = entry.at().isAfter(last) ? entry.at() : last;
        }
        Instant end = info.status().isLive() && now.isAfter(last) ? now : last;

        Map<String, LaneBuilder> steps = new LinkedHashMap<>();
        for (StepState step : info.steps()) {
            steps.put(step.name(), new LaneBuilder(step));
        }
        List<Mark> sagaMarks = new ArrayList<>();
        Instant previous = info.createdAt();
        for (HistoryEntry entry : history) {
            LaneBuilder lane = entry.step() == null || isSagaLevel(entry.type()) ? null : steps.get(entry.step());
            if (lane == null) {
                sagaMarks.add(new Mark(sagaMark(entry.type()), entry));
            } else {
                lane.apply(entry, previous);
            }
            previous = entry.at();
        }
        List<Lane> lanes = new ArrayList<>(steps.size() + 1);
        lanes.add(new Lane(null, null, List.of(), sagaMarks));
        for (LaneBuilder lane : steps.values()) {
            lanes.add(lane.build(end, info.status().isLive()));
        }
        return new Timeline(info.createdAt(), end, lanes);
    }

    private static boolean isSagaLevel(SagaEventType type) {
        return switch (type) {
            case SAGA_STARTED, SAGA_ABORTED, SAGA_RETRIED, SAGA_REOPENED, SAGA_COMPLETED, SAGA_COMPENSATED,
                    SAGA_FAILED, INSTANCE_NOT_RESUMABLE -> true;
            default -> false;
        };
    }

    private static MarkKind sagaMark(SagaEventType type) {
        return switch (type) {
            case SAGA_STARTED -> MarkKind.START;
            case SAGA_COMPLETED, SAGA_COMPENSATED -> MarkKind.SUCCESS;
            case SAGA_ABORTED, SAGA_RETRIED, SAGA_REOPENED -> MarkKind.OPERATOR;
            case SAGA_FAILED, INSTANCE_NOT_RESUMABLE, REPLY_REJECTED, STEP_FAILED, COMPENSATION_GAVE_UP -> MarkKind.FAILURE;
            case STEP_RETRY_SCHEDULED, COMPENSATION_RETRY_SCHEDULED -> MarkKind.RETRY;
            case STEP_RESUMED, STEP_PROBED -> MarkKind.RESUMED;
            case STEP_SUCCEEDED, COMPENSATION_SUCCEEDED, STEP_AWAITING_REPLY -> MarkKind.SUCCESS;
        };
    }

    /** Collects one step's bars and marks while the history is replayed. */
    private static final class LaneBuilder {
        private final StepState step;
        private final List<Bar> bars = new ArrayList<>();
        private final List<Mark> marks = new ArrayList<>();
        private BarKind openKind;
        private Instant openFrom;
        private boolean actionSeen;

        LaneBuilder(StepState step) {
            this.step = step;
        }

        void apply(HistoryEntry entry, Instant previous) {
            Instant at = entry.at();
            switch (entry.type()) {
                case STEP_RETRY_SCHEDULED -> {
                    ensureOpen(BarKind.ACTION, previous);
                    marks.add(new Mark(MarkKind.RETRY, entry));
                }
                case STEP_RESUMED -> {
                    ensureOpen(BarKind.ACTION, previous);
                    marks.add(new Mark(MarkKind.RESUMED, entry));
                }
                case STEP_AWAITING_REPLY -> {
                    ensureOpen(BarKind.ACTION, previous);
                    close(at, false);
                    open(BarKind.WAIT, at);
                }
                case STEP_SUCCEEDED, STEP_FAILED -> {
                    boolean failed = entry.type() == SagaEventType.STEP_FAILED;
                    if (openKind != BarKind.WAIT) {
                        ensureOpen(BarKind.ACTION, previous);
                    }
                    close(at, failed);
                    marks.add(new Mark(failed ? MarkKind.FAILURE : MarkKind.SUCCESS, entry));
                }
                case COMPENSATION_RETRY_SCHEDULED -> {
                    ensureOpen(BarKind.COMPENSATION, previous);
                    marks.add(new Mark(MarkKind.RETRY, entry));
                }
                case COMPENSATION_SUCCEEDED, COMPENSATION_GAVE_UP -> {
                    boolean failed = entry.type() == SagaEventType.COMPENSATION_GAVE_UP;
                    ensureOpen(BarKind.COMPENSATION, previous);
                    close(at, failed);
                    marks.add(new Mark(failed ? MarkKind.FAILURE : MarkKind.SUCCESS, entry));
                }
                default -> marks.add(new Mark(sagaMark(entry.type()), entry));
            }
        }

        private void ensureOpen(BarKind kind, Instant previous) {
            if (openKind == kind) {
                return;
            }
            if (openKind != null) {
                close(previous, false);
            }
            Instant from = previous;
            if (kind == BarKind.ACTION && !actionSeen && step.startedAt() != null && step.startedAt().isBefore(previous)) {
                from = step.startedAt();
            }
            open(kind, from);
        }

        private void open(BarKind kind, Instant from) {
            openKind = kind;
            openFrom = from;
            if (kind == BarKind.ACTION) {
                actionSeen = true;
            }
        }

        private void close(Instant to, boolean failed) {
            if (openKind != null) {
                bars.add(new Bar(openKind, openFrom, to.isBefore(openFrom) ? openFrom : to, false, failed));
                openKind = null;
            }
        }

        Lane build(Instant end, boolean sagaLive) {
            boolean stepLive = switch (step.status()) {
                case RUNNING, AWAITING_REPLY, COMPENSATING -> true;
                default -> false;
            };
            if (openKind == null && !actionSeen && step.startedAt() != null && stepLive) {
                // Started and still in its first attempt: nothing recorded for it but its start.
                open(step.status() == StepStatus.COMPENSATING ? BarKind.COMPENSATION : BarKind.ACTION,
                        step.startedAt());
            }
            if (openKind != null) {
                boolean stillGoing = sagaLive && stepLive;
                Instant to = stillGoing ? end : (marks.isEmpty() ? openFrom : latestMark());
                bars.add(new Bar(openKind, openFrom, to.isBefore(openFrom) ? openFrom : to, stillGoing, false));
                openKind = null;
            }
            return new Lane(step.name(), step.status(), bars, marks);
        }

        private Instant latestMark() {
            return marks.get(marks.size() - 1).entry().at();
        }
    }
}
