#!/usr/bin/env bash
# bench/cluster.sh — `./kaeru bench --cluster`: throughput on one Galera node against three, on
# this one machine (see README "Scaling out" for what the figures mean on three machines).
#
#   bench/cluster.sh BUILD      BUILD: a Release build (kaeru-fcgi, kaeru-admin)
#
# Starts tools/cluster.sh's three nodes, a kaeru-fcgi per node and nginx under BUILD/cluster-bench,
# loads one merchant's orders, and measures with wrk (bench/lua) the order lookup (reads) and
# return creation (durable writes, each certified by all three nodes) twice: every request to
# node 1's kaeru-fcgi alone, then spread by nginx over the three. Appends its table to
# bench/RESULTS.md's cluster section (bench/RESULTS-cluster.md). Stops the cluster at the end.
#
# Settings: KAERU_BENCH_CLUSTER_PORT (18491; node n's kaeru-fcgi alone at +n),
# KAERU_BENCH_CLUSTER_BASE (14900), KAERU_BENCH_CONNECTIONS (64), KAERU_BENCH_THREADS (2),
# KAERU_BENCH_DURATION (10), KAERU_BENCH_ORDERS (6000), KAERU_CLUSTER_WORKERS (kaeru-fcgi
# workers per node, 4).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
[ $# -eq 1 ] || { echo "usage: bench/cluster.sh BUILD" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)

PORT=${KAERU_BENCH_CLUSTER_PORT:-18491}
BASE=${KAERU_BENCH_CLUSTER_BASE:-14900}
CONNS=${KAERU_BENCH_CONNECTIONS:-64}
THREADS=${KAERU_BENCH_THREADS:-2}
DURATION=${KAERU_BENCH_DURATION:-10}
ORDERS=${KAERU_BENCH_ORDERS:-6000}
RESULTS=${KAERU_BENCH_CLUSTER_RESULTS:-$HERE/RESULTS-cluster.md}
VAR=$BUILD/cluster-bench
WORK=$VAR/bench
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
log() { printf '  %s\n' "$*" >&2; }
die() { printf 'kaeru bench --cluster: %s\n' "$*" >&2; exit 1; }

for c in wrk gawk curl mariadb nginx; do
	command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || die "$c is not installed"
done

trap '"$ROOT/tools/cluster.sh" down "$VAR" >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
"$ROOT/tools/cluster.sh" down "$VAR" >/dev/null 2>&1 || true
rm -rf "$VAR"
mkdir -p "$VAR"
say "starting three Galera nodes, a kaeru-fcgi per node and nginx on :$PORT in ${VAR#"$ROOT"/}"
"$ROOT/tools/cluster.sh" up "$VAR" "$BUILD" "$PORT" "$BASE"
mkdir -p "$WORK"
sql() { "$ROOT/tools/cluster.sh" sql "$VAR" 1 -N -B -e "$1"; }

say "loading $ORDERS orders of one merchant"
"$VAR/admin" warehouse create --code TYO1 --name "Tokyo DC" --address-json \
	'{"name":"かえる返品センター 東京","postal_code":"135-0064","region":"東京都","city":"江東区","line1":"青海2-4-32","country":"JP","phone":"03-5500-0001"}' >/dev/null
"$VAR/admin" merchant create --slug sakura --name "Sakura Apparel" --currency JPY --warehouse TYO1 >/dev/null
gawk -v slug=sakura -v currency=JPY -v prefix=SK -v n="$ORDERS" -v seed=1 -v now="$(date +%s)" \
	-v meta="$WORK/meta.txt" -f "$HERE/gen_orders.awk" >"$WORK/orders.jsonl"
"$VAR/admin" orders import --merchant sakura "$WORK/orders.jsonl" >"$WORK/import.log" 2>&1 ||
	die "orders import failed: $(tail -3 "$WORK/import.log")"
"$ROOT/tools/cluster.sh" sql "$VAR" 3 -e "SET SESSION wsrep_sync_wait = 15; SELECT 1" >/dev/null

# The meta lines split in halves: the one-node run and the three-node run each create returns on
# orders of their own (a line returned once cannot be returned again).
total=$(wc -l <"$WORK/meta.txt")
head -n $((total / 2)) "$WORK/meta.txt" >"$WORK/meta-1.txt"
tail -n +$((total / 2 + 1)) "$WORK/meta.txt" >"$WORK/meta-3.txt"

declare -A RPS P50 P99 ERRS
# measure NAME URL SPEC [LUA]
measure() {
	local name=$1 url=$2 spec=$3 lua=${4:-replay.lua} out=$WORK/wrk-$1.txt
	log "measuring $name"
	BENCH_SPEC=$spec BENCH_THREADS=$THREADS BENCH_LUA=$HERE/lua BENCH_CAPTURE=$WORK/tokens-$name \
		wrk -t"$THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency -s "$HERE/lua/$lua" "$url" \
		>"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $name"; }
	local line; line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; die "no figures from wrk for $name"; }
	kv() { sed "s/.* $1=\([0-9]*\).*/\1/" <<<"$line"; }
	RPS[$name]=$(awk -v r="$(kv requests)" -v d="$(kv duration_us)" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
	P50[$name]=$(awk -v v="$(kv p50_us)" 'BEGIN { printf "%.2f", v / 1000 }')
	P99[$name]=$(awk -v v="$(kv p99_us)" 'BEGIN { printf "%.2f", v / 1000 }')
	ERRS[$name]=$(($(kv status_errors) + $(kv socket_errors)))
	log "  ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, errors ${ERRS[$name]}"
}

run_set() { # run_set N URL: lookups, then returns on the tokens the lookups kept
	local n=$1 url=$2
	awk '{ printf "POST\t/api/v1/lookup\t-\t{\"merchant\":\"%s\",\"order_number\":\"%s\",\"email\":\"%s\"}\n", $1, $2, $3 }' \
		"$WORK/meta-$n.txt" >"$WORK/spec-lookup-$n.tsv"
	measure "lookup-$n" "$url/api/v1/lookup" "$WORK/spec-lookup-$n.tsv" lookup.lua
	cat "$WORK"/tokens-lookup-"$n".* | gawk '
		NR == FNR { token[$1] = $2; next }
		($2 in token) && $4 != "-" { split($4, a, ","); printf "POST\t/api/v1/returns\tAuthorization: Bearer %s|Idempotency-Key: bench-%s\t{\"items\":[{\"line_id\":\"%s\",\"quantity\":1,\"reason\":\"too_small\",\"resolution\":\"refund\"}]}\n", token[$2], $2, a[1] }
	' - "$WORK/meta-$n.txt" >"$WORK/spec-returns-$n.tsv"
	[ -s "$WORK/spec-returns-$n.tsv" ] || die "no order tokens were kept by lookup-$n"
	measure "returns-$n" "$url/api/v1/returns" "$WORK/spec-returns-$n.tsv"
}

say "measuring: wrk -t$THREADS -c$CONNS -d${DURATION}s"
run_set 1 "http://127.0.0.1:$((PORT + 1))"
run_set 3 "http://127.0.0.1:$PORT"
N_RETURNS=$(sql "SELECT COUNT(*) FROM returns")
RETRIES=$(cat "$VAR"/log/kaeru-fcgi-*.log 2>/dev/null | grep -c "transaction run again" || true)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
cat >"$RESULTS" <<MD
# kaeru on three Galera nodes: one node's throughput against three

Written by \`./kaeru bench --cluster\` (bench/cluster.sh).

- Date: $STARTED; machine load when it started (1/5/15 min): $LOADAVG
- Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo); every node,
  kaeru-fcgi, nginx and wrk on it
- Cluster: tools/cluster.sh — three MariaDB Galera nodes on loopback, one kaeru-fcgi
  (${KAERU_CLUSTER_WORKERS:-4} workers) per node, one nginx upstream over the three
- Load: wrk -t$THREADS -c$CONNS -d${DURATION}s per row; $ORDERS orders of one merchant, half for each
  run; $N_RETURNS returns created; $RETRIES transactions run again after a certification conflict

| measurement | one node: req/s | p50 ms | p99 ms | three nodes: req/s | p50 ms | p99 ms | three / one |
|---|--:|--:|--:|--:|--:|--:|--:|
| order lookup (read) | ${RPS[lookup-1]} | ${P50[lookup-1]} | ${P99[lookup-1]} | ${RPS[lookup-3]} | ${P50[lookup-3]} | ${P99[lookup-3]} | $(ratio "${RPS[lookup-3]}" "${RPS[lookup-1]}") |
| create return (durable write) | ${RPS[returns-1]} | ${P50[returns-1]} | ${P99[returns-1]} | ${RPS[returns-3]} | ${P50[returns-3]} | ${P99[returns-3]} | $(ratio "${RPS[returns-3]}" "${RPS[returns-1]}") |

Errors (answers ≥ 400 and socket errors): lookup ${ERRS[lookup-1]} / ${ERRS[lookup-3]}, create
${ERRS[returns-1]} / ${ERRS[returns-3]}. "One node" sends every request to node 1's kaeru-fcgi; its
writes are still certified and applied by the other two nodes, which share the same cores.
MD
say "written to ${RESULTS#"$ROOT"/}"
cat "$RESULTS"
