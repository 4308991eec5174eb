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
                .append(" | commits/saga HAPPY / FAIL (counted, lowest concurrency) | PG write transactions/saga HAPPY / FAIL (xid counter, server-wide, highest concurrency) | alloc/saga HAPPY / FAIL (c1) |\n");
        out.append("|---|").append("---:|".repeat(heads.size())).append("---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, Harness.Cell>> row : cells.entrySet()) {
            Map<String, Harness.Cell> r = row.getValue();
            out.append("| ").append(row.getKey());
            for (String key : keys) {
                Harness.Cell cell = r.get(key);
                out.append(" | ").append(cell == null ? "-" : rate(cell.medianRate()));
            }
            out.append(" | ").append(perSaga(r, "happy", Harness.Cell::commitsPerSaga)).append(" / ")
                    .append(perSaga(r, "fail", Harness.Cell::commitsPerSaga));
            double[] pg = pgTransactions.get(row.getKey());
            out.append(" | ").append(pg == null ? "-" : String.format(Locale.ROOT, "%.2f / %.2f", pg[0], pg[1]));
            out.append(" | ").append(bytes(r.get("happy1"))).append(" / ").append(bytes(r.get("fail1"))).append(" |\n");
        }
        for (Map.Entry<String, String> skip : skipped.entrySet()) {
            out.append("\n").append(skip.getKey()).append(": skipped, ").append(skip.getValue());
        }

        out.append("\n### Where each saga's time goes (c1 / c16; CPU of this JVM and of the local database server's"
                + " processes, per saga; other clients of the same server add to the latter)\n\n");
        out.append("| configuration | mode | JVM CPU c1 | JVM CPU c16 | database CPU c1 | database CPU c16 | WAL bytes/saga |\n");
        out.append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, Map<String, Harness.Cell>> row : cells.entrySet()) {
            for (String mode : options.modes) {
                Harness.Cell c1 = row.getValue().get(mode + 1);
                Harness.Cell c16 = row.getValue().get(mode + 16);
                out.append("| ").append(row.getKey()).append(" | ").append(mode.toUpperCase(Locale.ROOT))
                        .append(" | ").append(c1 == null ? "-" : micros(c1.jvmCpuMicrosPerSaga()))
                        .append(" | ").append(c16 == null ? "-" : micros(c16.jvmCpuMicrosPerSaga()))
                        .append(" | ").append(c1 == null ? "-" : micros(c1.databaseCpuMicrosPerSaga()))
                        .append(" | ").append(c16 == null ? "-" : micros(c16.databaseCpuMicrosPerSaga()))
                        .append(" | ").append(c1 == null || Double.isNaN(c1.walBytesPerSaga()) ? "-"
                                : String.format(Locale.ROOT, "%.0f", c1.walBytesPerSaga()))
                        .append(" |\n");
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

        out.append("\n### Issue 5's targets\n\n");
        for (String config : List.of("sagaflow-mem-json", "sagaflow-mem-live")) {
            if (!cells.containsKey(config)) {
                continue;
            }
            target(out, config + " >= 5x Camel in every cell", cells, config, "camel", keys, 5.0);
            target(out, config + " within 10x of the generic interpreter (>= 0.1x) in every cell", cells, config,
                    "interpreter", keys, 0.1);
        }
        if (cells.containsKey("sagaflow-pg")) {
            Map<String, Harness.Cell> pg = cells.get("sagaflow-pg");
            String happy = perSaga(pg, "happy", Harness.Cell::commitsPerSaga);
            String fail = perSaga(pg, "fail", Harness.Cell::commitsPerSaga);
            boolean exact = exactly(pg, "happy", 4) && exactly(pg, "fail", 6);
            out.append("- sagaflow-pg writes exactly 4 per HAPPY saga and 6 per FAIL saga: counted ").append(happy)
                    .append(" / ").append(fail).append(": **").append(exact ? "met" : "NOT met").append("**\n");
            target(out, "sagaflow-pg >= 0.9x raw JDBC in every cell", cells, "sagaflow-pg", "raw-jdbc-pg", keys, 0.9);
        }
        if (cells.containsKey("sagaflow-pg-gc")) {
            List<String> c16 = keys.stream().filter(k -> k.endsWith("16")).toList();
            target(out, "sagaflow-pg-gc >= 3x raw JDBC at concurrency 16", cells, "sagaflow-pg-gc", "raw-jdbc-pg",
                    c16, 3.0);
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
            case "sagaflow-pg", "sagaflow-pg-gc" -> List.of("raw-jdbc-pg");
            case "sagaflow-mariadb", "sagaflow-mariadb-gc" -> List.of("raw-jdbc-mariadb");
            default -> List.of();
        };
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
