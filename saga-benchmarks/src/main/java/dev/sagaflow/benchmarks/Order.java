package dev.sagaflow.benchmarks;

/**
 * The saga data: a small mutable POJO that Jackson reads and writes through its public fields. {@code trail}
 * records, one digit per handler, what ran and in which order (1 reserve credit, 2 reserve inventory, 3 approve,
 * 5 release inventory, 4 release credit), so a HAPPY saga ends with 123 and a FAIL saga with 1254.
 */
public final class Order {
    /** Orders above this amount are rejected by the approve step. */
    static final int CREDIT_LIMIT = 1_000;
    static final int HAPPY_TRAIL = 123;
    static final int FAIL_TRAIL = 1254;

    public int caller;
    public long id;
    public int amount;
    public int quantity;
    public int creditReserved;
    public int stockReserved;
    public boolean approved;
    public int trail;

    public Order() {
    }

    static Order of(int caller, long id, boolean fail) {
        Order order = new Order();
        order.caller = caller;
        order.id = id;
        order.amount = fail ? 5_000 : 100;
        order.quantity = 2;
        return order;
    }

    /** Throws unless this order ended as a HAPPY (or FAIL) saga must. */
    void verify(boolean fail) {
        boolean ok = fail
                ? trail == FAIL_TRAIL && creditReserved == 0 && stockReserved == 0 && !approved
                : trail == HAPPY_TRAIL && creditReserved == amount && stockReserved == quantity && approved;
        if (!ok) {
            throw new IllegalStateException("order " + id + " of caller " + caller + " ended wrong for a "
                    + (fail ? "FAIL" : "HAPPY") + " saga: trail " + trail + ", credit " + creditReserved + ", stock "
                    + stockReserved + ", approved " + approved);
        }
    }
}
