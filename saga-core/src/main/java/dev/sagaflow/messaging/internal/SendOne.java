package dev.sagaflow.messaging.internal;

import dev.sagaflow.messaging.MessageSender;
import dev.sagaflow.store.OutboxMessage;
import java.util.List;

/** {@link MessageSender#send} for senders whose batch method does the work: a batch of one. */
public final class SendOne {
    private SendOne() {
    }

    /** Sends {@code message} with {@code sender.sendAll} and throws its failure, if any. */
    public static void through(MessageSender sender, OutboxMessage message) throws Exception {
        Exception failure = sender.sendAll(List.of(message)).get(message.id());
        if (failure != null) {
            throw failure;
        }
    }
}
