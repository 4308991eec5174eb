package dev.sagaflow.messaging;

import dev.sagaflow.OrchestratorClosedException;
import dev.sagaflow.ReplyRejectedException;
import dev.sagaflow.SagaOrchestrator;
import dev.sagaflow.SagaReply;
import dev.sagaflow.SagaStoreException;
import dev.sagaflow.internal.Checks;
import dev.sagaflow.store.OutboxMessage;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a received reply message into {@link SagaOrchestrator#reply(SagaReply)} and says what the consumer
 * must do with the broker's message: the acknowledgement rule every reply consumer follows, whatever the
 * broker. {@code saga-rabbitmq} and {@code saga-kafka} use it; a host consuming replies from another broker
 * calls {@link #handle} from its own consumer.
 *
 * <ul>
 *   <li>{@link Decision#ACK}: the reply is durable (applied, or recorded for the instance's owner), or it was
 *       definitely rejected: late, a duplicate (a redelivery of a reply already applied or recorded), or for an
 *       instance or step that does not exist or does not wait. Acknowledge (commit) the message.</li>
 *   <li>{@link Decision#REQUEUE}: the reply could not be recorded now (the store is unreachable, the
 *       orchestrator is closing, or this node does not know the saga's definition, as during a rolling
 *       deploy). Do not acknowledge; have the broker deliver it again, after a pause.</li>
 *   <li>{@link Decision#REJECT}: the message can never be applied (it is no Sagaflow reply, or the store refuses
 *       it for good). It was logged at ERROR; drop it or dead-letter it.</li>
 * </ul>
 *
 * <p>Redeliveries need no cache of their own: the runtime rejects a second reply for a step, so a redelivered
 * reply is acknowledged and never applied twice. Thread-safe; {@link #handle} may be called from any number of
 * consumer threads at once. It never waits for a running step's action.
 */
public final class ReplyHandler {
    private static final Logger log = LoggerFactory.getLogger(ReplyHandler.class);

    /** What to do with a reply message once it was handled. */
    public enum Decision {
        /** Acknowledge: the reply is durable, or definitely rejected. */
        ACK,
        /** Deliver again later: the reply is not recorded. */
        REQUEUE,
        /** Drop or dead-letter: the message can never be applied. */
        REJECT
    }

    private final SagaOrchestrator orchestrator;

    private ReplyHandler(SagaOrchestrator orchestrator) {
        this.orchestrator = Checks.notNull(orchestrator, "orchestrator");
    }

    /** A handler that delivers replies to {@code orchestrator}. */
    public static ReplyHandler of(SagaOrchestrator orchestrator) {
        return new ReplyHandler(orchestrator);
    }

    /**
     * Reads a reply message ({@link SagaMessages#toReply}), delivers it, and decides. Never throws for a message
     * or a store problem: every outcome is a decision, logged where someone can act on it.
     *
     * @param headers the message's headers as text
     * @param body the message's body, or {@code null}
     */
    public Decision handle(Map<String, String> headers, byte[] body) {
        SagaReply reply;
        try {
            reply = SagaMessages.toReply(headers, body);
        } catch (IllegalArgumentException e) {
            log.error("dropping a message that is no Sagaflow reply (message id {}): {}",
                    headers == null ? null : headers.get(OutboxMessage.MESSAGE_ID_HEADER), e.getMessage());
            return Decision.REJECT;
        }
        return deliver(reply);
    }

    /** Delivers an already mapped reply and decides; as {@link #handle}. */
    public Decision deliver(SagaReply reply) {
        Checks.notNull(reply, "reply");
        try {
            orchestrator.reply(reply);
            return Decision.ACK;
        } catch (ReplyRejectedException e) {
            // Late, duplicate or unknown: redelivering it can never apply it.
            log.debug("reply rejected, acknowledging it: {}", e.getMessage());
            return Decision.ACK;
        } catch (SagaStoreException e) {
            if (e.isPermanent()) {
                log.error("dropping a reply the store refuses for good: {}", e.getMessage());
                return Decision.REJECT;
            }
            log.debug("reply not recorded, to be delivered again: {}", e.getMessage());
            return Decision.REQUEUE;
        } catch (OrchestratorClosedException e) {
            return Decision.REQUEUE;
        } catch (IllegalArgumentException e) {
            log.error("dropping a reply that cannot be applied: {}", e.getMessage());
            return Decision.REJECT;
        } catch (RuntimeException e) {
            // An unknown or changed definition (a rolling deploy), or anything unforeseen: another delivery, maybe
            // on another node, may succeed, and a reply that was recorded after all is rejected as a duplicate then.
            log.warn("reply for {} not delivered, to be delivered again: {}",
                    SagaReply.correlationId(reply.sagaId(), reply.step()), e.toString());
            return Decision.REQUEUE;
        }
    }
}
