#!/usr/bin/env bash
# Puts the local PostgreSQL and MariaDB one network hop away from the benchmark, on this same machine: a network
# namespace (sfbench) joined to the host by a veth pair, with tc netem delaying every packet on both ends, so that
# one round trip costs the given time. The servers listen on 127.0.0.1 only, so socat forwards the host end of
# the pair to them (10.77.0.1:15432 -> 127.0.0.1:5432, 10.77.0.1:13306 -> 127.0.0.1:3306); the benchmark's JVM
# runs inside the namespace and reaches the servers through the hop. Needs root (ip, tc), socat and ping.
# Where the kernel has no netem (CONFIG_NET_SCH_NETEM not set and no module to load, as on the VMs these results
# come from), the delay is added by src/netem/delay-forward.c instead of netem, a forwarder that holds each chunk
# of bytes for half the round trip in each direction, in place of socat (built with cc on first use).
#
#   saga-benchmarks/netem.sh up <rtt-ms>                 set up (after a cleanup), check the round trip with ping
#   saga-benchmarks/netem.sh down                        remove everything (idempotent)
#   saga-benchmarks/netem.sh run <rtt-ms> [benchmark options]
#                                                        up, the benchmark jar inside the namespace, down (also on
#                                                        failure or Ctrl-C); options as for the jar, e.g. --quick
#
# Environment: JAVA (default java), JAR (default saga-benchmarks/target/saga-benchmarks.jar, built by
# `mvn -q -pl saga-benchmarks -am package -DskipTests`), JAVA_OPTS, SFBENCH_DELAY=netem|forwarder (default:
# netem where the kernel has it). No iptables rules are made.
set -euo pipefail

NS=sfbench
HOST_IF=sfb-host
NS_IF=sfb-ns
HOST_IP=10.77.0.1
NS_IP=10.77.0.2
PG_PORT=15432
MARIADB_PORT=13306
STATE=/run/sfbench
HERE=$(cd "$(dirname "$0")" && pwd)

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
}

require_root() {
    if [ "$(id -u)" -ne 0 ]; then
        echo "netem.sh: needs root (ip netns, tc)" >&2
        exit 1
    fi
    for tool in ip tc socat ping; do
        command -v "$tool" >/dev/null || { echo "netem.sh: $tool not found" >&2; exit 1; }
    done
}

# The one-way delay on each end, in microseconds: half the round trip.
half_delay_us() {
    awk -v rtt="$1" 'BEGIN { if (rtt !~ /^[0-9]+(\.[0-9]+)?$/ || rtt <= 0) exit 1; printf "%d", rtt * 1000 / 2 }' \
        || { echo "netem.sh: the round trip must be a positive number of milliseconds, not '$1'" >&2; exit 2; }
}

down() {
    if [ -d "$STATE" ]; then
        for pidfile in "$STATE"/forward-*.pid; do
            [ -e "$pidfile" ] || continue
            pid=$(cat "$pidfile")
            # Only the forwarders this script started (their pid files), and socat's forked children.
            if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
                pkill -TERM -P "$pid" 2>/dev/null || true
                kill -TERM "$pid" 2>/dev/null || true
                wait "$pid" 2>/dev/null || true
            fi
            rm -f "$pidfile"
        done
    fi
    # Deleting either end of a veth pair deletes both; deleting the namespace deletes the end inside it.
    ip link del "$HOST_IF" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
    rm -rf "$STATE"
}

# Forwards HOST_IP:port to 127.0.0.1:target_port; with a one-way delay in microseconds when the second argument
# is not 0 (the forwarder), else plainly (socat, the delay being netem's).
forward() {
    local port=$1 target_port=$2 delay_us=$3
    if [ "$delay_us" -eq 0 ]; then
        socat "TCP-LISTEN:$port,bind=$HOST_IP,reuseaddr,fork,nodelay" "TCP:127.0.0.1:$target_port,nodelay" &
    else
        # Real-time priority: it stands for the network, which does not wait for a core behind the benchmark's
        # threads. On a loaded machine it otherwise wakes late (0.5 ms asked, 0.84 ms measured at load 20 on 2
        # cores). It blocks in epoll_wait between chunks, so it takes a core only while it forwards.
        chrt -f 10 "$FORWARDER" "$HOST_IP" "$port" 127.0.0.1 "$target_port" "$delay_us" &
    fi
    echo $! >"$STATE/forward-$port.pid"
}

FORWARDER=$STATE/delay-forward

build_forwarder() {
    cc -O2 -o "$FORWARDER" "$HERE/src/netem/delay-forward.c" \
        || { echo "netem.sh: cannot build $HERE/src/netem/delay-forward.c" >&2; exit 1; }
}

# netem on both ends of the pair, half the round trip each; fails (and adds nothing) without netem.
add_netem() {
    local half=$1
    tc qdisc add dev "$HOST_IF" root netem delay "${half}us" limit 100000 2>/dev/null || return 1
    ip netns exec "$NS" tc qdisc add dev "$NS_IF" root netem delay "${half}us" limit 100000
}

up() {
    local rtt=$1 half
    half=$(half_delay_us "$rtt")
    down
    mkdir -p "$STATE"
    ip netns add "$NS"
    ip link add "$HOST_IF" type veth peer name "$NS_IF"
    ip link set "$NS_IF" netns "$NS"
    ip addr add "$HOST_IP/24" dev "$HOST_IF"
    ip link set "$HOST_IF" up
    ip netns exec "$NS" ip addr add "$NS_IP/24" dev "$NS_IF"
    ip netns exec "$NS" ip link set "$NS_IF" up
    ip netns exec "$NS" ip link set lo up
    # Half the round trip on each end: packets to the servers wait on the namespace's end, answers on the host's.
    local mode=${SFBENCH_DELAY:-netem} forward_delay=0
    if [ "$mode" = netem ] && ! add_netem "$half"; then
        echo "netem.sh: this kernel has no tc netem; the delay is added by the forwarder instead" >&2
        mode=forwarder
    fi
    if [ "$mode" = forwarder ]; then
        build_forwarder
        forward_delay=$half
    fi
    forward "$PG_PORT" 5432 "$forward_delay"
    forward "$MARIADB_PORT" 3306 "$forward_delay"
    sleep 0.3
    for port in "$PG_PORT" "$MARIADB_PORT"; do
        kill -0 "$(cat "$STATE/forward-$port.pid")" 2>/dev/null \
            || { echo "netem.sh: the forwarder on $HOST_IP:$port did not start" >&2; exit 1; }
    done
    echo "$mode" >"$STATE/mode"
    echo "netem.sh: namespace $NS at $NS_IP, servers at $HOST_IP:$PG_PORT (PostgreSQL) and :$MARIADB_PORT (MariaDB);" \
        "${half} us each way by $([ "$mode" = netem ] && echo "tc netem on both veth ends, socat forwarding" || echo "delay-forward")"
    # ping crosses the veth pair (and netem, where it is used; not the forwarder, which carries TCP only).
    ip netns exec "$NS" ping -q -n -c 10 -i 0.05 "$HOST_IP" | tail -1
    # The round trip the benchmark sees: SELECT 1 over the hop, as psql times it.
    if command -v psql >/dev/null; then
        ip netns exec "$NS" psql -h "$HOST_IP" -p "$PG_PORT" -U "${SAGAFLOW_PG_USER:-postgres}" -d test -At \
            -c '\timing on' -c 'SELECT 1' -c 'SELECT 1' -c 'SELECT 1' -c 'SELECT 1' -c 'SELECT 1' 2>&1 \
            | awk '/^Time:/ { t[n++] = $2 } END { asort(t); if (n) printf "netem.sh: SELECT 1 over the hop: %.2f ms (median of %d, psql)\n", t[int((n + 1) / 2)], n }'
    fi
}

run() {
    local rtt=$1
    shift
    local jar=${JAR:-$HERE/target/saga-benchmarks.jar}
    [ -f "$jar" ] || { echo "netem.sh: $jar not found; build it with: mvn -q -pl saga-benchmarks -am package -DskipTests" >&2; exit 1; }
    trap down EXIT
    trap 'exit 130' INT TERM
    up "$rtt"
    echo "netem.sh: benchmark over a ${rtt} ms round trip: ${JAVA:-java} -jar $jar $*"
    # shellcheck disable=SC2086 # JAVA_OPTS is a list of options
    ip netns exec "$NS" env \
        SAGAFLOW_PG_URL="jdbc:postgresql://$HOST_IP:$PG_PORT/test" \
        SAGAFLOW_MARIADB_URL="jdbc:mariadb://$HOST_IP:$MARIADB_PORT/test" \
        SAGAFLOW_NETWORK="${rtt} ms round trip ($(cat "$STATE/mode") on a veth pair between network namespaces)" \
        "${JAVA:-java}" ${JAVA_OPTS:-} -jar "$jar" "$@"
}

[ $# -ge 1 ] || usage
command=$1
shift
case "$command" in
    up) [ $# -eq 1 ] || usage; require_root; up "$1" ;;
    down) [ $# -eq 0 ] || usage; require_root; down ;;
    run) [ $# -ge 1 ] || usage; require_root; run "$@" ;;
    *) usage ;;
esac
