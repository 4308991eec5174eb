#!/usr/bin/env bash
# The database benchmark over loopback and with the databases one network hop away, in one command: raw JDBC,
# Sagaflow and Sagaflow with group commit (PostgreSQL), raw JDBC and Sagaflow (MariaDB), HAPPY and FAIL, at 1, 16
# and 64 callers; first over loopback, then through netem.sh at each round trip (0.5 and 2 ms). Needs root for
# the hop (netem.sh); the jar is built by `mvn -q -pl saga-benchmarks -am package -DskipTests`.
#
#   saga-benchmarks/run-all.sh [--runs N] [--rtts "0.5 2"] [benchmark options, e.g. --quick]
#   saga-benchmarks/run-all.sh --summarize saga-benchmarks/target/run-all-<time>   the medians of the runs there
#
# With --runs N the whole sequence (loopback, each round trip) runs N times, in turn, so that a slow phase of the
# machine does not fall on one setting only, and a table of the medians over the runs ends the output. Every
# run's full output is kept in saga-benchmarks/target/run-all-<time>/. Options after ours go to every run of the
# jar (a later --configs or --concurrency replaces ours).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
JAR=${JAR:-$HERE/target/saga-benchmarks.jar}
RUNS=1
RTTS="0.5 2"
ARGS=()
SUMMARIZE=
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) RUNS=$2; shift 2 ;;
        --rtts) RTTS=$2; shift 2 ;;
        --summarize) SUMMARIZE=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) ARGS+=("$1"); shift ;;
    esac
done
summarize() {
    local out=$1 setting
    echo
    echo "## Medians over the runs in $out (sagas/s; ratio to raw JDBC of the same database)"
    for setting in loopback $(ls "$out" | sed -n 's/^hop-\(.*\)-[0-9]*\.txt$/\1/p' | sort -n -u | sed 's/^/hop-/'); do
        echo
        echo "### ${setting/hop-/round trip } $( [ "$setting" = loopback ] || echo ms) ($(ls "$out/$setting"-*.txt | wc -l) runs)"
        echo
        # The per-cell lines the jar prints as it goes: name, mode, cN, rate, "sagas/s".
        cat "$out/$setting"-*.txt | gawk '
            $5 == "sagas/s" && $3 ~ /^c[0-9]+$/ {
                key = $1 SUBSEP $2 " " $3
                rate = $4; gsub(",", "", rate)
                rates[key] = rates[key] " " rate
                if (!($1 in seenConfig)) { seenConfig[$1] = 1; configs[++nc] = $1 }
                cell = $2 " " $3
                if (!(cell in seenCell)) { seenCell[cell] = 1; cells[++ncell] = cell }
            }
            function median(list,   a, n) {
                n = split(list, a, " "); asort(a, a, "@val_num_asc")
                return n == 0 ? "" : (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2)
            }
            function raw(config) { sub(/^sagaflow-/, "raw-jdbc-", config); sub(/-gc$/, "", config); return config }
            END {
                header = "| configuration |"; rule = "|---|"
                for (j = 1; j <= ncell; j++) { header = header " " cells[j] " |"; rule = rule "---:|" }
                print header; print rule
                for (i = 1; i <= nc; i++) {
                    line = "| " configs[i] " |"
                    for (j = 1; j <= ncell; j++) {
                        m = median(rates[configs[i], cells[j]])
                        line = line sprintf(" %s", m == "" ? "-" : sprintf("%.0f", m))
                        base = raw(configs[i])
                        if (base != configs[i] && m != "") {
                            b = median(rates[base, cells[j]])
                            if (b > 0) line = line sprintf(" (%.2fx)", m / b)
                        }
                        line = line " |"
                    }
                    print line
                }
            }'
    done
}
if [ -n "$SUMMARIZE" ]; then
    summarize "$SUMMARIZE"
    exit 0
fi
[ -f "$JAR" ] || { echo "run-all.sh: $JAR not found; build it with: mvn -q -pl saga-benchmarks -am package -DskipTests" >&2; exit 1; }
OUT=$HERE/target/run-all-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
COMMON=(--configs pg,mariadb --concurrency 1,16,64)

for run in $(seq 1 "$RUNS"); do
    echo "=== run $run of $RUNS: loopback ==="
    ${JAVA:-java} ${JAVA_OPTS:-} -jar "$JAR" "${COMMON[@]}" "${ARGS[@]}" | tee "$OUT/loopback-$run.txt"
    for rtt in $RTTS; do
        echo "=== run $run of $RUNS: ${rtt} ms round trip ==="
        JAR=$JAR "$HERE/netem.sh" run "$rtt" "${COMMON[@]}" --no-memory-check "${ARGS[@]}" | tee "$OUT/hop-$rtt-$run.txt"
    done
done

if [ "$RUNS" -gt 1 ]; then
    summarize "$OUT"
fi
echo
echo "run-all.sh: outputs in $OUT"
