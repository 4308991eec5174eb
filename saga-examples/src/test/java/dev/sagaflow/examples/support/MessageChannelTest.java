package dev.sagaflow.examples.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MessageChannelTest {
    private final MessageChannel channel = new MessageChannel("test", Timeline.silent());

    @AfterEach
    void close() {
        channel.close();
    }

    @Test
    void a_message_arrives_as_a_copy_on_the_channel_thread() throws Exception {
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch received = new CountDownLatch(1);
        Ping sent = new Ping("hello", 1);
        List<Ping> copies = new CopyOnWriteArrayList<>();
        channel.subscribe(Ping.class, ping -> {
            copies.add(ping);
            threads.add(Thread.currentThread().getName());
            received.countDown();
        });

        channel.send(sent);

        assertThat(received.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(copies).containsExactly(sent);
        assertThat(copies.get(0)).isNotSameAs(sent);
        assertThat(threads).containsExactly("channel-test");
    }

    @Test
    void a_subscriber_that_throws_gets_the_message_again() throws Exception {
        CountDownLatch delivered = new CountDownLatch(3);
        channel.subscribe(Ping.class, ping -> {
            delivered.countDown();
            if (delivered.getCount() > 0) {
                throw new IllegalStateException("not yet");
            }
        });

        channel.send(new Ping("again", 2));

        assertThat(delivered.await(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void a_subscriber_that_always_throws_gets_the_message_five_times_and_then_no_more() throws Exception {
        List<Ping> deliveries = new CopyOnWriteArrayList<>();
        CountDownLatch fiveDeliveries = new CountDownLatch(MessageChannel.MAX_DELIVERIES);
        CountDownLatch pong = new CountDownLatch(1);
        channel.subscribe(Ping.class, ping -> {
            deliveries.add(ping);
            fiveDeliveries.countDown();
            throw new IllegalStateException("never");
        });
        channel.subscribe(Pong.class, p -> pong.countDown());

        channel.send(new Ping("poison", 3));
        assertThat(fiveDeliveries.await(10, TimeUnit.SECONDS)).isTrue();
        channel.send(new Pong());

        assertThat(pong.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(deliveries).hasSize(MessageChannel.MAX_DELIVERIES);
    }

    record Ping(String text, int number) {
    }

    record Pong() {
    }
}
