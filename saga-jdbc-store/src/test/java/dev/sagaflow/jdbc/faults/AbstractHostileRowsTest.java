package dev.sagaflow.jdbc.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sagaflow.AsyncStepAction;
import dev.sagaflow.Saga;
import dev.sagaflow.SagaDefinition;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.fixtures.Ledger;
import dev.sagaflow.fixtures.TestSagas;
import dev.sagaflow.fixtures.Trail;
import dev.sagaflow.jdbc.JdbcSagaStore;
import dev.sagaflow.jdbc.support.TestDatabase;
import dev.sagaflow.store.ClaimRequest;
import dev.sagaflow.store.FollowingClock;
import dev.sagaflow.store.SagaInstance;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.testing.SagaTestKit;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Rows that someone rewrote by SQL so that the store cannot read them: an unknown saga status, an
 * unknown step status, steps that are not a list of steps, a step without a name, data of the
 * wrong shape, truncated data. One unreadable row must not break claims or queries for all the
 * others: the store skips it (and logs an ERROR naming it), {@code find(id)} throws a
 * {@link SagaStoreException} naming it, the row is kept for an operator, and the runtime resumes
 * every other instance.
 */
abstract class AbstractHostileRowsTest {
    private static final String PREFIX = "sft_hostile_";
    private final Ledger ledger = new Ledger();
    /** The store's clock: the nodes' manual time, moved ahead by hand to let leases run out. */
    private final FollowingClock storeClock = new FollowingClock(Instant.EPOCH);
    private JdbcSagaStore store;
    private SagaTestKit kit;
    private SagaDefinition<Trail> saga;

    abstract TestDatabase database();

    @BeforeEach
    void emptyTables() {
        store = FaultStores.empty(database(), PREFIX, storeClock);
        kit = SagaTestKit.over(store);
        storeClock.follow(kit.timer()::now);
        AsyncStepAction<Trail> hangsOnce = (trail, context) -> {
            ledger.record(context);
            return context.attempt() == 1 ? new CompletableFuture<>()
                    : CompletableFuture.completedFuture(trail.mark("do " + context.stepName()));
        };
        saga = Saga.define("hostile-rows", Trail.class)
                .step("s1").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .step("s2").asyncAction(hangsOnce).compensation(TestSagas.compensation(ledger))
                .step("s3").action(TestSagas.action(ledger)).compensation(TestSagas.compensation(ledger))
                .build();
    }

    /** Three instances whose node died inside s2. */
    private List<String> stranded() {
        SagaOrchestrator doomed = kit.orchestrator().nodeId("node-a").register(saga).build();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(doomed.start(saga, Trail.of("t" + i)).sagaId());
        }
        SagaTestKit.crash(doomed);
        return ids;
    }

    private void sql(String sql, Object... parameters) {
        try (Connection c = database().pooled().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            assertThat(ps.executeUpdate()).as(sql).isEqualTo(1);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    private String column(String column, String id) {
        try (Connection c = database().pooled().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT " + column + " FROM " + PREFIX
                        + "instances WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).isTrue();
                return rs.getString(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private String jsonParameter(String type) {
        return database() == TestDatabase.POSTGRESQL ? "CAST(? AS " + type + ")" : "?";
    }

    /** Rewrites the first match of {@code regex} in the stored steps. */
    private void rewriteSteps(String id, String regex, String to) {
        String steps = column("steps", id);
        String rewritten = steps.replaceFirst(regex, to);
        assertThat(rewritten).isNotEqualTo(steps);
        sql("UPDATE " + PREFIX + "instances SET steps = " + jsonParameter("json") + " WHERE id = ?", rewritten, id);
    }

    /**
     * The store skips the unreadable row in queries and claims, find(id) names it, and a restarted
     * node resumes every other instance while the row stays as it was written.
     */
    private void assertOneRowSkippedOthersServed(List<String> ids, String bad, String... problem) {
        String storedStatus = column("status", bad);
        List<String> good = ids.stream().filter(id -> !id.equals(bad)).toList();

        assertThat(store.query(SagaQuery.all())).extracting(SagaInstance::id).containsExactlyInAnyOrderElementsOf(good);
        assertThatThrownBy(() -> store.find(bad)).isInstanceOf(SagaStoreException.class)
                .hasMessageContaining(bad).hasMessageContaining("cannot be read").hasMessageContaining(problem[0]);

        SagaDefinition<Trail> bystander = TestSagas.linear("bystander", 2, new Ledger());
        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga, bystander).build();

        for (String id : good) {
            assertThat(store.find(id).orElseThrow().status()).as("instance %s", id).isEqualTo(SagaStatus.COMPLETED);
        }
        assertThat(node.list(SagaQuery.all())).extracting(SagaInfo::sagaId).containsExactlyInAnyOrderElementsOf(good);
        assertThatThrownBy(() -> node.find(bad)).isInstanceOf(SagaStoreException.class).hasMessageContaining(bad);
        assertThat(column("status", bad)).as("kept as written, for an operator").isEqualTo(storedStatus);
        if (storedStatus.equals("RUNNING")) {
            assertThat(column("owner", bad)).as("no node holds what it cannot read").isNull();
        }
        Instant later = kit.timer().now().plus(Duration.ofDays(1));
        storeClock.follow(() -> later);
        assertThat(store.claim(ClaimRequest.any("node-z", Duration.ofDays(1), Set.of(saga.fingerprint()), true, 100)))
                .isEmpty();
        storeClock.follow(kit.timer()::now);
        assertThat(node.run(bystander, Trail.of("after")).status()).as("new sagas run")
                .isEqualTo(SagaStatus.COMPLETED);
        node.close();
    }

    @Test
    void an_unknown_saga_status_in_one_row_does_not_break_claims_or_queries_for_the_others() {
        List<String> ids = stranded();
        sql("UPDATE " + PREFIX + "instances SET status = ? WHERE id = ?", "EXPLODED", ids.get(1));

        assertOneRowSkippedOthersServed(ids, ids.get(1), "EXPLODED");
    }

    @Test
    void an_unknown_step_status_in_one_row_does_not_break_claims_or_queries_for_the_others() {
        List<String> ids = stranded();
        rewriteSteps(ids.get(0), "\"PENDING\"", "\"HALF_DONE\"");

        assertOneRowSkippedOthersServed(ids, ids.get(0), "HALF_DONE");
    }

    @Test
    void steps_that_are_not_a_list_or_lack_a_name_do_not_break_claims_or_queries_for_the_others() {
        List<String> ids = stranded();
        sql("UPDATE " + PREFIX + "instances SET steps = " + jsonParameter("json") + " WHERE id = ?",
                "{\"s1\":\"SUCCEEDED\"}", ids.get(2));

        assertOneRowSkippedOthersServed(ids, ids.get(2), "not a JSON array");
    }

    @Test
    void a_step_without_a_name_does_not_break_claims_or_queries_for_the_others() {
        List<String> ids = stranded();
        rewriteSteps(ids.get(2), "\\[\"s3\"", "[null");

        assertOneRowSkippedOthersServed(ids, ids.get(2), "has no name");
    }

    @Test
    void an_unreadable_row_is_left_exactly_as_it_is_by_every_poll_not_claimed_and_released() {
        List<String> ids = stranded();
        String bad = ids.get(0);
        rewriteSteps(bad, "\"PENDING\"", "\"HALF_DONE\"");
        String before = storedClaimColumns(bad);
        List<String> claimed = new ArrayList<>();

        for (int poll = 1; poll <= 3; poll++) {
            Instant now = kit.timer().now().plus(Duration.ofDays(poll));
            storeClock.follow(() -> now);
            store.claim(ClaimRequest.any("node-z", Duration.ofDays(10), Set.of(saga.fingerprint()), false, 100))
                    .forEach(instance -> claimed.add(instance.id()));
        }

        assertThat(claimed).as("the readable ones, once").containsExactlyInAnyOrder(ids.get(1), ids.get(2));
        assertThat(storedClaimColumns(bad)).as("version, owner, lease and update time after three polls")
                .isEqualTo(before);
    }

    @Test
    void an_unreadable_row_does_not_take_the_place_of_a_readable_one_within_a_claims_limit() {
        stranded();
        List<String> inClaimOrder = store.query(SagaQuery.all()).stream().map(SagaInstance::id).toList();
        rewriteSteps(inClaimOrder.get(0), "\"PENDING\"", "\"HALF_DONE\"");
        Instant now = kit.timer().now().plus(Duration.ofDays(1));
        storeClock.follow(() -> now);

        List<SagaInstance> claimed = store.claim(ClaimRequest.any("node-z", Duration.ofDays(1),
                Set.of(saga.fingerprint()), false, 1));

        assertThat(claimed).extracting(SagaInstance::id).containsExactly(inClaimOrder.get(1));
    }

    /** The columns a claim writes, as stored. */
    private String storedClaimColumns(String id) {
        return column("version", id) + " | " + column("owner", id) + " | " + column("lease_until", id) + " | "
                + column("updated_at", id);
    }

    @Test
    void data_of_the_wrong_shape_written_by_sql_fails_that_instance_for_an_operator_and_the_others_complete() {
        List<String> ids = stranded();
        sql("UPDATE " + PREFIX + "instances SET data = " + jsonParameter("json") + " WHERE id = ?",
                "{\"name\":[1,2],\"marks\":{}}", ids.get(0));

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        SagaInstance bad = store.find(ids.get(0)).orElseThrow();
        assertThat(bad.status()).isEqualTo(SagaStatus.FAILED);
        assertThat(bad.error()).contains("saga data cannot be read");
        assertThat(node.list(SagaQuery.withStatus(SagaStatus.FAILED))).extracting(SagaInfo::sagaId)
                .containsExactly(ids.get(0));
        assertThat(store.find(ids.get(1)).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        assertThat(store.find(ids.get(2)).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        node.close();
    }

    @Test
    void truncated_data_is_refused_by_the_schema_or_fails_that_instance_for_an_operator() {
        List<String> ids = stranded();
        String truncated = "{\"name\":\"t0\",\"marks\":[\"do s1\"";
        boolean refused;
        try {
            sql("UPDATE " + PREFIX + "instances SET data = " + jsonParameter("json") + " WHERE id = ?", truncated,
                    ids.get(0));
            refused = false;
        } catch (IllegalStateException e) {
            refused = true;
        }
        assertThat(refused).as("only H2 stores JSON unchecked").isEqualTo(database() != TestDatabase.H2);

        SagaOrchestrator node = kit.orchestrator().nodeId("node-a").register(saga).build();

        SagaInstance first = store.find(ids.get(0)).orElseThrow();
        assertThat(first.status()).isEqualTo(refused ? SagaStatus.COMPLETED : SagaStatus.FAILED);
        if (!refused) {
            assertThat(first.error()).contains("saga data cannot be read", "end-of-input");
        }
        assertThat(store.find(ids.get(1)).orElseThrow().status()).isEqualTo(SagaStatus.COMPLETED);
        node.close();
    }
}
