package dev.sagaflow.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Everything one atomic write of one instance records, in one transaction: the instance's next state,
 * the history entries of the transition, the lease its owner holds from now on, the recorded replies
 * the transition consumed, and the command messages it sends. Immutable.
 *
 * <p>The lease is measured on the store's clock ({@link SagaStore#now()}), never on the writer's: a
 * store writes {@code leaseUntil = store now + lease} and ignores {@code instance().leaseUntil()}. An
 * instance without an owner (a finished or released one) has no lease.
 *
 * @param instance the state to write; its version is 1 for an insert, the expected version + 1 for an update
 * @param history the entries recording the transition, oldest first, each of this instance
 * @param lease how long the owner's claim holds from the write, or {@code null} when the instance has no owner
 * @param consumedReplies the steps whose recorded replies ({@link SagaStore#recordReply}) this write
 *     consumes: they are deleted in the same transaction
 * @param outbox command messages to add to the store's outbox in the same transaction (only for stores
 *     that are {@link OutboxStore}s)
 */
public record InstanceWrite(SagaInstance instance, List<HistoryEntry> history, Duration lease,
        Set<String> consumedReplies, List<OutboxMessage> outbox) {

    public InstanceWrite {
        Objects.requireNonNull(instance, "instance cannot be null");
        history = List.copyOf(Objects.requireNonNull(history, "history cannot be null"));
        consumedReplies = Set.copyOf(Objects.requireNonNull(consumedReplies, "consumedReplies cannot be null"));
        outbox = List.copyOf(Objects.requireNonNull(outbox, "outbox cannot be null"));
        if (instance.owner() != null && (lease == null || lease.isNegative() || lease.isZero())) {
            throw new IllegalArgumentException("an owned instance needs a lease > 0, was " + lease + " [instance "
                    + instance.id() + "]");
        }
        if (instance.owner() == null && lease != null) {
            throw new IllegalArgumentException("an instance without an owner has no lease [instance "
                    + instance.id() + "]");
        }
        for (HistoryEntry entry : history) {
            if (!entry.sagaId().equals(instance.id())) {
                throw new IllegalArgumentException("history entry " + entry.type() + " belongs to saga instance "
                        + entry.sagaId() + ", not to " + instance.id());
            }
        }
        for (OutboxMessage message : outbox) {
            if (!message.sagaId().equals(instance.id())) {
                throw new IllegalArgumentException("outbox message " + message.id() + " belongs to saga instance "
                        + message.sagaId() + ", not to " + instance.id());
            }
        }
    }

    /** A write of {@code instance} and {@code history} that holds {@code lease} and consumes and sends nothing. */
    public static InstanceWrite of(SagaInstance instance, List<HistoryEntry> history, Duration lease) {
        return new InstanceWrite(instance, history, lease, Set.of(), List.of());
    }

    /**
     * A write in the form of the older SPI, where the writer gave an absolute {@code leaseUntil} on its own
     * clock: the lease is read as {@code leaseUntil - updatedAt}, and applied on the store's clock.
     */
    static InstanceWrite legacy(SagaInstance instance, List<HistoryEntry> history) {
        Duration lease = null;
        if (instance.owner() != null) {
            lease = instance.leaseUntil() == null ? Duration.ofSeconds(30)
                    : Duration.between(instance.updatedAt(), instance.leaseUntil());
            if (lease.isNegative() || lease.isZero()) {
                lease = Duration.ofMillis(1);
            }
        }
        return of(instance, history, lease);
    }

    /** This write, also consuming the recorded replies of {@code steps}. */
    public InstanceWrite consuming(Set<String> steps) {
        return new InstanceWrite(instance, history, lease, steps, outbox);
    }

    /** This write, also adding {@code messages} to the outbox. */
    public InstanceWrite sending(List<OutboxMessage> messages) {
        return new InstanceWrite(instance, history, lease, consumedReplies, messages);
    }
}
