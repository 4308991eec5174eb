package dev.sagaflow.store.memory;

import dev.sagaflow.SagaDataException;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaData;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.SagaStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link SagaStore} that keeps every instance and its history in the heap: the reference
 * implementation of the store SPI, and the store for unit tests, examples and benchmarks. Nothing
 * survives the JVM, so a host that needs recovery after a crash uses a durable store instead. By
 * default it keeps every instance it was given; {@link Builder#retainFinished(int)} bounds how many
 * finished ones it keeps, for a long-running host.
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
 * <p><b>Versions.</b> Every write is a compare-and-set on the instance's version, as the SPI
 * requires. A write that loses the race returns {@code false} and changes nothing, history
 * included. A write whose {@code next.version()} is not {@code expectedVersion + 1} is a bug in the
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
public final class InMemorySagaStore implements SagaStore {

    private final boolean roundTrip;
    private final int retainFinished;
    /** Ids of instances that finished successfully, oldest first; only kept when retention is bounded. */
    private final Queue<String> finished = new ConcurrentLinkedQueue<>();
    private final AtomicInteger finishedCount = new AtomicInteger();
    private final ConcurrentMap<String, Slot> instances = new ConcurrentHashMap<>();
    private final ConcurrentMap<Key, String> idsByKey = new ConcurrentHashMap<>();
    /** Makes "id is free, key is free, take both" one step; held only for a few map operations. */
    private final Object insertLock = new Object();

    private InMemorySagaStore(boolean roundTrip, int retainFinished) {
        this.roundTrip = roundTrip;
        this.retainFinished = retainFinished;
    }

    /**
     * An empty store that round-trips saga data through its codec on every write and keeps only the
     * text, like a durable store. This is the default and the right choice for tests.
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

    /**
     * {@inheritDoc}
     *
     * <p>The id is checked before the idempotency key: an insert that repeats an existing id throws
     * even when its key is also taken. In the default mode the data is round-tripped first.
     *
     * @throws IllegalArgumentException if an instance with the same id exists, if the instance's
     *     version is not 1, or if a history entry belongs to another instance
     * @throws SagaDataException if the data cannot be encoded or read back (nothing is written)
     */
    @Override
    public boolean insert(SagaInstance instance, List<HistoryEntry> history) {
        Objects.requireNonNull(instance, "instance cannot be null");
        List<HistoryEntry> entries = checkHistory(instance, history);
        if (instance.version() != 1) {
            throw new IllegalArgumentException("a new instance must have version 1, was " + instance.version()
                    + " [saga '" + instance.sagaName() + "' instance " + instance.id() + "]");
        }
        SagaInstance stored = normalise(instance);
        if (instance.idempotencyKey() == null) {
            // No key to reserve with the id: one atomic put, no store-wide lock on the common path.
            if (instances.putIfAbsent(stored.id(), new Slot(stored, entries)) != null) {
                throw new IllegalArgumentException("an instance with id " + stored.id() + " already exists"
                        + " [saga '" + stored.sagaName() + "']");
            }
            retireIfFinished(stored);
            return true;
        }
        Key key = new Key(instance.sagaName(), instance.idempotencyKey());
        synchronized (insertLock) {
            if (instances.containsKey(stored.id())) {
                throw new IllegalArgumentException("an instance with id " + stored.id() + " already exists"
                        + " [saga '" + stored.sagaName() + "']");
            }
            if (idsByKey.containsKey(key)) {
                return false;
            }
            // The slot goes in before the key, so a lookup by key always finds the instance.
            instances.put(stored.id(), new Slot(stored, entries));
            idsByKey.put(key, stored.id());
        }
        retireIfFinished(stored);
        return true;
    }

    /**
     * {@inheritDoc}
     *
     * <p>In the default mode the data is round-tripped before the version is looked at, so bad data
     * throws even when the write would have lost the race.
     *
     * @throws IllegalArgumentException if {@code next.version()} is not {@code expectedVersion + 1},
     *     if {@code next} changes the saga name or the idempotency key, or if a history entry belongs
     *     to another instance; these are bugs in the caller, not lost races
     * @throws SagaDataException if the data cannot be encoded or read back (nothing is written)
     */
    @Override
    public boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> history) {
        Objects.requireNonNull(next, "next cannot be null");
        List<HistoryEntry> entries = checkHistory(next, history);
        if (next.version() != expectedVersion + 1) {
            throw new IllegalArgumentException("next version must be expected version + 1 = " + (expectedVersion + 1)
                    + ", was " + next.version() + " [saga '" + next.sagaName() + "' instance " + next.id() + "]");
        }
        SagaInstance stored = normalise(next);
        Slot slot = instances.get(next.id());
        if (slot == null || !slot.update(expectedVersion, stored, entries)) {
            return false;
        }
        retireIfFinished(stored);
        return true;
    }

    /**
     * With bounded retention, counts an instance that finished successfully and forgets the oldest such
     * instances beyond the bound. A FAILED instance is never forgotten: it needs an operator.
     */
    private void retireIfFinished(SagaInstance instance) {
        if (retainFinished == Integer.MAX_VALUE
                || (instance.status() != SagaStatus.COMPLETED && instance.status() != SagaStatus.COMPENSATED)) {
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

    private void forget(String id) {
        Slot slot = instances.remove(id);
        if (slot == null) {
            return;
        }
        SagaInstance last = slot.remove();
        if (last != null && last.idempotencyKey() != null) {
            idsByKey.remove(new Key(last.sagaName(), last.idempotencyKey()), id);
        }
    }

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
        // Sort a snapshot: sorting on the live field could see it change mid-sort.
        List<Candidate> candidates = new ArrayList<>();
        for (Slot slot : instances.values()) {
            SagaInstance seen = slot.instance;
            if (seen != null && request.matches(seen)) {
                candidates.add(new Candidate(slot, seen));
            }
        }
        candidates.sort(Comparator.comparing(Candidate::seen, SagaQuery.RESULT_ORDER));
        List<SagaInstance> claimed = new ArrayList<>();
        for (Candidate candidate : candidates) {
            if (claimed.size() == request.limit()) {
                break;
            }
            SagaInstance taken = candidate.slot().claim(request);
            if (taken != null) {
                claimed.add(taken);
            }
        }
        return List.copyOf(claimed);
    }

    /** {@inheritDoc} Atomic per instance; versions and update times are left as they are. */
    @Override
    public int renewLeases(String owner, Instant leaseUntil) {
        Objects.requireNonNull(owner, "owner cannot be null");
        Objects.requireNonNull(leaseUntil, "leaseUntil cannot be null");
        int renewed = 0;
        for (Slot slot : instances.values()) {
            if (slot.changeLease(owner, owner, leaseUntil)) {
                renewed++;
            }
        }
        return renewed;
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

    /** How many instances the store holds, in any status. A snapshot under concurrent inserts. */
    public int size() {
        return instances.size();
    }

    /**
     * Removes every instance and its history, for tests and tools that reuse one store. A write that
     * races with it either lands before it (and is removed) or returns {@code false} as a lost race.
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
        }
    }

    /** Names the data mode and the current size. */
    @Override
    public String toString() {
        return "InMemorySagaStore[serialization=" + (roundTrip ? "round-trip" : "none (live objects)")
                + (retainFinished == Integer.MAX_VALUE ? "" : ", retainFinished=" + retainFinished)
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

    private static List<HistoryEntry> checkHistory(SagaInstance instance, List<HistoryEntry> history) {
        List<HistoryEntry> entries = List.copyOf(Objects.requireNonNull(history, "history cannot be null"));
        for (HistoryEntry entry : entries) {
            if (!entry.sagaId().equals(instance.id())) {
                throw new IllegalArgumentException("history entry " + entry.type() + " belongs to instance "
                        + entry.sagaId() + ", not to " + instance.id() + " [saga '" + instance.sagaName() + "']");
            }
        }
        return entries;
    }

    /** A slot as a claim saw it when choosing candidates. */
    private record Candidate(Slot slot, SagaInstance seen) {
    }

    /** An idempotency key is unique per saga name. */
    private record Key(String sagaName, String idempotencyKey) {
    }

    /**
     * One instance and its history. {@code instance} is written only under the slot's lock and is
     * volatile so that reads need no lock; {@code history} is read and written only under the lock.
     * A removed slot (see {@link #clear()}) holds {@code null} and refuses every write.
     */
    private static final class Slot {
        private volatile SagaInstance instance;
        private final List<HistoryEntry> history;

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

        synchronized boolean update(long expectedVersion, SagaInstance next, List<HistoryEntry> entries) {
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
            append(entries);
            instance = next;
            return true;
        }

        synchronized SagaInstance claim(ClaimRequest request) {
            SagaInstance current = instance;
            if (current == null || !request.matches(current)) {
                return null;
            }
            SagaInstance claimed = current.claimedBy(request.owner(), request.leaseUntil(), request.now());
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

        synchronized List<HistoryEntry> history() {
            return List.copyOf(history);
        }

        /** Empties the slot; returns what it held. */
        synchronized SagaInstance remove() {
            SagaInstance last = instance;
            instance = null;
            history.clear();
            return last;
        }
    }

    /**
     * Settings of an in-memory store. Mutable and not thread-safe; {@link #build()} copies them, so a
     * builder can be reused.
     */
    public static final class Builder {
        private boolean serialization = true;
        private int retainFinished = Integer.MAX_VALUE;

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
         * idempotency key (which can then start a new saga). FAILED instances are always kept. Unbounded
         * by default, as a test wants every outcome; bound it for a long-running host or a benchmark, whose
         * heap would otherwise grow with every saga.
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

        /** An empty store with these settings. */
        public InMemorySagaStore build() {
            return new InMemorySagaStore(serialization, retainFinished);
        }
    }
}
