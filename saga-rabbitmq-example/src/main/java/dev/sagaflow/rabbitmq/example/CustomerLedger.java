package dev.sagaflow.rabbitmq.example;

import dev.sagaflow.SagaOutcome;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.rabbitmq.example.OrderSaga.Order;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The customer service's ledger as it reports it when it stops: each customer's credit limit and what is reserved,
 * every effect it applied (once per idempotency key), and how many commands it received again and ignored. The
 * customer service writes it with {@link #lines()}, the order service reads it with {@link #parse(List)}.
 * Immutable.
 */
public record CustomerLedger(List<Account> accounts, List<Entry> entries, long duplicates) {
    /** What the customer service applied: an order's credit reserved, refused, or released. */
    public static final String RESERVED = "reserved";
    /** See {@link #RESERVED}. */
    public static final String REFUSED = "refused";
    /** See {@link #RESERVED}. */
    public static final String RELEASED = "released";

    private static final String PREFIX = "ledger ";

    public CustomerLedger {
        accounts = List.copyOf(accounts);
        entries = List.copyOf(entries);
    }

    /** One customer's credit. */
    public record Account(String customer, long limitCents, long reservedCents) {
        /** The credit left. */
        public long availableCents() {
            return limitCents - reservedCents;
        }
    }

    /** One effect applied, by the idempotency key of the command that asked for it. */
    public record Entry(String effect, String order, String customer, long cents, String idempotencyKey) {
    }

    /** How many times the customer service applied {@code effect} to {@code order}. */
    public long count(String effect, String order) {
        return entries.stream().filter(e -> e.effect().equals(effect) && e.order().equals(order)).count();
    }

    /**
     * The orders whose outcome disagrees with this ledger, each described; empty when all agree. A COMPLETED
     * order was approved, its credit reserved once and never released; a COMPENSATED one was either refused
     * (nothing reserved or released: a participant's "no" is not compensated) or reserved once and released once
     * (rejected after its credit was reserved). Nothing else may end.
     */
    public List<String> disagreements(Map<String, SagaOutcome<Order>> outcomes) {
        List<String> disagreements = new ArrayList<>();
        outcomes.forEach((order, outcome) -> {
            long reserved = count(RESERVED, order);
            long refused = count(REFUSED, order);
            long released = count(RELEASED, order);
            boolean approved = "APPROVED".equals(outcome.data().state());
            boolean agrees = outcome.status() == SagaStatus.COMPLETED
                    ? approved && reserved == 1 && released == 0 && refused == 0
                    : outcome.status() == SagaStatus.COMPENSATED && !approved
                            && (refused == 1 ? reserved == 0 && released == 0 : reserved == 1 && released == 1);
            if (!agrees) {
                disagreements.add(order + " ended " + outcome.status() + " (" + outcome.data().state() + ", "
                        + outcome.error() + ") but the ledger has it reserved " + reserved + ", refused " + refused
                        + ", released " + released + " times");
            }
        });
        return disagreements;
    }

    /** The ledger as the lines the customer service prints when it stops, the last one {@code ledger end}. */
    public List<String> lines() {
        List<String> lines = new ArrayList<>();
        accounts.forEach(a -> lines.add(PREFIX + "account " + a.customer() + " " + a.limitCents() + " "
                + a.reservedCents()));
        entries.forEach(e -> lines.add(PREFIX + "entry " + e.effect() + " " + e.order() + " " + e.customer() + " "
                + e.cents() + " " + e.idempotencyKey()));
        lines.add(PREFIX + "duplicates " + duplicates);
        lines.add(PREFIX + "end");
        return lines;
    }

    /**
     * Reads the ledger from the customer service's output; lines without the ledger's prefix are skipped.
     *
     * @throws IllegalArgumentException if the output has no complete ledger
     */
    public static CustomerLedger parse(List<String> output) {
        List<Account> accounts = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        long duplicates = -1;
        for (String line : output) {
            if (!line.startsWith(PREFIX)) {
                continue;
            }
            String[] f = line.substring(PREFIX.length()).split(" ");
            switch (f[0]) {
                case "account" -> accounts.add(new Account(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
                case "entry" -> entries.add(new Entry(f[1], f[2], f[3], Long.parseLong(f[4]), f[5]));
                case "duplicates" -> duplicates = Long.parseLong(f[1]);
                case "end" -> {
                    if (duplicates < 0) {
                        throw new IllegalArgumentException("the ledger ended without its duplicates line");
                    }
                    return new CustomerLedger(accounts, entries, duplicates);
                }
                default -> throw new IllegalArgumentException("unknown ledger line: " + line);
            }
        }
        throw new IllegalArgumentException("the customer service's output holds no complete ledger: " + output);
    }

    /** Prints the ledger for people. */
    public void print(PrintStream out) {
        out.println("Customer service's ledger:");
        for (Account a : accounts) {
            out.printf("  %-6s limit %8s  reserved %8s  available %8s%n", a.customer(), money(a.limitCents()),
                    money(a.reservedCents()), money(a.availableCents()));
        }
        for (Entry e : entries) {
            out.printf("    %-8s %-5s %-6s %8s  (idempotency key %s)%n", e.effect(), e.order(), e.customer(),
                    money(e.cents()), e.idempotencyKey());
        }
        out.println("  commands received again and ignored (same idempotency key): " + duplicates);
    }

    /** {@code cents} as {@code 123.45}. */
    public static String money(long cents) {
        return String.format("%d.%02d", cents / 100, Math.abs(cents % 100));
    }
}
