package dev.sagaflow.jdbc.internal;

import java.util.regex.Pattern;

/**
 * The names of the store's tables for one table prefix: instances, history, node registrations, recorded
 * replies and the outbox. Immutable and thread-safe.
 */
public final class Tables {
    /** The prefix used when the host names none. */
    public static final String DEFAULT_PREFIX = "saga_";

    private static final Pattern SAFE_PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,29}");

    private final String prefix;
    private final String instances;
    private final String history;
    private final String nodes;
    private final String replies;
    private final String outbox;

    /**
     * The tables for {@code prefix}.
     *
     * @throws IllegalArgumentException if it is not a safe prefix (see {@link #checkPrefix(String)})
     */
    public Tables(String prefix) {
        this.prefix = checkPrefix(prefix);
        this.instances = this.prefix + "instances";
        this.history = this.prefix + "history";
        this.nodes = this.prefix + "nodes";
        this.replies = this.prefix + "replies";
        this.outbox = this.prefix + "outbox";
    }

    /**
     * Returns {@code prefix} if it is a safe unquoted identifier prefix: a letter or underscore, then
     * up to 29 letters, digits or underscores (so that every index name stays within 63 characters).
     *
     * @throws IllegalArgumentException otherwise
     */
    public static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw new IllegalArgumentException("tablePrefix cannot be null");
        }
        if (!SAFE_PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("tablePrefix must be a letter or '_' followed by at most 29 letters,"
                    + " digits or '_', was '" + prefix + "'");
        }
        return prefix;
    }

    /** The prefix. */
    public String prefix() {
        return prefix;
    }

    /** The instances table. */
    public String instances() {
        return instances;
    }

    /** The history table. */
    public String history() {
        return history;
    }

    /** The node registrations table. */
    public String nodes() {
        return nodes;
    }

    /** The recorded replies table. */
    public String replies() {
        return replies;
    }

    /** The outbox table. */
    public String outbox() {
        return outbox;
    }

    @Override
    public String toString() {
        return instances + ", " + history + ", " + nodes + ", " + replies + ", " + outbox;
    }
}
