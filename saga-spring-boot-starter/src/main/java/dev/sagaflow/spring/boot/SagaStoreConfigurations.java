package dev.sagaflow.spring.boot;

import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.spring.boot.internal.DeferredJdbcSagaStore;
import dev.sagaflow.store.SagaStore;
import dev.sagaflow.store.memory.InMemorySagaStore;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnSingleCandidate;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The two ways of getting the {@code sagaStore} bean, imported by {@link SagaflowAutoConfiguration} in this order
 * (nested in it, they would be processed in no defined order, and the in-memory store could win).
 */
final class SagaStoreConfigurations {
    private static final Logger log = LoggerFactory.getLogger(SagaStoreConfigurations.class);

    private SagaStoreConfigurations() {
    }

    /** The JDBC store on the application's {@code DataSource}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass({JdbcSagaStore.class, DataSource.class})
    @ConditionalOnSingleCandidate(DataSource.class)
    static class Jdbc {
        @Bean
        @ConditionalOnMissingBean(SagaStore.class)
        DeferredJdbcSagaStore sagaStore(DataSource dataSource, SagaflowProperties properties) {
            SagaflowProperties.Jdbc jdbc = properties.getJdbc();
            return new DeferredJdbcSagaStore(dataSource, () -> {
                JdbcSagaStore.Builder builder = JdbcSagaStore.builder(dataSource).tablePrefix(jdbc.getTablePrefix())
                        .createSchemaIfMissing(jdbc.isCreateSchema()).groupCommit(jdbc.isGroupCommit());
                if (jdbc.getDialect() != null) {
                    builder.dialect(jdbc.getDialect());
                }
                return builder.build();
            });
        }
    }

    /** The in-memory store, when there is no {@code DataSource}. */
    @Configuration(proxyBeanMethods = false)
    static class InMemory {
        @Bean
        @ConditionalOnMissingBean(SagaStore.class)
        InMemorySagaStore sagaStore(SagaflowProperties properties) {
            log.warn("Sagaflow: no DataSource, so sagas are kept in memory and lost when the application stops; add a"
                    + " DataSource (and saga-jdbc-store's schema) for durable sagas");
            return InMemorySagaStore.builder().retainFinished(properties.getMemory().getRetainFinished()).build();
        }
    }

}
