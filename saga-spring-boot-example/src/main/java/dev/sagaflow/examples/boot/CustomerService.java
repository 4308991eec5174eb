package dev.sagaflow.examples.boot;

import dev.sagaflow.BusinessRejection;
import java.math.BigDecimal;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The Customer Service: customers' credit limits and the credit held for their orders. In a real system it is
 * another service behind a broker or HTTP; here it runs in the same process, in transactions of its own (the saga's
 * {@code reserve-credit} step is an ordinary step, retried on a technical failure). Reserving is idempotent per
 * order, so a retried step holds the credit once. Thread-safe.
 */
@Service
public class CustomerService {
    private final JdbcTemplate jdbc;

    /** A service on {@code jdbc}. */
    public CustomerService(JdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * Holds {@code amount} of the customer's credit for the order; does nothing if it is already held.
     *
     * @throws BusinessRejection if the customer is unknown or the amount exceeds the credit left
     */
    @Transactional
    public void reserveCredit(String orderId, String customerId, BigDecimal amount) {
        // The customer's row lock orders concurrent reservations, so two orders cannot both take the last credit.
        BigDecimal limit = jdbc.query("SELECT credit_limit FROM customers WHERE id = ? FOR UPDATE",
                rs -> rs.next() ? rs.getBigDecimal(1) : null, customerId);
        if (limit == null) {
            throw new BusinessRejection("unknown customer " + customerId);
        }
        if (heldFor(orderId)) {
            return;
        }
        BigDecimal available = limit.subtract(reserved(customerId));
        if (amount.compareTo(available) > 0) {
            throw new BusinessRejection("credit limit exceeded: customer " + customerId + " has " + available
                    + " left, order " + orderId + " needs " + amount);
        }
        jdbc.update("INSERT INTO credit_reservations (order_id, customer_id, amount) VALUES (?, ?, ?)", orderId,
                customerId, amount);
    }

    /** Gives back the credit held for the order, if any. */
    @Transactional
    public void releaseCredit(String orderId) {
        jdbc.update("DELETE FROM credit_reservations WHERE order_id = ?", orderId);
    }

    /** The customer's limit and the credit held, if the customer exists. */
    @Transactional(readOnly = true)
    public Optional<Credit> credit(String customerId) {
        return jdbc.query("SELECT credit_limit FROM customers WHERE id = ?", (rs, row) -> rs.getBigDecimal(1),
                customerId).stream().findFirst().map(limit -> new Credit(customerId, limit, reserved(customerId)));
    }

    private boolean heldFor(String orderId) {
        Integer held = jdbc.queryForObject("SELECT count(*) FROM credit_reservations WHERE order_id = ?",
                Integer.class, orderId);
        return held != null && held > 0;
    }

    private BigDecimal reserved(String customerId) {
        return jdbc.queryForObject("SELECT COALESCE(SUM(amount), 0) FROM credit_reservations WHERE customer_id = ?",
                BigDecimal.class, customerId);
    }

    /**
     * A customer's credit. Immutable.
     *
     * @param customerId the customer
     * @param limit how much the customer may owe
     * @param reserved how much is held for orders
     */
    public record Credit(String customerId, BigDecimal limit, BigDecimal reserved) {
        /** What the customer may still spend. */
        public BigDecimal available() {
            return limit.subtract(reserved);
        }
    }
}
