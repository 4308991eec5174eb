package dev.sagaflow.spring.boot;

import dev.sagaflow.IllegalTransitionException;
import dev.sagaflow.SagaInfo;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaStatus;
import dev.sagaflow.UnknownSagaException;
import dev.sagaflow.store.HistoryEntry;
import dev.sagaflow.store.SagaQuery;
import dev.sagaflow.store.StepState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.lang.Nullable;

/**
 * The Actuator endpoint {@code sagaflow}: the operator's view of saga instances.
 *
 * <ul>
 *   <li>{@code GET /actuator/sagaflow?status=FAILED&saga=create-order&limit=100}: instances, oldest first
 *       (read);</li>
 *   <li>{@code GET /actuator/sagaflow/{id}}: one instance with its steps, data and history (read);</li>
 *   <li>{@code POST /actuator/sagaflow/{id}/retry} and {@code POST /actuator/sagaflow/{id}/abort} with an optional
 *       JSON body {@code {"reason": "..."}}: retry a FAILED saga, abort a RUNNING one before its pivot (write).</li>
 * </ul>
 *
 * <p>Secured the Spring way: like every endpoint but health it is not exposed over HTTP until
 * {@code management.endpoints.web.exposure.include} names it, and its default access is read-only, so the write
 * operations exist only with {@code management.endpoint.sagaflow.access=unrestricted}. Put the management
 * endpoints behind Spring Security ({@code EndpointRequest.to("sagaflow")}) as for any other. Thread-safe.
 */
@Endpoint(id = "sagaflow", defaultAccess = Access.READ_ONLY)
public class SagaflowEndpoint {
    private final SagaOrchestrator orchestrator;

    public SagaflowEndpoint(SagaOrchestrator orchestrator) {
        this.orchestrator = orchestrator;
    }

    /**
     * Instances selected by status (any of RUNNING, COMPENSATING, COMPLETED, COMPENSATED, FAILED; comma-separated)
     * and saga name, at most {@code limit} (default 100).
     */
    @ReadOperation
    public List<Map<String, Object>> list(@Nullable String status, @Nullable String saga, @Nullable Integer limit) {
        SagaQuery query = SagaQuery.all();
        if (status != null && !status.isBlank()) {
            List<SagaStatus> statuses = new ArrayList<>();
            for (String name : status.split(",")) {
                statuses.add(SagaStatus.valueOf(name.trim().toUpperCase(Locale.ROOT)));
            }
            query = SagaQuery.withStatus(statuses.toArray(new SagaStatus[0]));
        }
        if (saga != null && !saga.isBlank()) {
            query = query.sagaName(saga);
        }
        query = query.limit(limit == null ? 100 : limit);
        return orchestrator.list(query).stream().map(info -> summary(info, false)).toList();
    }

    /** One instance with its steps, data and history, or nothing (404) when there is no such instance. */
    @ReadOperation
    public Map<String, Object> find(@Selector String id) {
        return orchestrator.find(id).map(info -> summary(info, true)).orElse(null);
    }

    /**
     * {@code retry} a FAILED instance, or {@code abort} a RUNNING one (for {@code reason}). An action the saga's
     * state does not allow, or an unknown instance, answers 400 with the reason.
     */
    @WriteOperation
    public Map<String, Object> operate(@Selector String id, @Selector String action, @Nullable String reason) {
        try {
            switch (action) {
                case "retry" -> orchestrator.retry(id);
                case "abort" -> orchestrator.abort(id, reason);
                default -> throw new InvalidEndpointRequestException("unknown action '" + action + "'",
                        "unknown action '" + action + "': use retry or abort");
            }
        } catch (IllegalTransitionException | UnknownSagaException e) {
            // The operator asked for something the saga's state does not allow: a 400 with the reason.
            throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage());
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("id", id);
        result.put("action", action);
        result.put("status", orchestrator.find(id).map(info -> info.status().name()).orElse(null));
        return result;
    }

    private static Map<String, Object> summary(SagaInfo info, boolean details) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("id", info.sagaId());
        map.put("saga", info.sagaName());
        map.put("version", info.sagaVersion());
        map.put("status", info.status().name());
        map.put("owner", info.owner());
        map.put("createdAt", info.createdAt().toString());
        map.put("updatedAt", info.updatedAt().toString());
        map.put("error", info.error());
        List<Map<String, Object>> steps = new ArrayList<>();
        for (StepState step : info.steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("name", step.name());
            s.put("status", step.status().name());
            s.put("attempts", step.attempts());
            s.put("compensationAttempts", step.compensationAttempts());
            s.put("error", step.error());
            steps.add(s);
        }
        map.put("steps", steps);
        if (details) {
            map.put("data", info.dataJson());
            List<Map<String, Object>> history = new ArrayList<>();
            for (HistoryEntry entry : info.history()) {
                Map<String, Object> h = new LinkedHashMap<>();
                h.put("at", entry.at().toString());
                h.put("type", entry.type().name());
                h.put("step", entry.step());
                h.put("attempt", entry.attempt());
                h.put("detail", entry.detail());
                history.add(h);
            }
            map.put("history", history);
        }
        return map;
    }
}
