package dev.sagaflow.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the results as Markdown tables: absolute figures, ratios to the baselines, and issue 5's targets. */
final class Report {
    private Report() {
    }

    static String render(BenchmarkMain.Options options, Map<String, Map<String, Harness.Cell>> cells,
            Map<String, double[]> pgTransactions, Map<String, String> memory, Map<String, String> skipped) {
        StringBuilder out = new StringBuilder();
        List<String> keys = new ArrayList<>();
        List<String> heads = new ArrayList<>();
        for (String mode : options.modes) {
            for (int callers : options.concurrency) {
                keys.add(mode + callers);
                heads.add(mode.toUpperCase(Locale.ROOT) + " c" + callers);
            }
        }

        out.append("### Throughput (sagas/s, median of ").append(options.reps).append(" windows of ")
                .append(options.windowMillis).append(" ms after ").append(options.warmup).append(" warm-up windows)\n\n");
        out.append("| configuration | ").append(String.join(" | ", heads))
                .append(" | commits/saga HAPPY / FAIL (counted, lowest concurrency) | statements/saga HAPPY / FAIL (counted) | PG write transactions/saga HAPPY / FAIL (xid counter, server-wide, highest concurrency) | alloc/saga HAPPY / FAIL (c1) |\n");
        out.append("|---|").append("---:|".repeat(heads.size())).append("---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, Harness.Cell>> row : cells.entrySet()) {
            Map<String, Harness.Cell> r = row.getValue();
            out.append("| ").append(row.getKey());
            for (String key : keys) {
                Harness.Cell cell = r.get(key);
                out.append(" | ").append(cell == null ? "-" : rate(cell.medianRate()));
            }
            out.append(" | ").append(perSaga(r, "happy", Harness.Cell::commitsPerSaga)).append(" / ")
                    .append(perSaga(r, "fail", Harness.Cell::commitsPerSaga));
            out.append(" | ").append(perSaga(r, "happy", Harness.Cell::statementsPerSaga)).append(" / ")
                    .append(perSaga(r, "fail", Harness.Cell::statementsPerSaga));
            double[] pg = pgTransactions.get(row.getKey());
            out.append(" | ").append(pg == null ? "-" : two(pg[0]) + " / " + two(pg[1]));
            out.append(" | ").append(bytes(r.get("happy1"))).append(" / ").append(bytes(r.get("fail1"))).append(" |\n");
        }
        for (Map.Entry<String, String> skip : skipped.entrySet()) {
            out.append("\n").append(skip.getKey()).append(": skipped, ").append(skip.getValue());
        }

        out.append("\n### Where each saga's time goes (CPU of this JVM and of the local database server's"
                + " processes, per saga, at each number of callers; other clients of the same server add to the latter)\n\n");
        out.append("| configuration | mode");
        for (int callers : options.concurrency) {
            out.append(" | JVM CPU c").append(callers);
        }
        for (int callers : options.concurrency) {
            out.append(" | database CPU c").append(callers);
        }
        out.append(" | WAL bytes/saga |\n|---|---|").append("---:|".repeat(2 * options.concurrency.size() + 1))
                .append("\n");
        for (Map.Entry<String, Map<String, Harness.Cell>> row : cells.entrySet()) {
            for (String mode : options.modes) {
                out.append("| ").append(row.getKey()).append(" | ").append(mode.toUpperCase(Locale.ROOT));
                for (int callers : options.concurrency) {
                    Harness.Cell cell = row.getValue().get(mode + callers);
                    out.append(" | ").append(cell == null ? "-" : micros(cell.jvmCpuMicrosPerSaga()));
                }
                for (int callers : options.concurrency) {
                    Harness.Cell cell = row.getValue().get(mode + callers);
                    out.append(" | ").append(cell == null ? "-" : micros(cell.databaseCpuMicrosPerSaga()));
                }
                Harness.Cell first = row.getValue().get(mode + options.concurrency.get(0));
                out.append(" | ").append(first == null || Double.isNaN(first.walBytesPerSaga()) ? "-"
                        : String.format(Locale.ROOT, "%.0f", first.walBytesPerSaga())).append(" |\n");
            }
        }

        out.append("\n### Ratios to the baselines (same run; Camel: issue 5's reference figures)\n\n");
        out.append("| configuration | versus | ").append(String.join(" | ", heads)).append(" |\n");
        out.append("|---|---|").append("---:|".repeat(heads.size())).append("\n");
        for (String config : cells.keySet()) {
            for (String baseline : baselines(config)) {
                out.append("| ").append(config).append(" | ").append(baseline);
                for (String key : keys) {
                    out.append(" | ").append(format(ratio(cells, config, baseline, key)));
                }
                out.append(" |\n");
            }
        }

        out.append("\n### Targets (issue 5 in memory, issue 12 on the databases)\n\n");
        for (String config : List.of("sagaflow-mem-json", "sagaflow-mem-live")) {
            if (!cells.containsKey(config)) {
                continue;
            }
            target(out, config + " >= 5x Camel in every cell", cells, config, "camel", keys, 5.0);
            target(out, config + " within 10x of the generic interpreter (>= 0.1x) in every cell", cells, config,
                    "interpreter", keys, 0.1);
        }
        List<String> c1c16 = keys.stream().filter(k -> k.matches("\\D+(1|16)")).toList();
        if (cells.containsKey("sagaflow-pg")) {
            Map<String, Harness.Cell> pg = cells.get("sagaflow-pg");
            String happy = perSaga(pg, "happy", Harness.Cell::commitsPerSaga);
            String fail = perSaga(pg, "fail", Harness.Cell::commitsPerSaga);
            boolean exact = exactly(pg, "happy", 4) && exactly(pg, "fail", 6);
            out.append("- sagaflow-pg writes exactly 4 per HAPPY saga and 6 per FAIL saga: counted ").append(happy)
                    .append(" / ").append(fail).append(": **").append(exact ? "met" : "NOT met").append("**\n");
            target(out, "sagaflow-pg >= 0.9x raw JDBC in every cell (HAPPY/FAIL x 1/16 callers)", cells,
                    "sagaflow-pg", "raw-jdbc-pg", c1c16, 0.9);
            cpuTarget(out, cells, "sagaflow-pg", "raw-jdbc-pg", c1c16, 1.2);
        }
        if (cells.containsKey("sagaflow-mariadb")) {
            target(out, "sagaflow-mariadb >= 0.8x raw JDBC in every cell (HAPPY/FAIL x 1/16 callers)", cells,
                    "sagaflow-mariadb", "raw-jdbc-mariadb", c1c16, 0.8);
        }
        List<String> c64 = keys.stream().filter(k -> k.endsWith("64")).toList();
        if (cells.containsKey("sagaflow-pg-gc") && !c64.isEmpty()) {
            target(out, "sagaflow-pg-gc >= 2x raw JDBC at 64 callers (" + network() + ")", cells, "sagaflow-pg-gc",
                    "raw-jdbc-pg", c64, 2.0);
        }
        if (!memory.isEmpty()) {
            out.append("\n### Memory (heap in use after a full GC; in-memory stores keep their last ")
                    .append(SagaflowWorkload.RETAINED).append(" finished sagas)\n\n");
            for (Map.Entry<String, String> m : memory.entrySet()) {
                out.append("- ").append(m.getKey()).append(": ").append(m.getValue()).append("\n");
            }
        }
        return out.toString();
    }

    private static List<String> baselines(String config) {
        return switch (config) {
            case "sagaflow-mem-json", "sagaflow-mem-live" -> List.of("plain-java", "interpreter", "camel");
            case "interpreter" -> List.of("plain-java");
            case "sagaflow-pg", "sagaflow-pg-gc", "sagaflow-pg-gc4" -> List.of("raw-jdbc-pg");
            case "sagaflow-mariadb", "sagaflow-mariadb-gc" -> List.of("raw-jdbc-mariadb");
            default -> List.of();
        };
    }

    /** The network between this JVM and the databases, as netem.sh describes it, or loopback. */
    static String network() {
        String network = System.getenv("SAGAFLOW_NETWORK");
        return network == null || network.isBlank() ? "loopback" : network;
    }

    /** Database + JVM CPU per saga against the baseline's, the highest ratio over {@code keys}. */
    private static void cpuTarget(StringBuilder out, Map<String, Map<String, Harness.Cell>> cells, String config,
            String baseline, List<String> keys, double allowed) {
        double worst = Double.NEGATIVE_INFINITY;
        String worstKey = null;
        for (String key : keys) {
            Harness.Cell cell = cells.getOrDefault(config, Map.of()).get(key);
            Harness.Cell base = cells.getOrDefault(baseline, Map.of()).get(key);
            if (cell == null || base == null || Double.isNaN(cell.databaseCpuMicrosPerSaga())
                    || Double.isNaN(base.databaseCpuMicrosPerSaga())) {
                continue;
            }
            double r = (cell.jvmCpuMicrosPerSaga() + cell.databaseCpuMicrosPerSaga())
                    / (base.jvmCpuMicrosPerSaga() + base.databaseCpuMicrosPerSaga());
            if (r > worst) {
                worst = r;
                worstKey = key;
            }
        }
        if (worstKey == null) {
            out.append("- ").append(config).append(" database + JVM CPU per saga <= ").append(format(allowed))
                    .append(" ").append(baseline).append("'s: not measured\n");
            return;
        }
        out.append("- ").append(config).append(" database + JVM CPU per saga <= ").append(format(allowed))
                .append(" ").append(baseline).append("'s in every cell: highest ").append(format(worst)).append(" (")
                .append(worstKey).append("): **").append(worst <= allowed ? "met" : "NOT met").append("**\n");
    }

    private static void target(StringBuilder out, String what, Map<String, Map<String, Harness.Cell>> cells,
            String config, String baseline, List<String> keys, double needed) {
        double worst = Double.POSITIVE_INFINITY;
        String worstKey = null;
        for (String key : keys) {
            double r = ratio(cells, config, baseline, key);
            if (Double.isNaN(r)) {
                out.append("- ").append(what).append(": not measured (").append(baseline).append(" missing)\n");
                return;
            }
            if (r < worst) {
                worst = r;
                worstKey = key;
            }
        }
        out.append("- ").append(what).append(": lowest ").append(format(worst)).append(" (").append(worstKey)
                .append("): **").append(worst >= needed ? "met" : "NOT met").append("**\n");
    }

    static double ratio(Map<String, Map<String, Harness.Cell>> cells, String config, String baseline, String key) {
        Harness.Cell cell = cells.getOrDefault(config, Map.of()).get(key);
        if (cell == null) {
            return Double.NaN;
        }
        double base;
        if (baseline.equals("camel")) {
            base = switch (key) {
                case "happy1" -> BenchmarkMain.CAMEL[0];
                case "happy16" -> BenchmarkMain.CAMEL[1];
                case "fail1" -> BenchmarkMain.CAMEL[2];
                case "fail16" -> BenchmarkMain.CAMEL[3];
                default -> Double.NaN;
            };
        } else {
            Harness.Cell b = cells.getOrDefault(baseline, Map.of()).get(key);
            base = b == null ? Double.NaN : b.medianRate();
        }
        return cell.medianRate() / base;
    }

    private static boolean exactly(Map<String, Harness.Cell> row, String mode, double writes) {
        boolean any = false;
        for (Harness.Cell cell : row.values()) {
            if ((mode.equals("fail")) == cell.fail()) {
                any = true;
                if (Math.abs(cell.commitsPerSaga() - writes) >= 0.005) {
                    return false;
                }
            }
        }
        return any;
    }

    private static String perSaga(Map<String, Harness.Cell> row, String mode,
            java.util.function.ToDoubleFunction<Harness.Cell> figure) {
        // The figure of the lowest concurrency: the one least blurred by background writes.
        for (Harness.Cell cell : row.values()) {
            if (mode.equals("fail") == cell.fail() && !Double.isNaN(figure.applyAsDouble(cell))) {
                return String.format(Locale.ROOT, "%.2f", figure.applyAsDouble(cell));
            }
        }
        return "-";
    }

    private static String bytes(Harness.Cell cell) {
        if (cell == null) {
            return "-";
        }
        double b = cell.allocatedBytesPerSaga();
        return b >= 10_240 ? String.format(Locale.ROOT, "%.1f KB", b / 1024) : String.format(Locale.ROOT, "%.0f B", b);
    }

    private static String two(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    static String micros(double micros) {
        if (Double.isNaN(micros)) {
            return "-";
        }
        return micros >= 1000 ? String.format(Locale.ROOT, "%.2f ms", micros / 1000)
                : String.format(Locale.ROOT, "%.1f µs", micros);
    }

    static String format(double ratio) {
        if (Double.isNaN(ratio)) {
            return "-";
        }
        return ratio >= 100 ? String.format(Locale.ROOT, "%.0fx", ratio)
                : ratio >= 10 ? String.format(Locale.ROOT, "%.1fx", ratio) : String.format(Locale.ROOT, "%.2fx", ratio);
    }

    static String rate(double rate) {
        if (Double.isNaN(rate)) {
            return "-";
        }
        if (rate >= 1_000_000) {
            return String.format(Locale.ROOT, "%.2f M", rate / 1e6);
        }
        if (rate >= 10_000) {
            return String.format(Locale.ROOT, "%.0f k", rate / 1e3);
        }
        return String.format(Locale.ROOT, "%,.0f", rate);
    }

    static String rates(double[] rates) {
        StringBuilder s = new StringBuilder();
        for (double r : rates) {
            s.append(s.length() == 0 ? "" : ", ").append(rate(r));
        }
        return s.toString();
    }
}
