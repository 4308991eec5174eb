package dev.sagaflow.spring.boot.internal;

import dev.sagaflow.StepContext;
import dev.sagaflow.spi.AttemptObserver;
import java.sql.Connection;
import java.util.Set;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.ConnectionHolder;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Makes a {@code local()} step's work join the store transaction that records its checkpoint: while the handler
 * runs, the transaction's connection is bound to the thread as Spring's resource for the application's
 * {@code DataSource}, exactly as a {@code @Transactional} method's connection is. {@code JdbcTemplate},
 * {@code NamedParameterJdbcTemplate}, Spring Data JDBC, MyBatis-Spring and jOOQ as Spring Boot configures it
 * (everything that gets its connection through {@code DataSourceUtils} or a {@code TransactionAwareDataSourceProxy})
 * then run on that connection, so the work and the checkpoint commit or roll back together. A resource already
 * bound for the data source (a step run inline inside a caller's transaction) is set aside and restored after. A
 * {@code @Transactional} method or {@code TransactionTemplate} called by the step joins the step's transaction
 * (REQUIRED), or runs in a new one of its own (REQUIRES_NEW).
 *
 * <p>JPA does not join: Hibernate takes its connections from the data source itself, not from Spring's resource.
 * Thread-safe.
 */
public final class SpringTransactionBinding implements AttemptObserver {
    private final DataSource dataSource;
    private final Set<String> localSteps;

    /**
     * @param dataSource the data source of the store's transactions (and of the application's JDBC code)
     * @param localSteps {@code "<saga>\u0000<step>"} of every local step of the registered definitions
     */
    public SpringTransactionBinding(DataSource dataSource, Set<String> localSteps) {
        this.dataSource = dataSource;
        this.localSteps = Set.copyOf(localSteps);
    }

    /** The key of a step in {@code localSteps}. */
    public static String key(String sagaName, String stepName) {
        return sagaName + '\0' + stepName;
    }

    @Override
    public Scope attemptStarting(StepContext context) {
        if (!localSteps.contains(key(context.sagaName(), context.stepName()))) {
            return Scope.NOOP;
        }
        ConnectionHolder holder = new StepTransaction(context.connection());
        holder.setSynchronizedWithTransaction(true);
        Object previous = TransactionSynchronizationManager.unbindResourceIfPossible(dataSource);
        TransactionSynchronizationManager.bindResource(dataSource, holder);
        return new Scope() {
            @Override
            public void handlerReturned() {
                TransactionSynchronizationManager.unbindResourceIfPossible(dataSource);
                if (previous != null) {
                    TransactionSynchronizationManager.bindResource(dataSource, previous);
                }
            }
        };
    }

    /**
     * The step's connection as a transaction in progress: a transaction manager asked for REQUIRED inside the step
     * ({@code @Transactional}, a {@code TransactionTemplate}) then joins it instead of trying to open another
     * connection; REQUIRES_NEW suspends it and commits on a connection of its own.
     */
    private static final class StepTransaction extends ConnectionHolder {
        StepTransaction(Connection connection) {
            super(connection);
            setTransactionActive(true);
        }
    }

    @Override
    public String toString() {
        return "SpringTransactionBinding[" + localSteps.size() + " local step(s)]";
    }
}
