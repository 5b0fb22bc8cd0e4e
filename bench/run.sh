#!/usr/bin/env bash
# bench/run.sh — the driver of `./kaeru bench` (see bench/README.md).
#
#   bench/run.sh BUILD      BUILD: a Release build with kaeru-fcgi, kaeru-admin,
#                           kaeru-label-sample and kaeru-bench-bare
#
# Brings up a private stack in BUILD/stack (MariaDB, kaeru-fcgi, nginx, plus the bare libfcgi
# responder behind the same nginx), loads a data set, measures with wrk, prints a table and
# writes bench/RESULTS.md. Stops its stack at the end, also on failure.
#
# Settings (environment): KAERU_BENCH_PORT (18391), KAERU_BENCH_DB_PORT (13591),
# KAERU_BENCH_WORKERS (16), KAERU_BENCH_CONNECTIONS (64), KAERU_BENCH_THREADS (2),
# KAERU_BENCH_DURATION (seconds per measurement, 10), KAERU_BENCH_ORDERS (orders per merchant, 3000),
# KAERU_BENCH_RESULTS (where to write the results, bench/RESULTS.md), KAERU_BENCH_PHONE_RUNS
# (runs of bench/phone.mjs, cold and warm each, 5), KAERU_BENCH_PERF=1 (also
# profile every measurement with `perf record -a -g` into BUILD/bench/perf-NAME.txt; slows the
# figures a little), KAERU_BENCH_KEEP=1 (leave the stack and its data up afterwards, to measure or
# profile one endpoint by hand).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
[ $# -eq 1 ] || { echo "usage: bench/run.sh BUILD" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
BENCH_NAME="kaeru bench"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

DURATION=${KAERU_BENCH_DURATION:-10}
ORDERS=${KAERU_BENCH_ORDERS:-3000}
RESULTS=${KAERU_BENCH_RESULTS:-$HERE/RESULTS.md}
WORK=$BUILD/bench

bench_require kaeru-fcgi kaeru-admin kaeru-label-sample kaeru-bench-bare
bench_lock

# ---------------------------------------------------------------------------------------------
# The stack: a fresh datadir every run, so every run measures the same data set.

STACK=$BUILD/stack
stack_down
rm -rf "$STACK" "$WORK"
mkdir -p "$WORK"
stack_up "$STACK"
DURABLE=$(sql "SELECT @@innodb_flush_log_at_trx_commit")
MACHINE=$(machine_md)
[ "$DURABLE" = 1 ] || log "warning: innodb_flush_log_at_trx_commit is $DURABLE, commits are not durable"

# ---------------------------------------------------------------------------------------------
# The data set: two warehouses, four merchants (two JPY shipping to Tokyo, two USD to New Jersey),
# ORDERS orders each, their inventory, and staff users. Orders go in with kaeru-admin's bulk
# import, the four merchants at once.

say "loading the data set: 4 merchants × $ORDERS orders"
make_warehouses

# slug currency warehouse order-prefix name
MERCHANTS="sakura JPY TYO1 SK Sakura_Apparel_さくらアパレル
tsubame JPY TYO1 TB 燕堂_Tsubame-do
maple USD NJ1 MP Maple_Outdoor_Co.
harbor USD NJ1 HB Harbor_&_Pine"
SLUGS=$(awk '{print $1}' <<<"$MERCHANTS")
declare -A KEY
NOW=$(date +%s)
seed=0
pids=()
while read -r slug cur wh prefix name; do
	KEY[$slug]=$("$ADMIN" merchant create --slug "$slug" --name "${name//_/ }" --currency "$cur" \
		--warehouse "$wh" | tail -n 1)
	seed=$((seed + 1))
	gawk -v slug="$slug" -v currency="$cur" -v prefix="$prefix" -v n="$ORDERS" -v seed="$seed" \
		-v now="$NOW" -v meta="$WORK/meta-$slug.txt" -v inventory="$WORK/inventory-$slug.json" \
		-f "$HERE/gen_orders.awk" >"$WORK/orders-$slug.jsonl"
	"$ADMIN" orders import --merchant "$slug" "$WORK/orders-$slug.jsonl" >"$WORK/import-$slug.log" 2>&1 &
	pids+=($!)
done <<<"$MERCHANTS"
for p in "${pids[@]}"; do wait "$p" || die "orders import failed: see $WORK/import-*.log"; done
for slug in $SLUGS; do
	grep -q " 0 refused" "$WORK/import-$slug.log" || die "orders import refused orders: $(tail -3 "$WORK/import-$slug.log")"
	curl -sf -X PUT -H "Authorization: Bearer ${KEY[$slug]}" -H 'Content-Type: application/json' \
		--data-binary "@$WORK/inventory-$slug.json" "$URL/api/v1/merchants/$slug/inventory" >/dev/null \
		|| die "inventory of $slug refused"
done

make_staff $SLUGS
sign_in_staff $SLUGS
N_ORDERS=$(sql "SELECT COUNT(*) FROM orders")
N_LINES=$(sql "SELECT COUNT(*) FROM order_lines")
log "$N_ORDERS orders with $N_LINES lines loaded in $((SECONDS - T0)) s"

# ---------------------------------------------------------------------------------------------
# Measuring: bench/lib.sh's measure, wrk at CONNS connections for DURATION seconds.

# kaeru-fcgi's peak so far comes from the setup (staff sign-ins hash passwords with Argon2id);
# start its peak afresh for the measured load (writing 5 to clear_refs resets VmHWM).
SETUP_HWM_MB=$(hwm_mb)
if echo 5 >"/proc/$FCGI_PID/clear_refs" 2>/dev/null; then HWM_RESET=yes; else HWM_RESET=no; fi

say "measuring: wrk -t$THREADS -c$CONNS -d${DURATION}s, $WORKERS kaeru-fcgi workers"
# Warm nginx and both FastCGI paths up a little first (not counted).
BENCH_THREADS=$THREADS BENCH_LUA=$HERE/lua wrk -t"$THREADS" -c"$CONNS" -d2s -s "$HERE/lua/replay.lua" \
	"$URL/bench/bare" >/dev/null 2>&1 || true

measure static /bench/static
measure bare /bench/bare

# Order lookup over every order of the four merchants, interleaved; keeps the order tokens.
paste -d '\n' "$WORK"/meta-*.txt | awk 'NF' |
	awk -v OFS='\t' '{ printf "POST\t/api/v1/lookup\t-\t{\"merchant\":\"%s\",\"order_number\":\"%s\",\"email\":\"%s\"}\n", $1, $2, $3 }' \
		>"$WORK/spec-lookup.tsv"
measure lookup /api/v1/lookup "$WORK/spec-lookup.tsv" lookup.lua

# Create return: one eligible line per request, each order's first eligible line before any
# order's second, so concurrent requests touch different orders. Every request carries an
# Idempotency-Key, as the portal sends one.
cat "$WORK"/tokens.* >"$WORK/tokens.txt"
cat "$WORK"/meta-*.txt | gawk '
	NR == FNR { token[$1] = $2; next }
	($2 in token) && $4 != "-" { n++; num[n] = $2; el[n] = $4 }
	END {
		nr = split("too_small too_large not_as_described damaged defective wrong_item changed_mind arrived_late other", reason, " ")
		for (r = 1; r <= 5; r++)
			for (k = 1; k <= n; k++) {
				if (split(el[k], a, ",") < r) continue
				printf "POST\t/api/v1/returns\tAuthorization: Bearer %s|Idempotency-Key: bench-%s-%s\t{\"items\":[{\"line_id\":\"%s\",\"quantity\":1,\"reason\":\"%s\",\"resolution\":\"%s\"}]}\n",
				       token[num[k]], num[k], a[r], a[r], reason[(k + r) % nr + 1], (k % 10 < 7 ? "refund" : "store_credit")
			}
	}' "$WORK/tokens.txt" - >"$WORK/spec-returns.tsv"
N_RETURN_SPEC=$(wc -l <"$WORK/spec-returns.tsv")
[ "$N_RETURN_SPEC" -gt 0 ] || die "no order tokens were kept by the lookup run"
measure returns /api/v1/returns "$WORK/spec-returns.tsv"
N_RETURNS=$(sql "SELECT COUNT(*) FROM returns")
# Requests still in flight when wrk stops are not counted by wrk but may have committed.
CREATED_RPS=$(awk -v n="$N_RETURNS" -v s="${SECS[returns]}" 'BEGIN { printf "%.0f", n / s }')
log "  $N_RETURNS returns created ($CREATED_RPS/s; ${REQS[returns]} answers counted by wrk, $N_RETURN_SPEC distinct requests prepared)"

# Label PDF through the tracking key, over every return.
sql "SELECT rma, tracking_key FROM returns ORDER BY id" |
	awk '{ printf "GET\t/api/v1/returns/%s/label.pdf?k=%s\t-\t\n", $1, $2 }' >"$WORK/spec-label.tsv"
measure label /api/v1/returns "$WORK/spec-label.tsv"

# Scan at the right warehouse, every parcel in creation order: the first sweep receives them,
# later sweeps are repeated scans (first_scan false). Codes typed as the RMA or read from the QR.
sql "SELECT r.rma, w.code FROM returns r JOIN warehouses w ON w.id = r.warehouse_id ORDER BY r.id" |
	awk -v tyo="${COOKIE[TYO1]}" -v nj="${COOKIE[NJ1]}" '{
		printf "POST\t/api/v1/scan\tCookie: %s\t{\"code\":\"%s%s\"}\n", ($2 == "TYO1" ? tyo : nj), (NR % 2 ? "" : "KAERU:"), $1 }' \
		>"$WORK/spec-scan.tsv"
measure scan /api/v1/scan "$WORK/spec-scan.tsv"
N_RECEIVED=$(sql "SELECT COUNT(*) FROM returns WHERE status <> 'label_issued'")
REPEAT_SCANS=$(( ${REQS[scan]} > N_RECEIVED ? ${REQS[scan]} - N_RECEIVED : 0 ))
log "  $N_RECEIVED parcels received by a first scan, about $REPEAT_SCANS repeated scans"

# Inspection of every pending item of a received return: grades and dispositions spread by item;
# the first sweep records inspections (and resolves the returns, making listings), later sweeps are
# identical repeats (200, nothing written).
sql "SELECT r.rma, i.id, w.code, i.quantity FROM return_items i JOIN returns r ON r.id = i.return_id
     JOIN warehouses w ON w.id = r.warehouse_id WHERE r.status = 'received' AND i.status = 'pending' ORDER BY i.id" |
	awk -v tyo="${COOKIE[TYO1]}" -v nj="${COOKIE[NJ1]}" 'BEGIN {
		split("like_new|like_new|like_new|good|good|fair|new|new|damaged|good", grade, "|")
		split("resale|resale|resale|resale|resale|resale|restock|resale|recycle|refurbish", disp, "|")
		note[1] = "試着のみ。タグ付き。"; note[2] = "Tried on once, tags attached."; note[3] = "箱に小さな傷"
	} {
		k = $2 % 10 + 1
		printf "POST\t/api/v1/returns/%s/items/%s/inspection\tCookie: %s\t{\"received_quantity\":%d,\"grade\":\"%s\",\"disposition\":\"%s\",\"note\":\"%s\"}\n",
		       $1, $2, ($3 == "TYO1" ? tyo : nj), $4, grade[k], disp[k], note[$2 % 3 + 1] }' >"$WORK/spec-inspection.tsv"
N_PENDING=$(wc -l <"$WORK/spec-inspection.tsv")
[ "$N_PENDING" -gt 0 ] || die "no received items to inspect"
measure inspection /api/v1/returns "$WORK/spec-inspection.tsv"
N_INSPECTED=$(sql "SELECT COUNT(*) FROM return_items WHERE status = 'inspected'")
REPEAT_INSPECTIONS=$(( ${REQS[inspection]} > N_INSPECTED ? ${REQS[inspection]} - N_INSPECTED : 0 ))
log "  $N_INSPECTED items inspected for the first time, about $REPEAT_INSPECTIONS identical repeats"

# The merchants review: nine in ten pending listings published (bulk approve, 200 at a time),
# the rest left in the queue; a few published ones sold through the storefront's key.
for slug in $SLUGS; do
	ids=$(sql "SELECT l.id FROM listings l JOIN merchants m ON m.id = l.merchant_id
	           WHERE m.slug = '$slug' AND l.status = 'pending_review' ORDER BY l.id")
	n=$(wc -w <<<"$ids")
	approve=$(head -n $((n * 9 / 10)) <<<"$ids" | paste -sd, -)
	while [ -n "$approve" ]; do
		chunk=$(cut -d, -f1-200 <<<"$approve")
		approve=$(cut -s -d, -f201- <<<"$approve")
		curl -sf -H "Cookie: ${COOKIE[$slug]}" -H 'Content-Type: application/json' \
			-d "{\"ids\":[$chunk]}" "$URL/api/v1/merchant/listings/approve" >/dev/null || die "approving listings of $slug failed"
	done
	[ "$n" -ge 40 ] || continue
	for id in $(head -n 20 <<<"$ids"); do
		curl -sf -X POST -H "Authorization: Bearer ${KEY[$slug]}" "$URL/api/v1/merchants/$slug/listings/$id/sold" >/dev/null ||
			die "marking listing $id of $slug sold failed"
	done
done
N_LISTINGS=$(sql "SELECT COUNT(*) FROM listings")
N_PUBLISHED=$(sql "SELECT COUNT(*) FROM listings WHERE status = 'published'")
log "  $N_LISTINGS listings, $N_PUBLISHED published"

# Merchant console: the listing pages of each merchant, all statuses and each filter, pages 1-3.
for slug in $SLUGS; do
	for status in "" published pending_review sold; do
		for page in 1 2 3; do
			printf 'GET\t/api/v1/merchant/listings?status=%s&page=%s\tCookie: %s\t\n' "$status" "$page" "${COOKIE[$slug]}"
		done
	done
done >"$WORK/spec-merchant.tsv"
measure merchant_listings /api/v1/merchant/listings "$WORK/spec-merchant.tsv"

# Public shop: each merchant's shop, the default view, sorted by price, filtered by grade, by
# category and by a title search (Tシャツ / Jacket), pages 1-2.
for slug in $SLUGS; do
	case $slug in sakura | tsubame) q=T%E3%82%B7%E3%83%A3%E3%83%84 ;; *) q=jacket ;; esac
	for query in "" "sort=price" "sort=-price" "grade=like_new" "category=tops" "q=$q"; do
		for page in 1 2; do
			printf 'GET\t/api/v1/shop/%s/listings?%s%spage=%s\t-\t\n' "$slug" "$query" "${query:+&}" "$page"
		done
	done
done >"$WORK/spec-shop.tsv"
measure shop_listings /api/v1/shop "$WORK/spec-shop.tsv"

# ---------------------------------------------------------------------------------------------
# The customer portal on a phone (bench/phone.mjs): Chromium on a throttled mobile profile, time
# to interactive of /returns/sakura/ with a cold cache and a warm one, on the now idle stack.

PHONE_COLD="" PHONE_WARM="" PHONE_LINE="" PHONE_NOTE=""
if command -v node >/dev/null 2>&1 && [ -x /usr/bin/chromium ] && [ -d "$ROOT/node_modules/playwright-core" ]; then
	say "the portal on a phone: bench/phone.mjs (150 ms RTT, 1.6 Mbps, CPU 4× slower)"
	if node "$HERE/phone.mjs" "$URL" /returns/sakura/ "${KAERU_BENCH_PHONE_RUNS:-5}" >"$WORK/phone.txt" 2>&1; then
		sed 's/^/  /' "$WORK/phone.txt" | grep -v '^  PHONE ' >&2 || true
		PHONE_LINE=$(grep '^PHONE ' "$WORK/phone.txt")
		PHONE_COLD=$(sed 's/.* cold_ms=\([0-9]*\).*/\1/' <<<"$PHONE_LINE")
		PHONE_WARM=$(sed 's/.* warm_ms=\([0-9]*\).*/\1/' <<<"$PHONE_LINE")
	else
		PHONE_NOTE="bench/phone.mjs failed: $(tail -3 "$WORK/phone.txt" | tr '\n' ' ')"
		log "$PHONE_NOTE"
	fi
else
	PHONE_NOTE="not measured: needs node, /usr/bin/chromium and playwright-core (npm ci)"
	log "the portal on a phone: $PHONE_NOTE"
fi
phone_kv() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<"$PHONE_LINE"; }

# ---------------------------------------------------------------------------------------------
# Memory of kaeru-fcgi after all of that, and label generation alone.

FCGI_PID=$(cat "$STACK/run/kaeru-fcgi.pid")
RSS_KB=$(awk '/^VmRSS:/ { print $2 }' "/proc/$FCGI_PID/status")
HWM_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$FCGI_PID/status")
FCGI_THREADS=$(awk '/^Threads:/ { print $2 }' "/proc/$FCGI_PID/status")
BARE_PID=$(cat "$STACK/run/bench-bare.pid")
BARE_RSS_KB=$(awk '/^VmHWM:/ { print $2 }' "/proc/$BARE_PID/status")
RSS_MB=$(awk -v k="$RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')
HWM_MB=$(awk -v k="$HWM_KB" 'BEGIN { printf "%.1f", k / 1024 }')
BARE_MB=$(awk -v k="$BARE_RSS_KB" 'BEGIN { printf "%.1f", k / 1024 }')

if [ "$KEEP" = 1 ]; then
	say "leaving the stack up at $URL (KAERU_BENCH_KEEP=1); stop it with: kill $(cat $STACK/run/bench-*.pid); tools/stack.sh stop $STACK"
else
	say "stopping the stack"
	stack_down
fi

say "label generation alone: kaeru-label-sample --bench 2000"
declare -A LABEL_MS LABEL_BYTES
for kind in ja latin; do
	out=$("$BUILD/kaeru-label-sample" --"$kind" --bench 2000 "$WORK/label-$kind.pdf")
	LABEL_MS[$kind]=$(sed -n 's/.*ms_per_label=\([0-9.]*\).*/\1/p' <<<"$out")
	LABEL_BYTES[$kind]=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' <<<"$out")
	[ -n "${LABEL_MS[$kind]}" ] || die "kaeru-label-sample --$kind printed no figures: $out"
done

# ---------------------------------------------------------------------------------------------
# The table, the targets and bench/RESULTS.md.

ratio() { awk -v a="$1" -v b="${RPS[bare]}" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
describe() {
	case $1 in
	static) echo "nginx static answer (ceiling)" ;;
	bare) echo "bare libfcgi responder (ceiling)" ;;
	lookup) echo "order lookup" ;;
	returns) echo "create return (durable)" ;;
	label) echo "label PDF" ;;
	scan) echo "scan" ;;
	inspection) echo "inspection" ;;
	merchant_listings) echo "merchant listings" ;;
	shop_listings) echo "public shop listings" ;;
	esac
}
TABLE="| measurement | req/s | p50 ms | p99 ms | vs bare FastCGI | errors |
|---|--:|--:|--:|--:|--:|"
for name in "${ORDER_OF_ROWS[@]}"; do
	TABLE+=$'\n'"| $(describe "$name") | ${RPS[$name]} | ${P50[$name]} | ${P99[$name]} | $(ratio "${RPS[$name]}") | ${ERRS[$name]} |"
done

CPU_TABLE="| measurement | kaeru-fcgi | MariaDB | nginx | rest (wrk, kernel) | idle | stolen | SQL statements | prepares | rows read | fsyncs | kaeru-fcgi RSS / peak MB |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
for name in "${ORDER_OF_ROWS[@]}"; do
	CPU_TABLE+=$'\n'"| $(describe "$name") | ${CPU_SPLIT[$name]} | ${DB_SPLIT[$name]} | ${RSS_AFTER[$name]} |"
done

verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**missed**"; fi; }
LOOKUP_PCT=$(ratio "${RPS[lookup]}")
SHOP_PCT=$(ratio "${RPS[shop_listings]}")
TARGETS="| target (issue 5) | figure | |
|---|---|---|
| lookup ≥ 40% of the bare FastCGI ceiling | $LOOKUP_PCT (${RPS[lookup]} of ${RPS[bare]} req/s) | $(verdict "${RPS[lookup]} >= 0.40 * ${RPS[bare]}") |
| public shop listings ≥ 30% of the bare FastCGI ceiling | $SHOP_PCT (${RPS[shop_listings]} of ${RPS[bare]} req/s) | $(verdict "${RPS[shop_listings]} >= 0.30 * ${RPS[bare]}") |
| scan p99 ≤ 10 ms at $CONNS connections | ${P99[scan]} ms | $(verdict "${P99[scan]} <= 10") |
| create return ≥ 1,000/s, every commit durable | $CREATED_RPS returns created/s (innodb_flush_log_at_trx_commit=$DURABLE) | $(verdict "$CREATED_RPS >= 1000 && $DURABLE == 1") |
| label with a Japanese address ≤ 1 ms and ≤ 30 KB | ${LABEL_MS[ja]} ms, $(awk -v b="${LABEL_BYTES[ja]}" 'BEGIN { printf "%.1f", b / 1024 }') KB | $(verdict "${LABEL_MS[ja]} <= 1 && ${LABEL_BYTES[ja]} <= 30720") |
| portal interactive ≤ 1 s on a throttled phone (issue 14), cold / warm cache | ${PHONE_COLD:-?} / ${PHONE_WARM:-?} ms${PHONE_NOTE:+ ($PHONE_NOTE)} | $([ -n "$PHONE_COLD" ] && verdict "$PHONE_COLD <= 1000 && $PHONE_WARM <= 1000" || echo "**not measured**") |
| kaeru-fcgi < 64 MB resident with $WORKERS workers | peak $HWM_MB MB under the measured load (now $RSS_MB MB); peak $SETUP_HWM_MB MB during the setup's staff sign-ins | $(verdict "$HWM_KB < 65536 && $SETUP_HWM_MB < 64")$([ "$HWM_RESET" = yes ] || echo ' (peak not reset: includes the sign-ins)') |"

LABELS="| label alone (no HTTP) | ms per label | bytes |
|---|--:|--:|
| Japanese addresses (--ja) | ${LABEL_MS[ja]} | ${LABEL_BYTES[ja]} |
| Latin addresses (--latin) | ${LABEL_MS[latin]} | ${LABEL_BYTES[latin]} |"

PHONE="| /returns/sakura/ on a phone | interactive (median) | transferred | requests |
|---|--:|--:|--:|
| cold cache (a first visit) | ${PHONE_COLD:-–} ms | $(phone_kv cold_kb) KB | $(phone_kv cold_requests) |
| warm cache (the link opened again) | ${PHONE_WARM:-–} ms | $(phone_kv warm_kb) KB | $(phone_kv warm_requests) |"

MEMORY="| process | VmRSS after the load | VmHWM (peak) | threads |
|---|--:|--:|--:|
| kaeru-fcgi, $WORKERS workers: the measured load | $RSS_MB MB | $HWM_MB MB | $FCGI_THREADS |
| kaeru-fcgi: the setup before it (6 staff sign-ins, 4 inventory uploads) | | $SETUP_HWM_MB MB | |
| kaeru-bench-bare, $WORKERS workers (for comparison) | | $BARE_MB MB | |"

COMMAND="$(bench_overrides)./kaeru bench"
ELAPSED=$((SECONDS - T0))

echo
echo "kaeru bench — $STARTED — wrk -t$THREADS -c$CONNS -d${DURATION}s, $WORKERS workers"
echo
echo "$TABLE"
echo
echo "Per request: CPU µs by process, MariaDB counters; kaeru-fcgi memory:"
echo
echo "$CPU_TABLE"
echo
echo "$LABELS"
echo
echo "$MEMORY"
echo
echo "$PHONE"
echo
echo "$TARGETS"
echo

# Keep whatever was written by hand below the analysis heading of the previous RESULTS.md.
ANALYSIS=$(analysis_of "$RESULTS")
{
	cat <<MD
# kaeru benchmark results

Written by \`./kaeru bench\` (bench/run.sh); see bench/README.md for what each figure means.

- Date: $STARTED (took ${ELAPSED} s)
- Command: \`$COMMAND\`
- Load: wrk -t$THREADS -c$CONNS -d${DURATION}s --latency per row, all on this machine (wrk, nginx,
  kaeru-fcgi with $WORKERS workers and MariaDB share its cores)
- Data: 2 warehouses, 4 merchants (2 JPY, 2 USD), $N_ORDERS orders with $N_LINES lines; created by
  the run: $N_RETURNS returns, $N_RECEIVED received, $N_INSPECTED items inspected, $N_LISTINGS
  listings ($N_PUBLISHED published)

## Machine

$MACHINE

## Through nginx at $CONNS connections

$TABLE

"vs bare FastCGI" is each row's requests per second over the bare libfcgi responder's of the same
run. "errors" counts answers ≥ 400 and socket errors; a run with errors is not comparable.

- create return: $N_RETURNS returns created in ${SECS[returns]} s, $CREATED_RPS/s (201 each; every
  commit durable: innodb_flush_log_at_trx_commit=$DURABLE, binary log off); $N_RETURN_SPEC distinct
  requests were prepared, so none was an Idempotency-Key replay unless wrk sent more than that.
- scan: ${REQS[scan]} scans over $(wc -l <"$WORK/spec-scan.tsv") parcels: $N_RECEIVED first scans (a
  write each), about $REPEAT_SCANS repeats.
- inspection: ${REQS[inspection]} requests over $N_PENDING pending items: $N_INSPECTED first
  inspections (writes; the last item of a return resolves it and makes listings), about
  $REPEAT_INSPECTIONS identical repeats.
- Machine load when the run started (1/5/15 min): $LOADAVG.

### Where the CPU goes

Per request, over each measurement: CPU time in microseconds of each process, from /proc ("rest"
is the machine's other busy time: wrk itself and the kernel's softirq work; "idle" the share of the
$(nproc) cores left unused, waits for fsync included; "stolen" the share the hypervisor gave to
others, /proc/stat's steal); MariaDB's own counters (SHOW GLOBAL STATUS:
Questions, Com_stmt_prepare, Rows_read, Innodb_data_fsyncs); and kaeru-fcgi's VmRSS after
the measurement and its VmHWM (peak) so far.

$CPU_TABLE

## Label generation alone

\`kaeru-label-sample --ja|--latin --bench 2000\`

$LABELS

## Memory

$MEMORY

## The portal on a phone

\`bench/phone.mjs\`: Chromium (playwright-core) loads /returns/sakura/ with the network throttled
to 150 ms round trip, 1.6 Mbps down and 750 kbps up and the CPU 4× slower; interactive is when
the lookup form's input is enabled and the page no longer busy, from the start of the navigation.
Median of ${KAERU_BENCH_PHONE_RUNS:-5} runs; cold: a fresh profile, warm: the page opened again in
the same profile.${PHONE_NOTE:+ $PHONE_NOTE.}

$PHONE

## Targets

$TARGETS
MD
	if [ -n "$ANALYSIS" ]; then
		echo
		echo "$ANALYSIS"
	fi
} >"$RESULTS"
say "wrote ${RESULTS#"$ROOT"/} in ${ELAPSED} s"
