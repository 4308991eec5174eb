package dev.sagaflow.internal;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.internal.Transitions.Event;
import dev.sagaflow.internal.Transitions.Failed;
import dev.sagaflow.internal.Transitions.ReplyApplied;
import dev.sagaflow.internal.Transitions.ReplyRefused;
import dev.sagaflow.internal.Transitions.Succeeded;
import dev.sagaflow.internal.Transitions.Transition;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.SagaInstance;
import java.time.Duration;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How one run writes: every decided transition with one compare-and-set, and what follows when that does not go
 * through. A write the store refuses for good (or whose data cannot be stored) gets a simpler transition that
 * keeps the last durable data; one that fails otherwise is kept as a {@link PendingWrite} and tried again with the
 * store-outage backoff, nothing forgotten meanwhile; a lost compare-and-set, or a write whose outcome is unknown,
 * is resolved by reading the instance back. Every method is called with the run's lock held.
 */
final class RunWriter<D> {
    private static final Logger log = LoggerFactory.getLogger(RunWriter.class);

    private final SagaRun<D> run;
    private final RunHost host;
    private final SagaDefinition<D> definition;

    RunWriter(SagaRun<D> run, RunHost host, SagaDefinition<D> definition) {
        this.run = run;
        this.host = host;
        this.definition = definition;
    }

    /** Decides the transition {@code event} makes from the run's state and writes it. */
    Runnable apply(Event event) {
        return write(Transitions.decide(definition, run.instance(), event, run.env()), event, 0, null);
    }

    /** Writes {@code transition}, which records {@code event}; returns what to do next. */
    Runnable write(Transition transition, Event cause, int fallbacks, PendingWrite previous) {
        if (host.isHalted()) {
            run.abandon("the orchestrator was halted");
            return null;
        }
        String dataProblem = checkData(transition);
        if (dataProblem != null) {
            return refuse(transition, cause, dataProblem, fallbacks);
        }
        try {
            if (host.store().update(run.instance().version(), toWrite(transition))) {
                return run.applied(transition);
            }
        } catch (RuntimeException e) {
            if (isPermanent(e)) {
                return refuse(transition, cause, host.errors().describe(e), fallbacks);
            }
            keepPending(previous, transition, cause, e);
            return null;
        }
        return resolveConflict(transition, cause, fallbacks, previous);
    }

    InstanceWrite toWrite(Transition transition) {
        SagaInstance next = transition.next();
        return new InstanceWrite(next, transition.history(), next.owner() == null ? null : host.leaseDuration(),
                transition.consumedReplies(), transition.outbox());
    }

    /** Why the data of {@code transition} cannot be written, or {@code null}. */
    String checkData(Transition transition) {
        if (transition.data() == null) {
            return null;
        }
        String json;
        try {
            json = transition.next().data().json();
        } catch (SagaDataException e) {
            return host.errors().clean(e.getMessage());
        }
        int limit = host.maxDataLength();
        if (json.length() > limit) {
            return "saga data of " + json.length() + " characters is longer than the limit of " + limit;
        }
        if (transition.data().getClass() != definition.dataType()) {
            // Another class than the declared one (a subclass): it must still read back as the declared type.
            try {
                host.codec().decode(json, definition.dataType());
            } catch (Exception e) {
                return "saga data of type " + transition.data().getClass().getName() + " cannot be read back as "
                        + definition.dataType().getName() + ": " + host.errors().clean(e.getMessage());
            }
        }
        return null;
    }

    /**
     * The store refused {@code transition} for good (or its data cannot be stored): write a simpler transition
     * that keeps the last durable data, the step failing (as possibly done if it ran), then the saga FAILED; if
     * even that is refused, leave the instance to an operator.
     */
    private Runnable refuse(Transition transition, Event cause, String reason, int fallbacks) {
        log.warn("saga {} ({}): the store refused a write for good: {}", run.id(), definition.name(), reason);
        Event fallback = null;
        if (fallbacks == 0 && cause instanceof Succeeded s && !s.outbox().isEmpty()) {
            // The command was not recorded, so it was never sent: the attempt failed, nothing took effect.
            fallback = new Failed(s.index(), s.compensation(), new IllegalStateException(reason),
                    "its command could not be stored: " + reason, false, false);
        } else if (fallbacks == 0 && transition.data() != null) {
            if (cause instanceof Succeeded s && s.compensation()) {
                fallback = new Succeeded(s.index(), true, null, null);
            } else if (cause instanceof Succeeded s) {
                fallback = new Failed(s.index(), false, new IllegalStateException(reason),
                        "its result could not be stored: " + reason, true, false);
            } else if (cause instanceof ReplyApplied r) {
                fallback = new ReplyRefused(r.index(), "its reply could not be stored: " + reason, true);
            }
        }
        if (fallback == null && fallbacks < 2) {
            fallback = new Transitions.MarkedFailed("the store refused a write for good: " + reason);
            fallbacks = 1;
        }
        if (fallback == null) {
            log.error("saga {} ({}) cannot be written even as FAILED and is left as it is for an operator: {}",
                    run.id(), definition.name(), reason);
            host.quarantine(run.instance(), reason);
            run.abandon(reason);
            return null;
        }
        Transition simpler = Transitions.decide(definition, run.instance(), fallback, run.env())
                .consuming(transition.consumedReplies());
        return write(simpler, fallback, fallbacks + 1, null);
    }

    /**
     * The compare-and-set failed (or a write's outcome is unknown): read the instance back. If it holds exactly
     * what {@code transition} wrote, it was written; if it holds the run's state under a newer version and this
     * node's ownership (this node's own claim bumped it), carry on from there; otherwise another node or an
     * operator moved it, and the run stops driving it. {@code transition} is {@code null} for a local attempt
     * whose transaction lost its compare-and-set.
     */
    Runnable resolveConflict(Transition transition, Event cause, int fallbacks, PendingWrite previous) {
        SagaInstance stored;
        try {
            stored = host.store().find(run.id()).orElse(null);
        } catch (RuntimeException e) {
            if (transition == null) {
                // A local attempt: nothing to write; run it again once the store answers.
                return run.soon(host.storeBackoff().initialDelay());
            }
            keepPending(previous, transition, cause, e);
            return null;
        }
        if (transition != null && stored != null && stored.version() == transition.next().version()
                && sameWrite(stored, transition.next())) {
            return run.applied(transition);
        }
        SagaInstance instance = run.instance();
        if (stored != null && stored.version() > instance.version() && host.nodeId().equals(stored.owner())
                && sameState(stored, instance)) {
            log.debug("saga {}: this node's own claim moved it to version {}; carrying on from there", run.id(),
                    stored.version());
            run.rebase(stored);
            if (transition == null) {
                return run.act();
            }
            Transition rebased = Transitions.decide(definition, stored, cause, run.env())
                    .consuming(transition.consumedReplies()).sending(transition.outbox());
            return write(rebased, cause, fallbacks, previous);
        }
        run.lost();
        return null;
    }

    private void keepPending(PendingWrite previous, Transition transition, Event cause, RuntimeException error) {
        PendingWrite pending = previous == null ? new PendingWrite(transition, cause, error)
                : previous.carrying(transition, cause, error);
        run.pending(pending);
        Duration delay = pending.delay(host.storeBackoff());
        if (pending.failures() == 1 || pending.failures() % 10 == 0) {
            log.warn("saga {} ({}): writing to the store failed {} time(s), retrying in {} ms; nothing is lost: {}",
                    run.id(), definition.name(), pending.failures(), delay.toMillis(), error.toString());
        }
        host.later(delay, run::retryPending);
    }

    /** Writes the pending transition again, once its outcome is known by reading back. */
    Runnable retry(PendingWrite write) {
        SagaInstance stored;
        try {
            stored = host.store().find(run.id()).orElse(null);
        } catch (RuntimeException e) {
            keepPending(write, write.transition(), write.cause(), e);
            return null;
        }
        Runnable next = stored != null && stored.version() == run.instance().version()
                ? write(write.transition(), write.cause(), 0, write)
                : resolveConflict(write.transition(), write.cause(), 0, write);
        if (run.pending() == null) {
            log.info("saga {} ({}): the store is back", run.id(), definition.name());
        }
        return next;
    }

    /** Whether the store holds what {@code transition} writes (after a write whose outcome was unknown). */
    boolean landed(Transition transition) {
        if (transition == null) {
            return false;
        }
        try {
            SagaInstance stored = host.store().find(transition.next().id()).orElse(null);
            return stored != null && stored.version() == transition.next().version()
                    && sameWrite(stored, transition.next());
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Whether the store holds exactly what {@code intended} wrote. */
    private static boolean sameWrite(SagaInstance stored, SagaInstance intended) {
        return stored.status() == intended.status() && Objects.equals(stored.owner(), intended.owner())
                && stored.steps().equals(intended.steps());
    }

    /** Whether two versions of the instance hold the same saga state (a claim changes only owner and lease). */
    static boolean sameState(SagaInstance a, SagaInstance b) {
        return a.status() == b.status() && a.steps().equals(b.steps()) && Objects.equals(a.error(), b.error())
                && a.data().equals(b.data());
    }

    static boolean isPermanent(RuntimeException e) {
        return e instanceof SagaStoreException store ? store.isPermanent()
                : e instanceof SagaDataException || e instanceof IllegalArgumentException;
    }
}
