package dev.sagaflow.kafka.support;

import dev.sagaflow.messaging.TcpProxy;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A real single-node Kafka broker in KRaft mode (broker and controller in one process, no ZooKeeper, no Docker),
 * inside the test JVM, from the {@code kafka_2.13} artifact. It listens on loopback on free ports, keeps its log in
 * a temporary directory deleted on {@link #close()}, and is tuned to start in a few seconds (one partition for
 * internal topics, no rebalance delay). Clients reach it through a {@link TcpProxy}, so that a test can cut them
 * off ({@link #cutClients()}) while the broker runs on. Its own logging is kept to warnings by the module's
 * {@code simplelogger.properties}.
 *
 * <p>{@link #shared()} gives one broker per test JVM, started on first use and stopped when the JVM exits;
 * each test makes its own topics ({@link #topic(String, int)}). Thread-safe.
 */
public final class EmbeddedKafka implements AutoCloseable {
    private static EmbeddedKafka shared;
    private static Exception sharedFailure;

    private final Path directory;
    private final KafkaRaftServer server;
    private final TcpProxy proxy;
    private final Admin admin;

    private EmbeddedKafka(Path directory, KafkaRaftServer server, TcpProxy proxy) {
        this.directory = directory;
        this.server = server;
        this.proxy = proxy;
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        this.admin = Admin.create(config);
    }

    /**
     * The broker of this JVM, started on the first call (a later call after a failed start throws the same failure).
     *
     * @throws Exception if the broker cannot start
     */
    public static synchronized EmbeddedKafka shared() throws Exception {
        if (shared == null && sharedFailure == null) {
            try {
                shared = start();
                EmbeddedKafka started = shared;
                Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-kafka-stop"));
            } catch (Exception | LinkageError e) {
                sharedFailure = e instanceof Exception exception ? exception : new IllegalStateException(e);
            }
        }
        if (sharedFailure != null) {
            throw sharedFailure;
        }
        return shared;
    }

    /** Starts a new broker and waits until it answers. */
    public static EmbeddedKafka start() throws Exception {
        Path directory = Files.createTempDirectory("sagaflow-kafka-");
        try {
            int internal = freePort();
            int external = freePort();
            int controller = freePort();
            TcpProxy proxy = new TcpProxy("127.0.0.1", external);
            Properties properties = new Properties();
            properties.setProperty("node.id", "1");
            properties.setProperty("process.roles", "broker,controller");
            properties.setProperty("listeners", "INTERNAL://127.0.0.1:" + internal + ",EXTERNAL://127.0.0.1:" + external
                    + ",CONTROLLER://127.0.0.1:" + controller);
            // Clients are told the proxy's port; the broker talks to itself on its internal listener.
            properties.setProperty("advertised.listeners", "INTERNAL://127.0.0.1:" + internal + ",EXTERNAL://127.0.0.1:"
                    + proxy.port());
            properties.setProperty("listener.security.protocol.map",
                    "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT");
            properties.setProperty("inter.broker.listener.name", "INTERNAL");
            properties.setProperty("controller.listener.names", "CONTROLLER");
            properties.setProperty("controller.quorum.voters", "1@127.0.0.1:" + controller);
            properties.setProperty("log.dirs", directory.toString());
            properties.setProperty("num.partitions", "1");
            properties.setProperty("auto.create.topics.enable", "false");
            properties.setProperty("offsets.topic.replication.factor", "1");
            properties.setProperty("offsets.topic.num.partitions", "1");
            properties.setProperty("transaction.state.log.replication.factor", "1");
            properties.setProperty("transaction.state.log.min.isr", "1");
            properties.setProperty("transaction.state.log.num.partitions", "1");
            properties.setProperty("share.coordinator.state.topic.replication.factor", "1");
            properties.setProperty("share.coordinator.state.topic.min.isr", "1");
            properties.setProperty("group.initial.rebalance.delay.ms", "0");
            properties.setProperty("log.cleaner.dedupe.buffer.size", String.valueOf(2 * 1024 * 1024));
            properties.setProperty("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
            try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8)) {
                new Formatter().setNodeId(1).setClusterId(Uuid.randomUuid().toString())
                        .setDirectories(List.of(directory.toString())).setControllerListenerName("CONTROLLER")
                        .setReleaseVersion(MetadataVersion.latestProduction()).setHasDynamicQuorum(false)
                        .setPrintStream(quiet).run();
            }
            KafkaRaftServer server = new KafkaRaftServer(KafkaConfig.fromProps(properties), Time.SYSTEM);
            server.startup();
            EmbeddedKafka kafka = new EmbeddedKafka(directory, server, proxy);
            kafka.admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
            return kafka;
        } catch (Exception | Error e) {
            delete(directory);
            throw e;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Where clients connect: through the proxy. */
    public String bootstrapServers() {
        return "127.0.0.1:" + proxy.port();
    }

    /** Closes every client connection and refuses new ones, as an unreachable broker does; the broker runs on. */
    public void cutClients() {
        proxy.cut();
    }

    /** Lets clients connect again. */
    public void restoreClients() throws IOException {
        proxy.restore();
    }

    /** Creates a topic with a random name starting with {@code prefix}, and waits until it exists. */
    public String topic(String prefix, int partitions) throws Exception {
        String name = prefix + "-" + UUID.randomUUID();
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        return name;
    }

    /** An admin client of this broker (closed with it). */
    public Admin admin() {
        return admin;
    }

    /** Producer settings for this broker. */
    public Map<String, Object> producerConfig() {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return config;
    }

    /** Consumer settings for this broker, in consumer group {@code group}. */
    public Map<String, Object> consumerConfig(String group) {
        Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return config;
    }

    /** Stops the broker and deletes its log. */
    @Override
    public void close() {
        admin.close();
        proxy.close();
        server.shutdown();
        server.awaitShutdown();
        delete(directory);
    }

    private static void delete(Path directory) {
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system cleans it up eventually
        }
    }
}
