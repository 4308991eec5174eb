-- Two customers to try the saga with: alice may owe 1000.00, bob 100.00. Inserted once (H2 and PostgreSQL).
INSERT INTO customers (id, credit_limit) SELECT 'alice', 1000.00 WHERE NOT EXISTS (SELECT 1 FROM customers WHERE id = 'alice');
INSERT INTO customers (id, credit_limit) SELECT 'bob', 100.00 WHERE NOT EXISTS (SELECT 1 FROM customers WHERE id = 'bob');
