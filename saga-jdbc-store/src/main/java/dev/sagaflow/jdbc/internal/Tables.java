package dev.sagaflow.jdbc.internal;

import java.util.regex.Pattern;

/**
 * The names of the store's two tables for one table prefix. Immutable and thread-safe.
 */
public final class Tables {
    /** The prefix used when the host names none. */
    public static final String DEFAULT_PREFIX = "saga_";

    private static final Pattern SAFE_PREFIX = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,29}");

    private final String prefix;
    private final String instances;
    private final String history;

    /**
     * The tables for {@code prefix}.
     *
     * @throws IllegalArgumentException if it is not a safe prefix (see {@link #checkPrefix(String)})
     */
    public Tables(String prefix) {
        this.prefix = checkPrefix(prefix);
        this.instances = this.prefix + "instances";
        this.history = this.prefix + "history";
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

    @Override
    public String toString() {
        return instances + ", " + history;
    }
}
