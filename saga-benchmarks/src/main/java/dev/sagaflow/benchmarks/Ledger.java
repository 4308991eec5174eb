package dev.sagaflow.benchmarks;

/**
 * One caller's counters, touched by the handlers on the caller's thread (synchronous steps run there).
 * Padded so that callers' ledgers do not share cache lines.
 */
final class Ledger {
    static final int MAX_CALLERS = 1024;
    private static final Ledger[] LEDGERS = new Ledger[MAX_CALLERS];

    static {
        for (int i = 0; i < MAX_CALLERS; i++) {
            LEDGERS[i] = new Ledger();
        }
    }

    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6;
    long creditReserved;
    long creditReleased;
    long stockReserved;
    long stockReleased;
    long approved;
    long rejected;
    @SuppressWarnings("unused")
    private long q0, q1, q2, q3, q4, q5, q6;

    static Ledger of(int caller) {
        return LEDGERS[caller];
    }

    void reset() {
        creditReserved = creditReleased = stockReserved = stockReleased = approved = rejected = 0;
    }

    /** Throws unless the counters balance for {@code sagas} sagas of one kind. */
    void verify(long sagas, boolean fail, int caller) {
        boolean ok = fail
                ? creditReserved == sagas && creditReleased == sagas && stockReserved == sagas
                        && stockReleased == sagas && rejected == sagas && approved == 0
                : creditReserved == sagas && stockReserved == sagas && approved == sagas && creditReleased == 0
                        && stockReleased == 0 && rejected == 0;
        if (!ok) {
            throw new IllegalStateException("caller " + caller + " ran " + sagas + " " + (fail ? "FAIL" : "HAPPY")
                    + " sagas but its counters do not balance: " + this);
        }
    }

    @Override
    public String toString() {
        return "Ledger[creditReserved=" + creditReserved + ", creditReleased=" + creditReleased + ", stockReserved="
                + stockReserved + ", stockReleased=" + stockReleased + ", approved=" + approved + ", rejected="
                + rejected + "]";
    }
}
