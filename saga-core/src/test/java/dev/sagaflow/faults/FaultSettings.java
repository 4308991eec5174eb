package dev.sagaflow.faults;

/**
 * How hard the fault suites search, from system properties that the Maven profiles set (see the
 * README's "Testing Sagaflow itself" section): {@code -Pexhaustive} sets {@code sagaflow.exhaustive=true};
 * {@code -Dsagaflow.random.cases=<n>} sets the number of random cases; {@code -Dsagaflow.random.seed=<seed>}
 * replays one random case.
 */
public final class FaultSettings {
    /** The first seed of the random cases; case {@code i} uses {@code BASE_SEED + i}. */
    public static final long BASE_SEED = 20_261_128L;

    private FaultSettings() {
    }

    /** Whether to try every combination the suites know, however long it takes. */
    public static boolean exhaustive() {
        return Boolean.getBoolean("sagaflow.exhaustive");
    }

    /**
     * How many random cases to run: {@code sagaflow.random.cases} if set, else {@code normal} (the
     * normal build's number for the store), 50 times that with {@link #exhaustive()}.
     */
    public static int randomCases(int normal) {
        String value = System.getProperty("sagaflow.random.cases");
        if (value != null && !value.isBlank()) {
            return Integer.parseInt(value.trim());
        }
        return exhaustive() ? normal * 50 : normal;
    }

    /** The one seed to replay ({@code sagaflow.random.seed}), or null to run the usual series. */
    public static Long replaySeed() {
        String value = System.getProperty("sagaflow.random.seed");
        return value == null || value.isBlank() ? null : Long.parseLong(value.trim());
    }
}
