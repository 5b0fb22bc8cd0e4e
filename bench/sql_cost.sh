#!/bin/bash
# bench/sql_cost.sh N 'SQL' — MariaDB's CPU time per execution of one statement, on the stack
# `KAERU_BENCH_KEEP=1 ./kaeru bench` left up: runs SQL N times through one mariadb client
# session (text protocol, so parsing is included) and divides mariadbd's user + system CPU ticks
# (from /proc) by N. Used for the per-statement figures in bench/RESULTS.md's analysis.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STACK=${KAERU_BENCH_STACK:-$ROOT/build-bench/stack}
[ $# -eq 2 ] || { echo "usage: bench/sql_cost.sh N 'SQL'" >&2; exit 2; }
N=$1 SQL=$2
PID=$(cat "$STACK/run/mysqld.pid" 2>/dev/null) && kill -0 "$PID" 2>/dev/null ||
	{ echo "no bench stack up: run KAERU_BENCH_KEEP=1 ./kaeru bench first" >&2; exit 1; }
HZ=$(getconf CLK_TCK)
ticks() { awk '{ print $14 + $15 }' "/proc/$PID/stat"; }
before=$(ticks)
for ((i = 0; i < N; i++)); do printf '%s;\n' "$SQL"; done |
	mariadb --no-defaults --socket="$STACK/run/mysqld.sock" -uroot kaeru >/dev/null
after=$(ticks)
awk -v t=$((after - before)) -v hz="$HZ" -v n="$N" 'BEGIN { printf "%.0f µs\n", t * 1e6 / hz / n }'
