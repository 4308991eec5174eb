package dev.sagaflow.examples.boot;

import dev.sagaflow.examples.boot.CustomerService.Credit;
import java.math.BigDecimal;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code GET /customers/{customerId}}: a customer's credit limit, the credit held for orders and what is left. */
@RestController
public class CustomerController {
    private final CustomerService customers;

    /** A controller that reads {@code customers}. */
    public CustomerController(CustomerService customers) {
        this.customers = customers;
    }

    /** The customer's credit; 404 for an unknown customer. */
    @GetMapping("/customers/{customerId}")
    public CreditView credit(@PathVariable("customerId") String customerId) {
        return customers.credit(customerId).map(CreditView::of)
                .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND, "no customer " + customerId));
    }

    /**
     * What the API shows of a customer's credit.
     *
     * @param customerId the customer
     * @param limit how much the customer may owe
     * @param reserved how much is held for orders
     * @param available what is left
     */
    public record CreditView(String customerId, BigDecimal limit, BigDecimal reserved,
            BigDecimal available) {
        static CreditView of(Credit credit) {
            return new CreditView(credit.customerId(), credit.limit(), credit.reserved(), credit.available());
        }
    }
}
