package dev.sagaflow.store.memory;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.InstanceWrite;
import dev.sagaflow.store.LeaseRenewal;
import dev.sagaflow.store.NodeLease;
import dev.sagaflow.store.NodeRegistration;
import dev.sagaflow.store.OutboxMessage;
import dev.sagaflow.store.OutboxStore;
import dev.sagaflow.store.RecordedReply;
import dev.sagaflow.store.SagaCount;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SagaStore} that keeps every instance and its history in the heap: the reference
 * implementation of the store SPI (with its {@link OutboxStore outbox}), and the store for unit tests,
 * examples and benchmarks. Nothing survives the JVM, so a host that needs recovery after a crash uses a
 * durable store instead.
 *
 * <p><b>Retention.</b> It keeps at most 10,000 instances that finished successfully (COMPLETED or
 * COMPENSATED) by default, forgetting the oldest beyond that, so that a long-running host that copies
 * the README does not grow without bound; FAILED and live instances are always kept.
 * {@link Builder#retainFinished(int)} sets another bound ({@code Integer.MAX_VALUE}: keep everything).
 * {@link #purgeFinished(Instant, int)} deletes finished instances by age.
 *
 * <p><b>Saga data.</b> {@link #create()} gives a store that behaves like a durable one: every
 * {@link #insert insert} and {@link #update update} encodes the saga data with its codec and decodes
 * it again ({@link SagaData#roundTrip()}) and keeps only the text. Data that cannot be written or
 * read back therefore fails here, in a unit test, with a {@link SagaDataException}, exactly where a
 * JDBC store would fail in production; and what reads return is text-only data, so no caller ever
 * shares a mutable object with the store. {@link #withoutSerialization()} gives a store that keeps
 * the live objects as they are given and never encodes them: faster, for benchmarks and hosts that
 * do not care, at the price that unserialisable data goes unnoticed and that reads return the very
 * object that was written (a caller that mutates it changes what the store holds).
 *
 * <p><b>Clock.</b> Leases are measured on the store's clock, the system clock by default;
 * {@link Builder#clock(Clock)} gives another (the test kit passes its manual clock, so that leases run
 * out when a test moves time).
 *
 * <p><b>Versions.</b> Every write is a compare-and-set on the instance's version, as the SPI
 * requires. A write that loses the race returns {@code false} and changes nothing, history
 * included. A write whose next version is not {@code expectedVersion + 1} is a bug in the
 * caller and throws {@link IllegalArgumentException}.
 *
 * <p><b>Thread-safety.</b> Thread-safe. Each instance is guarded by its own lock, so writes to
 * different instances never wait for each other; inserts take one short store-wide lock (after the
 * data round-trip, which runs unlocked) so that the id and the idempotency key are checked and
 * reserved together. {@link #find} and {@link #query} take no lock, {@link #history} only the
 * instance's, and all see every completed write. {@link #query}, {@link #claim}, {@link
 * #renewLeases} and {@link #releaseLeases} are atomic per instance, not across instances: a query
 * running beside writes sees each instance either before or after each write.
 */
public final class InMemorySagaStore implements OutboxStore {
    /** How many successfully finished instances {@link #create()} keeps. */
    public static final int DEFAULT_RETAIN_FINISHED = 10_000;

    private final boolean roundTrip;
    private final int retainFinished;
    private final Clock clock;
    private final int maxDataLength;
    /** Ids of instances that finished successfully, oldest first; only kept when retention is bounded. */
    private final Queue<String> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();
    private final ConcurrentMap<String, Slot> instances = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, String> idsByKey = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Registration> nodes = new ConcurrentHashMap<>();
    private final InMemoryOutbox outbox;
    /** Makes "id is free, key is free, take both" one step; held only for a few map operations. */
    private final Object insertLock = new Object();

    private InMemorySagaStore(Builder builder) {
        this.roundTrip = builder.serialization;
        this.retainFinished = builder.retainFinished;
        this.clock = builder.clock;
        this.maxDataLength = builder.maxDataLength;
        this.outbox = new InMemoryOutbox(this::now);
    }

    /**
     * An empty store that round-trips saga data through its codec on every write and keeps only the
     * text, like a durable store, and keeps at most {@value #DEFAULT_RETAIN_FINISHED} finished instances.
     * This is the default and the right choice for tests.
     */
    public static InMemorySagaStore create() {
        return builder().build();
    }

    /**
     * An empty store that keeps saga data as the live objects it is given and never encodes them.
     * Cheaper than {@link #create()}, but data that would not serialise is accepted, and reads return
     * the stored objects themselves: callers must not mutate them. For benchmarks and hosts that
     * need neither durability nor the check.
     */
    public static InMemorySagaStore withoutSerialization() {
        return builder().serialization(false).build();
    }

    /** A builder, for a store with other settings than {@link #create()}'s. */
    public static Builder builder() {
        return new Builder();
    }

    /** {@inheritDoc} The builder's clock (the system clock by default), to the microsecond. */
    @Override
    public Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS);
    }

    /** {@inheritDoc} The limit given to the builder; none by default. */
    @Override
    public int maxDataLength() {
        return maxDataLength;
    }

    // ---------------------------------------------------------------- writes

    /**
     * {@inheritDoc}
     *
     * <p>The id is checked before the idempotency key: an insert that repeats an existing id throws
     * even when its key is also taken. In the default mode the data is round-tripped first.
     *
     * @throws IllegalArgumentException if an instance with the same id exists, if the instance's
     *     version is not 1
     * @throws SagaDataException if the data cannot be encoded or read back (nothing is written)
     */
    @Override
    public boolean insert(InstanceWrite write) {
        Objects.requireNonNull(write, "write cannot be null");
        SagaInstance instance = write.instance();
        if (instance.version() != 1) {
            throw new IllegalArgumentException("a new instance must have version 1, was " + instance.version()
                    + " [saga '" + instance.sagaName() + "' instance " + instance.id() + "]");
        }
        SagaInstance stored = leased(normalise(instance), write.lease());
        if (instance.idempotencyKey() == null) {
            // No key to reserve with the id: one atomic put, no store-wide lock on the common path.
            Slot slot = new Slot(stored, write.history());
            if (instances.putIfAbsent(stored.id(), slot) != null) {
                throw duplicateId(stored);
            }
            outbox.add(write.outbox());
            retireIfFinished(stored);
            return true;
        }
        Key key = new Key(instance.sagaName(), instance.idempotencyKey());
        synchronized (insertLock) {
            if (instances.containsKey(stored.id())) {
                throw duplicateId(stored);
            }
            if (idsByKey.containsKey(key)) {
                return false;
            }
            // The slot goes in before the key, so a lookup by key always finds the instance.
            instances.put(stored.id(), new Slot(stored, write.history()));
            idsByKey.put(key, stored.id());
        }
        outbox.add(write.outbox());
        retireIfFinished(stored);
        return true;
    }

    private static IllegalArgumentException duplicateId(SagaInstance instance) {
        return new IllegalArgumentException("an instance with id " + instance.id() + " already exists"
                + " [saga '" + instance.sagaName() + "']");
    }

    /**
     * {@inheritDoc}
     *
     * <p>In the default mode the data is round-tripped before the version is looked at, so bad data
     * throws even when the write would have lost the race.
     *
     * @throws IllegalArgumentException if the next version is not {@code expectedVersion + 1}, or the
     *     write changes the saga name or the idempotency key; these are bugs in the caller, not lost races
     * @throws SagaDataException if the data cannot be encoded or read back (nothing is written)
     */
    @Override
    public boolean update(long expectedVersion, InstanceWrite write) {
        Objects.requireNonNull(write, "write cannot be null");
        SagaInstance next = write.instance();
        if (next.version() != expectedVersion + 1) {
            throw new IllegalArgumentException("next version must be expected version + 1 = " + (expectedVersion + 1)
                    + ", was " + next.version() + " [saga '" + next.sagaName() + "' instance " + next.id() + "]");
        }
        SagaInstance stored = leased(normalise(next), write.lease());
        Slot slot = instances.get(next.id());
        if (slot == null || !slot.update(expectedVersion, stored, write, outbox)) {
            return false;
        }
        retireIfFinished(stored);
        return true;
    }

    /** The instance with its lease expiry computed on this store's clock. */
    private SagaInstance leased(SagaInstance instance, Duration lease) {
        Instant until = lease == null ? null : now().plus(lease);
        return Objects.equals(until, instance.leaseUntil()) ? instance : instance.withLease(instance.owner(), until);
    }

    /**
     * With bounded retention, counts an instance that finished successfully and forgets the oldest such
     * instances beyond the bound. A FAILED instance is never forgotten: it needs an operator.
     */
    private void retireIfFinished(SagaInstance instance) {
        if (retainFinished == Integer.MAX_VALUE || !instance.status().isTerminal()) {
            return;
        }
        finished.add(instance.id());
        if (finishedCount.incrementAndGet() <= retainFinished) {
            return;
        }
        String oldest;
        while (finishedCount.get() > retainFinished && (oldest = finished.poll()) != null) {
            finishedCount.decrementAndGet();
            forget(oldest);
        }
    }

    /** Removes an instance with its history, replies, key and sent messages; returns whether it was there. */
    private boolean forget(String id) {
        Slot slot = instances.remove(id);
        if (slot == null) {
            return false;
        }
        SagaInstance last = slot.remove();
        if (last != null && last.idempotencyKey() != null) {
            idsByKey.remove(new Key(last.sagaName(), last.idempotencyKey()), id);
        }
        outbox.forgetSent(id);
        return true;
    }

    // ---------------------------------------------------------------- reads

    /** {@inheritDoc} Lock-free. */
    @Override
    public Optional<SagaInstance> find(String id) {
        Objects.requireNonNull(id, "id cannot be null");
        Slot slot = instances.get(id);
        return slot == null ? Optional.empty() : Optional.ofNullable(slot.instance);
    }

    /** {@inheritDoc} Lock-free. */
    @Override
    public Optional<SagaInstance> findByIdempotencyKey(String sagaName, String idempotencyKey) {
        Objects.requireNonNull(sagaName, "sagaName cannot be null");
        Objects.requireNonNull(idempotencyKey, "idempotencyKey cannot be null");
        String id = idsByKey.get(new Key(sagaName, idempotencyKey));
        return id == null ? Optional.empty() : find(id);
    }

    /** {@inheritDoc} The list is a copy; later writes do not change it. */
    @Override
    public List<HistoryEntry> history(String id) {
        Objects.requireNonNull(id, "id cannot be null");
        Slot slot = instances.get(id);
        return slot == null ? List.of() : slot.history();
    }

    /** {@inheritDoc} Scans every instance; fine for the sizes an in-memory store holds. */
    @Override
    public List<SagaInstance> query(SagaQuery query) {
        Objects.requireNonNull(query, "query cannot be null");
        return instances.values().stream()
                .map(slot -> slot.instance)
                .filter(instance -> instance != null && query.matches(instance))
                .sorted(SagaQuery.RESULT_ORDER)
                .limit(query.limit())
                .toList();
    }

    /** {@inheritDoc} Scans every instance. */
    @Override
    public List<SagaCount> count(SagaQuery query) {
        Objects.requireNonNull(query, "query cannot be null");
        SagaQuery filter = new SagaQuery(query.statuses(), query.sagaName(), query.updatedBefore(),
                query.createdBefore(), query.idempotencyKey(), query.owner(), null, query.limit());
        Map<String, Map<SagaStatus, Long>> counts = new TreeMap<>();
        for (Slot slot : instances.values()) {
            SagaInstance instance = slot.instance;
            if (instance != null && filter.matches(instance)) {
                counts.computeIfAbsent(instance.sagaName(), name -> new TreeMap<>())
                        .merge(instance.status(), 1L, Long::sum);
            }
        }
        List<SagaCount> result = new ArrayList<>();
        counts.forEach((name, byStatus) -> byStatus.forEach((status, n) -> result.add(new SagaCount(name, status, n))));
        return List.copyOf(result);
    }

    // ---------------------------------------------------------------- leases and nodes

    /**
     * {@inheritDoc}
     *
     * <p>Candidates are taken oldest first, then by id, and the result is in that order. Each
     * candidate is checked again under its own lock before it is taken, so a claim that races with
     * another claim or an update skips what the other took and moves on to the next candidate.
     */
    @Override
    public List<SagaInstance> claim(ClaimRequest request) {
        Objects.requireNonNull(request, "request cannot be null");
        Instant now = now();
        // Sort a snapshot: sorting on the live field could see it change mid-sort.
        List<Candidate> candidates = new ArrayList<>();
        for (Slot slot : request.ids().isEmpty() ? instances.values() : slotsOf(request)) {
            SagaInstance seen = slot.instance;
            if (seen != null && request.matches(seen, now)) {
                candidates.add(new Candidate(slot, seen));
            }
        }
        candidates.sort(Comparator.comparing(Candidate::seen, SagaQuery.RESULT_ORDER));
        List<SagaInstance> claimed = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (claimed.size() == request.limit()) {
                break;
            }
            SagaInstance taken = candidate.slot().claim(request, now);
            if (taken != null) {
                claimed.add(taken);
            }
        }
        return List.copyOf(claimed);
    }

    private List<Slot> slotsOf(ClaimRequest request) {
        List<Slot> slots = new ArrayList<>(request.ids().size());
        for (String id : request.ids()) {
            Slot slot = instances.get(id);
            if (slot != null) {
                slots.add(slot);
            }
        }
        return slots;
    }

    /** {@inheritDoc} */
    @Override
    public NodeRegistration registerNode(NodeLease node) {
        Objects.requireNonNull(node, "node cannot be null");
        Instant now = now();
        Registration previous = nodes.put(node.nodeId(), new Registration(node.incarnation(), now.plus(node.lease())));
        if (previous == null || previous.incarnation().equals(node.incarnation())) {
            return NodeRegistration.FIRST;
        }
        return new NodeRegistration(previous.incarnation(), previous.leaseUntil(), !previous.leaseUntil().isBefore(now));
    }

    /** {@inheritDoc} Atomic per instance; versions and update times are left as they are. */
    @Override
    public LeaseRenewal renewLeases(NodeLease node) {
        Objects.requireNonNull(node, "node cannot be null");
        Instant now = now();
        Instant until = now.plus(node.lease());
        Registration mine = new Registration(node.incarnation(), until);
        // Held when this incarnation is registered, or when nobody is (the registration was lost: take it again).
        Registration holder = nodes.merge(node.nodeId(), mine,
                (current, fresh) -> current.incarnation().equals(fresh.incarnation()) ? fresh : current);
        if (!holder.incarnation().equals(node.incarnation())) {
            return new LeaseRenewal(false, 0);
        }
        int renewed = 0;
        for (Slot slot : instances.values()) {
            if (slot.changeLease(node.nodeId(), node.nodeId(), until)) {
                renewed++;
            }
        }
        return new LeaseRenewal(true, renewed);
    }

    /** {@inheritDoc} Atomic per instance; versions and update times are left as they are. */
    @Override
    public int releaseLeases(String owner) {
        Objects.requireNonNull(owner, "owner cannot be null");
        int released = 0;
        for (Slot slot : instances.values()) {
            if (slot.changeLease(owner, null, null)) {
                released++;
            }
        }
        return released;
    }

    @Override
    public void deregisterNode(NodeLease node) {
        Objects.requireNonNull(node, "node cannot be null");
        nodes.computeIfPresent(node.nodeId(),
                (id, current) -> current.incarnation().equals(node.incarnation()) ? null : current);
    }

    // ---------------------------------------------------------------- replies

    /** {@inheritDoc} Refused ({@code false}) as well when there is no such instance. */
    @Override
    public boolean recordReply(RecordedReply reply) {
        Objects.requireNonNull(reply, "reply cannot be null");
        Slot slot = instances.get(reply.sagaId());
        return slot != null && slot.recordReply(reply);
    }

    @Override
    public List<RecordedReply> replies(String sagaId) {
        Objects.requireNonNull(sagaId, "sagaId cannot be null");
        Slot slot = instances.get(sagaId);
        return slot == null ? List.of() : slot.replies();
    }

    // ---------------------------------------------------------------- retention

    @Override
    public int purgeFinished(Instant finishedBefore, int limit) {
        Objects.requireNonNull(finishedBefore, "finishedBefore cannot be null");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be >= 1, was " + limit);
        }
        int purged = 0;
        for (Slot slot : instances.values()) {
            SagaInstance instance = slot.instance;
            if (purged < limit && instance != null && instance.status().isTerminal()
                    && instance.updatedAt().isBefore(finishedBefore) && forget(instance.id())) {
                purged++;
            }
        }
        return purged;
    }

    // ---------------------------------------------------------------- outbox

    @Override
    public List<OutboxMessage> claimOutbox(String relay, Duration lease, int limit) {
        return outbox.claim(relay, lease, limit);
    }

    @Override
    public boolean markSent(String messageId, String relay) {
        return outbox.markSent(messageId, relay);
    }

    @Override
    public boolean markFailed(String messageId, String relay, String reason) {
        return outbox.markFailed(messageId, relay, reason);
    }

    @Override
    public List<FailedMessage> failedOutbox(int limit) {
        return outbox.failed(limit);
    }

    @Override
    public boolean retryOutbox(String messageId) {
        return outbox.retry(messageId);
    }

    @Override
    public int purgeSentOutbox(Instant sentBefore, int limit) {
        return outbox.purgeSent(sentBefore, limit);
    }

    // ---------------------------------------------------------------- tools

    /** How many instances the store holds, in any status. A snapshot under concurrent inserts. */
    public int size() {
        return instances.size();
    }

    /**
     * Removes every instance, its history, replies and messages, and every node registration, for tests and
     * tools that reuse one store. A write that races with it either lands before it (and is removed) or
     * returns {@code false} as a lost race.
     */
    public void clear() {
        synchronized (insertLock) {
            for (Slot slot : instances.values()) {
                slot.remove();
            }
            instances.clear();
            idsByKey.clear();
            finished.clear();
            finishedCount.set(0);
            nodes.clear();
            outbox.clear();
        }
    }

    /** Names the data mode, the retention and the current size. */
    @Override
    public String toString() {
        return "InMemorySagaStore[serialization=" + (roundTrip ? "round-trip" : "none (live objects)")
                + (retainFinished == Integer.MAX_VALUE ? ", retainFinished=all" : ", retainFinished=" + retainFinished)
                + (maxDataLength == Integer.MAX_VALUE ? "" : ", maxDataLength=" + maxDataLength)
                + ", instances=" + instances.size() + "]";
    }

    /** In round-trip mode, proves the data can be stored and read back, and keeps only its text. */
    private SagaInstance normalise(SagaInstance instance) {
        if (!roundTrip) {
            return instance;
        }
        SagaData text;
        try {
            text = instance.data().roundTrip();
        } catch (SagaDataException e) {
            // SagaData does not know which saga it belongs to; say so for the caller.
            throw new SagaDataException(e.getMessage(), instance.sagaName(), instance.id(), e.getCause());
        }
        return text == instance.data() ? instance : instance.withData(text);
    }

    /** A slot as a claim saw it when choosing candidates. */
    private record Candidate(Slot slot, SagaInstance seen) {
    }

    /** An idempotency key is unique per saga name. */
    private record Key(String sagaName, String idempotencyKey) {
    }

    /** Which incarnation holds a node id, and until when. */
    private record Registration(String incarnation, Instant leaseUntil) {
    }

    /**
     * One instance, its history and its recorded replies. {@code instance} is written only under the
     * slot's lock and is volatile so that reads need no lock; {@code history} and {@code replies} are read
     * and written only under the lock. A removed slot (see {@link #clear()}) holds {@code null} and refuses
     * every write.
     */
    private static final class Slot {
        private volatile SagaInstance instance;
        private final List<HistoryEntry> history;
        private final Map<String, RecordedReply> replies = new LinkedHashMap<>(2);

        Slot(SagaInstance instance, List<HistoryEntry> history) {
            this.instance = instance;
            // Room for a saga that runs every step once and completes (start, each step, end) without growing.
            this.history = new ArrayList<>(Math.max(history.size(), instance.steps().size() + 2));
            append(history);
        }

        /** Adds {@code entries} one by one: {@code addAll} would copy them into an array first. */
        private void append(List<HistoryEntry> entries) {
            for (int i = 0, n = entries.size(); i < n; i++) {
                history.add(entries.get(i));
            }
        }

        synchronized boolean update(long expectedVersion, SagaInstance next, InstanceWrite write,
                InMemoryOutbox outbox) {
            SagaInstance current = instance;
            if (current == null || current.version() != expectedVersion) {
                return false;
            }
            // The key index is keyed on these two; letting them change would corrupt it.
            if (!current.sagaName().equals(next.sagaName())
                    || !Objects.equals(current.idempotencyKey(), next.idempotencyKey())) {
                throw new IllegalArgumentException("an update cannot change the saga name or idempotency key"
                        + " (from '" + current.sagaName() + "'/" + current.idempotencyKey() + " to '"
                        + next.sagaName() + "'/" + next.idempotencyKey() + ") [instance " + current.id() + "]");
            }
            append(write.history());
            for (String step : write.consumedReplies()) {
                replies.remove(step);
            }
            outbox.add(write.outbox());
            instance = next;
            return true;
        }

        synchronized SagaInstance claim(ClaimRequest request, Instant now) {
            SagaInstance current = instance;
            if (current == null || !request.matches(current, now)) {
                return null;
            }
            SagaInstance claimed = current.claimedBy(request.owner(), now.plus(request.lease()), now);
            instance = claimed;
            return claimed;
        }

        /** Gives a live instance of {@code owner} a new owner and lease; reports whether it did. */
        synchronized boolean changeLease(String owner, String newOwner, Instant newLeaseUntil) {
            SagaInstance current = instance;
            if (current == null || !current.status().isLive() || !owner.equals(current.owner())) {
                return false;
            }
            instance = current.withLease(newOwner, newLeaseUntil);
            return true;
        }

        synchronized boolean recordReply(RecordedReply reply) {
            if (instance == null || replies.containsKey(reply.step())) {
                return false;
            }
            replies.put(reply.step(), reply);
            return true;
        }

        synchronized List<RecordedReply> replies() {
            return List.copyOf(replies.values());
        }

        synchronized List<HistoryEntry> history() {
            return List.copyOf(history);
        }

        /** Empties the slot; returns what it held. */
        synchronized SagaInstance remove() {
            SagaInstance last = instance;
            instance = null;
            history.clear();
            replies.clear();
            return last;
        }
    }

    /**
     * Settings of an in-memory store. Mutable and not thread-safe; {@link #build()} copies them, so a
     * builder can be reused.
     */
    public static final class Builder {
        private boolean serialization = true;
        private int retainFinished = DEFAULT_RETAIN_FINISHED;
        private Clock clock = Clock.systemUTC();
        private int maxDataLength = Integer.MAX_VALUE;

        private Builder() {
        }

        /**
         * Whether every write round-trips the saga data through its codec and keeps only the text (the
         * default, as {@link #create()}), or keeps the live objects (as {@link #withoutSerialization()}).
         */
        public Builder serialization(boolean roundTrip) {
            this.serialization = roundTrip;
            return this;
        }

        /**
         * Keeps at most {@code max} of the instances that finished successfully (COMPLETED or COMPENSATED);
         * beyond that, the instance that finished longest ago is forgotten with its history and its
         * idempotency key (which can then start a new saga). FAILED instances are always kept. Default
         * {@value InMemorySagaStore#DEFAULT_RETAIN_FINISHED}; {@code Integer.MAX_VALUE} keeps every one (a
         * test that wants every outcome of more sagas than that).
         *
         * @throws IllegalArgumentException if {@code max} is negative
         */
        public Builder retainFinished(int max) {
            if (max < 0) {
                throw new IllegalArgumentException("retainFinished must be >= 0, was " + max);
            }
            this.retainFinished = max;
            return this;
        }

        /**
         * The clock leases are written and compared with (the store's "database clock"). Default: the system
         * clock in UTC.
         */
        public Builder clock(Clock storeClock) {
            this.clock = Objects.requireNonNull(storeClock, "clock cannot be null");
            return this;
        }

        /**
         * The longest saga data, in characters of JSON, the store accepts ({@link SagaStore#maxDataLength()}),
         * for tests of what happens at a durable store's limit. Default: no limit.
         *
         * @throws IllegalArgumentException if {@code max < 2}
         */
        public Builder maxDataLength(int max) {
            if (max < 2) {
                throw new IllegalArgumentException("maxDataLength must be >= 2, was " + max);
            }
            this.maxDataLength = max;
            return this;
        }

        /** An empty store with these settings. */
        public InMemorySagaStore build() {
            return new InMemorySagaStore(this);
        }
    }
}
