#!/usr/bin/env bash
# bench/scale.sh — `./kaeru bench --scale` (issue 16): the same endpoints measured on two data
# sets of one shape in one run, the small one (12,000 orders, like bench/run.sh's) and one
# KAERU_BENCH_SCALE (100) times larger, with the large/small ratio of each endpoint's p50 and
# throughput; a lookup against its database-bound ceiling (bench/bare_lookup.c); scans from 4
# stations at once; statements per create-return and per inspection. See bench/README.md.
#
#   bench/scale.sh BUILD     BUILD: a Release build with kaeru-fcgi, kaeru-admin,
#                            kaeru-bench-bare and kaeru-bench-lookup
#
# The data set of factor F (1 is the small one): 12,000 × F orders (about 2.85 lines each), 70% of
# everything at one merchant (sakura) and 10% at each of three others; 3,000 × F returns made
# through the API in every status; about 1,000 × F resale listings in every status. Orders go in
# with LOAD DATA (rows checked against kaeru-admin's import on the small set), everything after
# through the API with wrk (bench/lua/once.lua), so every table a change writes stays consistent.
# The large set stays in BUILD/scale/xF between runs (its marker file says what it holds); the
# small one is made afresh each run. Results: bench/RESULTS-scale.md.
#
# The two sets are measured interleaved, so that the machine's drift (on a shared 2-core virtual
# machine, 30-70% in CPU per request over the minutes a set takes) does not land on one set: both
# are up at once, each in a stack of its own (MariaDB, kaeru-fcgi, nginx; ×1 on the bench ports,
# ×F on each of them + 1), the other idle while one is measured (its CPU is counted apart, as
# "other set"), and each endpoint runs ×1, ×F, ×F, ×1 back to back, KAERU_BENCH_DURATION / 2
# seconds a run (rounded up). A drift linear in time then shifts both sets' mean alike. A set's
# figures are the means of its two runs' (p50, p99, CPU, statements and rows per request; req/s
# the inverse of the mean seconds per request, which is what drifts when CPU per request does;
# bench/lib.sh's measure); requests that write (create, scan, inspection) act in each run on rows
# of their own (the prepared rows split in halves). Single timings (the shop's first view and its
# view after a sale, the returns exports) are taken on ×1 then ×F back to back, the five feed.csv
# downloads of each set one at a time in the order ×1, ×F, ×F, ×1, ….
#
# Settings: KAERU_BENCH_SCALE (100), KAERU_BENCH_DURATION (seconds per measurement and set, 5),
# KAERU_BENCH_BUFFER_POOL (MariaDB's buffer pool, both sets; 6G for a factor of 100),
# KAERU_BENCH_RELOAD=1 (make the large set again), and bench/lib.sh's KAERU_BENCH_PORT,
# KAERU_BENCH_DB_PORT, KAERU_BENCH_WORKERS, KAERU_BENCH_CONNECTIONS, KAERU_BENCH_THREADS,
# KAERU_BENCH_RESULTS, KAERU_BENCH_KEEP.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
[ $# -eq 1 ] || { echo "usage: bench/scale.sh BUILD" >&2; exit 2; }
BUILD=$(cd "$1" && pwd)
BENCH_NAME="kaeru bench --scale"
# shellcheck source=bench/lib.sh
. "$HERE/lib.sh"

DURATION=${KAERU_BENCH_DURATION:-5}
[[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "KAERU_BENCH_DURATION must be a whole number of seconds"
# Each endpoint runs twice a set, HALF seconds each (wrk's -d is whole seconds: an odd DURATION
# gives each set a second more).
HALF=$(( (DURATION + 1) / 2 ))
MEASURED_SECONDS=$((2 * HALF))
FACTOR=${KAERU_BENCH_SCALE:-100}
RESULTS=${KAERU_BENCH_RESULTS:-$HERE/RESULTS-scale.md}
STATIONS=4
PHOTOS=200    # photos of the big merchant's published listings, one a listing, in each set
DOWNLOADS=16  # CSV exports downloaded at once
MEMORY_MB=64  # what kaeru-fcgi may hold meanwhile (issue 16)
# What a data set is made of, by version: a change here makes the kept large set load again.
LOADER_VERSION=1
[[ "$FACTOR" =~ ^[1-9][0-9]*$ ]] && [ "$FACTOR" -ge 2 ] || die "KAERU_BENCH_SCALE must be a whole number of at least 2"
POOL=${KAERU_BENCH_BUFFER_POOL:-$(( FACTOR * 60 > 256 ? FACTOR * 60 : 256 ))M}
export KAERU_DB_BUFFER_POOL=$POOL

bench_require kaeru-fcgi kaeru-admin kaeru-bench-bare kaeru-bench-lookup
command -v python3 >/dev/null 2>&1 || die "python3 is not installed"
command -v vips >/dev/null 2>&1 || die "vips is not installed (Debian: libvips-tools)"
bench_lock
mkdir -p "$BUILD/scale"

# slug currency warehouse order-prefix share-of-everything name
MERCHANTS="sakura JPY TYO1 SK 70 Sakura_Apparel_さくらアパレル
tsubame JPY TYO1 TB 10 燕堂_Tsubame-do
maple USD NJ1 MP 10 Maple_Outdoor_Co.
harbor USD NJ1 HB 10 Harbor_&_Pine"
SLUGS=$(awk '{print $1}' <<<"$MERCHANTS")
BIG=sakura # the merchant with 70%: the console, events, shop and feed are measured on it
declare -A KEY

# Order tokens for order ids (stdin "ORDER_ID REST…" → "TOKEN REST…"), signed with the stack's
# secret in fcgi/auth.c's format ("o1.<id>.<expires>.<base64url HMAC-SHA256>"): a return is
# started without looking its order up first, as 300,000 lookups would take minutes.
mint_tokens() {
	python3 -c '
import base64, hashlib, hmac, sys, time
key = bytes.fromhex(open(sys.argv[1]).read().strip())
expires = int(time.time()) + 20 * 3600
for line in sys.stdin:
    order_id, _, rest = line.rstrip("\n").partition(" ")
    head = "o1.%s.%d" % (order_id, expires)
    mac = hmac.new(key, head.encode(), hashlib.sha256).digest()
    print(head + "." + base64.urlsafe_b64encode(mac).rstrip(b"=").decode(), rest)
' "$STACK/secret"
}

# create_spec TAG FILE — a POST /api/v1/returns per line of FILE ("ORDER_ID SLUG NUMBER LINE_ID"):
# one unit of the line, reasons spread, seven in ten refunds, an Idempotency-Key each.
create_spec() {
	mint_tokens <"$2" | awk -v tag="$1" 'BEGIN {
		nr = split("too_small too_large not_as_described changed_mind arrived_late other wrong_item damaged defective", reason, " ")
	} {
		printf "POST\t/api/v1/returns\tAuthorization: Bearer %s|Idempotency-Key: %s-%s-%s\t{\"items\":[{\"line_id\":\"%s\",\"quantity\":1,\"reason\":\"%s\",\"resolution\":\"%s\"}]}\n",
		       $1, tag, $3, $4, $4, reason[NR % nr + 1], (NR % 10 < 7 ? "refund" : "store_credit") }'
}

# metric NAME — one of kaeru-fcgi's counters from /api/v1/metrics.
metric() { curl -s "$URL/api/v1/metrics" | sed -n "s/.*\"$1\": *\([0-9]*\).*/\1/p"; }
stop_worker() { # the worker would mail every return of the set and run the maintenance: not measured
	if [ -f "$STACK/run/kaeru-worker.pid" ]; then
		kill "$(cat "$STACK/run/kaeru-worker.pid")" 2>/dev/null || true
		rm -f "$STACK/run/kaeru-worker.pid"
	fi
}

# kaeru-worker's search indexer alone, in the worker's place: the terms of the returns created
# (the set's, then the measured ones) are written behind them as in production, and what that
# costs MariaDB is paid in the same run as the creates.
start_indexer() {
	"$BUILD/kaeru-worker" -c "$STACK/kaeru.env" --search-only </dev/null >>"$STACK/log/kaeru-worker.log" 2>&1 &
	echo $! >"$STACK/run/kaeru-worker.pid"
}
# search_indexed — waits until the indexer has written the terms of every queued return and
# folded every queued analytics delta.
search_indexed() {
	local i
	for ((i = 0; i < 36000; i++)); do
		[ "$(sql "SELECT (SELECT COUNT(*) FROM search_pending) + (SELECT COUNT(*) FROM analytics_pending)")" = 0 ] && return 0
		sleep 0.5
	done
	die "the search indexer never caught up"
}

sign_in() { # the staff sessions and merchant keys of the set in STACK
	local slug key
	while read -r slug key; do KEY[$slug]=$key; done <"$STACK/keys.txt"
	# shellcheck disable=SC2086
	sign_in_staff $SLUGS
}

# ---------------------------------------------------------------------------------------------
# Making a data set of factor F in the stack just started in an empty VAR.

# phase NAME BUILDER [CONNECTIONS] — what BUILDER says is still to do (asking the database), sent
# once with wrk_once, until nothing is left (a request lost on the way is sent again).
phase() {
	local name=$1 builder=$2 conns=${3:-$CONNS} round
	for round in 1 2 3; do
		"$builder" >"$WORK/load-$name.tsv"
		[ -s "$WORK/load-$name.tsv" ] || return 0
		[ "$round" = 1 ] || log "$name: $(wc -l <"$WORK/load-$name.tsv") requests again"
		wrk_once "$name" "$WORK/load-$name.tsv" "$conns"
	done
	"$builder" >"$WORK/load-$name.tsv"
	[ -s "$WORK/load-$name.tsv" ] && die "$name: $(wc -l <"$WORK/load-$name.tsv") requests still to do after three rounds"
	return 0
}

# Each planned return as it is now: "slug number rma item_id warehouse order_id slot status item_status".
made_rows() {
	sql "SELECT m.slug, o.order_number, r.rma, ri.id, w.code, o.id, r.status, ri.status FROM returns r
	     JOIN orders o ON o.id = r.order_id JOIN merchants m ON m.id = r.merchant_id
	     JOIN return_items ri ON ri.return_id = r.id JOIN warehouses w ON w.id = r.warehouse_id" |
		awk 'FNR == NR { slot[$2 " " $3] = $5; next } ($1 " " $2) in slot { print $1, $2, $3, $4, $5, $6, slot[$1 " " $2], $7, $8 }' \
			"$STACK/plan.txt" -
}
# Each listing as it is now, with its rank j among its merchant's: "slug id j status".
listing_rows() {
	sql "SELECT m.slug, l.id, l.status FROM listings l JOIN merchants m ON m.id = l.merchant_id ORDER BY l.id" |
		awk '{ print $1, $2, (j[$1]++) % 10, $3 }'
}
to_create() {
	sql "SELECT m.slug, o.order_number FROM returns r JOIN orders o ON o.id = r.order_id
	     JOIN merchants m ON m.id = r.merchant_id" >"$WORK/made-orders.txt"
	awk 'FILENAME == ARGV[1] { made[$1 " " $2] = 1; next } !(($2 " " $3) in made) { print $1, $2, $3, $4 }' \
		"$WORK/made-orders.txt" "$STACK/plan.txt" >"$WORK/to-create.txt"
	create_spec load "$WORK/to-create.txt"
}
to_cancel() {
	made_rows | awk '$7 >= 20 && $7 < 28 && $8 == "label_issued" { print $6, $3 }' | mint_tokens |
		awk '{ printf "POST\t/api/v1/returns/%s/cancel\tAuthorization: Bearer %s\t\n", $2, $1 }'
}
to_scan() {
	made_rows | awk -v tyo="${COOKIE[TYO1]}" -v nj="${COOKIE[NJ1]}" '$7 >= 36 && $8 == "label_issued" {
		printf "POST\t/api/v1/scan\tCookie: %s\t{\"code\":\"%s%s\"}\n", ($5 == "TYO1" ? tyo : nj), (NR % 2 ? "" : "KAERU:"), $3 }'
}
to_inspect() {
	made_rows | awk -v tyo="${COOKIE[TYO1]}" -v nj="${COOKIE[NJ1]}" 'BEGIN {
		split("like_new|good|like_new|new|fair|good|like_new", grade, "|")
		split("restock|refurbish|recycle", other, "|")
		note[1] = "試着のみ。タグ付き。"; note[2] = "Tried on once, tags attached."; note[3] = "箱に小さな傷"
	} $7 >= 50 && $8 == "received" && $9 == "pending" {
		if ($7 < 55) { g = "damaged"; d = "recycle" }
		else if ($7 < 89) { g = grade[$4 % 7 + 1]; d = "resale" }
		else { g = "good"; d = other[$4 % 3 + 1] }
		printf "POST\t/api/v1/returns/%s/items/%s/inspection\tCookie: %s\t{\"received_quantity\":1,\"grade\":\"%s\",\"disposition\":\"%s\",\"note\":\"%s\",\"public_note\":\"%s\"}\n",
		       $3, $4, ($5 == "TYO1" ? tyo : nj), g, d, note[$4 % 3 + 1], note[($4 + 1) % 3 + 1] }'
}
# SLUG=VALUE pairs of an associative array, for awk.
pairs_of() { local -n a=$1; local k; for k in "${!a[@]}"; do printf '%s=%s ' "$k" "${a[$k]}"; done; }
to_approve() {
	listing_rows | awk -v cookies="$(pairs_of COOKIE)" '
		BEGIN { n = split(cookies, c, " "); for (i = 1; i <= n; i++) { k = index(c[i], "="); cookie[substr(c[i], 1, k - 1)] = substr(c[i], k + 1) } }
		function flush(s) { printf "POST\t/api/v1/merchant/listings/approve\tCookie: %s\t{\"ids\":[%s]}\n", cookie[s], ids[s]; ids[s] = ""; m[s] = 0 }
		$3 >= 2 && $3 != 7 && $4 == "pending_review" { ids[$1] = ids[$1] (ids[$1] == "" ? "" : ",") $2; if (++m[$1] == 200) flush($1) }
		END { for (s in ids) if (ids[s] != "") flush(s) }'
}
to_reject() {
	listing_rows | awk -v cookies="$(pairs_of COOKIE)" '
		BEGIN { n = split(cookies, c, " "); for (i = 1; i <= n; i++) { k = index(c[i], "="); cookie[substr(c[i], 1, k - 1)] = substr(c[i], k + 1) } }
		$3 == 7 && $4 == "pending_review" { printf "POST\t/api/v1/merchant/listings/%s/reject\tCookie: %s\t{\"reason\":\"Stains the photos do not show.\"}\n", $2, cookie[$1] }'
}
to_sell() {
	listing_rows | awk -v keys="$(pairs_of KEY)" '
		BEGIN { n = split(keys, c, " "); for (i = 1; i <= n; i++) { k = index(c[i], "="); key[substr(c[i], 1, k - 1)] = substr(c[i], k + 1) } }
		$3 >= 8 && $4 == "published" { printf "POST\t/api/v1/merchants/%s/listings/%s/sold\tAuthorization: Bearer %s\t\n", $1, $2, key[$1] }'
}

load_set() {
	local f=$1 t=$SECONDS
	local total_orders=$((12000 * f)) total_returns=$((3000 * f))
	say "loading the data set ×$f: $total_orders orders, $total_returns returns, about $((1000 * f)) listings"
	# Durable commits are what is measured, not what loads: the set is made again if loading fails.
	sql "SET GLOBAL innodb_flush_log_at_trx_commit = 2"
	make_warehouses

	# Orders: generated as the rows kaeru-admin's import writes, loaded with LOAD DATA, and their
	# units sold counted into the analytics (the merchants' calendar is UTC: a local day is a
	# UTC date) as db/analytics.c counts them.
	local now first=0 mid=0 pids=() slug cur wh prefix share name n
	now=$(date +%s)
	: >"$STACK/keys.txt"
	while read -r slug cur wh prefix share name; do
		KEY[$slug]=$("$ADMIN" merchant create --slug "$slug" --name "${name//_/ }" --currency "$cur" \
			--warehouse "$wh" | tail -n 1)
		echo "$slug ${KEY[$slug]}" >>"$STACK/keys.txt"
		# returns stay open and lines returnable whenever the set is measured
		"$ADMIN" merchant policy --slug "$slug" --window-days 3650 --label-validity-days 3650 >/dev/null
		mid=$((mid + 1)) n=$((total_orders * share / 100))
		echo "$slug $first" >>"$STACK/first-ids.txt"
		gawk -v slug="$slug" -v currency="$cur" -v prefix="$prefix" -v n="$n" -v seed="$mid" \
			-v now="$now" -v meta="$STACK/meta-$slug.txt" -v inventory="$STACK/inventory-$slug.json" \
			-v tsv="$STACK/data-$slug" -v merchant_id="$mid" -v first_id="$first" \
			-f "$HERE/gen_orders.awk" &
		pids+=($!)
		first=$((first + n))
	done <<<"$MERCHANTS"
	for p in "${pids[@]}"; do wait "$p" || die "generating orders failed"; done
	local load=""
	for slug in $SLUGS; do
		load+="LOAD DATA INFILE '$STACK/data-$slug.orders' INTO TABLE orders CHARACTER SET utf8mb4
			(id, merchant_id, order_number, email, email_key, currency, placed_at, delivered_at, shipping_address);
		LOAD DATA INFILE '$STACK/data-$slug.lines' INTO TABLE order_lines CHARACTER SET utf8mb4
			(order_id, line_id, position, sku, product_id, name, variant, category, quantity, unit_price, final_sale);"
	done
	sql "SET SESSION foreign_key_checks = 0, unique_checks = 0, time_zone = '+00:00'; $load
		INSERT INTO analytics_product_days (merchant_id, day, product_id, sku, name, sold_units)
		SELECT o.merchant_id, DATEDIFF(COALESCE(o.placed_at, o.created_at), '1970-01-01'), l.product_id,
		       l.sku, MAX(l.name), SUM(l.quantity)
		FROM orders o JOIN order_lines l ON l.order_id = o.id GROUP BY 1, 2, 3, 4
		ON DUPLICATE KEY UPDATE sold_units = sold_units + VALUES(sold_units)"
	rm -f "$STACK"/data-*.orders "$STACK"/data-*.lines
	log "$(sql "SELECT COUNT(*) FROM orders") orders with $(sql "SELECT COUNT(*) FROM order_lines") lines loaded in $((SECONDS - t)) s"
	if [ "$f" = 1 ]; then check_orders_load "$now"; fi

	for slug in $SLUGS; do
		curl -sf -X PUT -H "Authorization: Bearer ${KEY[$slug]}" -H 'Content-Type: application/json' \
			--data-binary "@$STACK/inventory-$slug.json" "$URL/api/v1/merchants/$slug/inventory" >/dev/null \
			|| die "inventory of $slug refused"
	done
	# shellcheck disable=SC2086
	make_staff $SLUGS
	sign_in
	# A parcel graded damaged waits for the merchant's review (needs_review).
	for slug in $SLUGS; do
		curl -sf -X PUT -H "Cookie: ${COOKIE[$slug]}" -H 'Content-Type: application/json' \
			-d '{"review_rules":{"damaged":true}}' "$URL/api/v1/merchant/policy" >/dev/null ||
			die "the review rule of $slug was refused"
	done

	# The returns: each merchant's share, on its orders in turn (their first returnable line),
	# the k-th of a merchant in status by k mod 100: 0-19 label_issued, 20-27 canceled, 28-35
	# expired, 36-49 received, 50-54 needs_review, 55-99 resolved (55-88 graded for resale).
	awk -v total="$total_returns" -v shares="$(awk '{ printf "%s=%s ", $1, $5 }' <<<"$MERCHANTS")" '
		BEGIN { n = split(shares, s, " "); for (i = 1; i <= n; i++) { split(s[i], kv, "="); want[kv[1]] = total * kv[2] / 100 } }
		FNR == NR { first[$1] = $2; next }
		$4 != "-" && made[$1] < want[$1] {
			split($4, el, ","); pos = substr($2, index($2, "-") + 1) - 100000
			print first[$1] + pos, $1, $2, el[1], made[$1] % 100
			made[$1]++
		}' "$STACK/first-ids.txt" "$STACK"/meta-*.txt >"$STACK/plan.txt"
	t=$SECONDS
	phase create to_create
	log "$(sql "SELECT COUNT(*) FROM returns") returns created in $((SECONDS - t)) s"
	t=$SECONDS
	phase cancel to_cancel
	# Expiry as the maintenance does it, once their labels are out of date.
	made_rows | awk '$7 >= 28 && $7 < 36 && $8 == "label_issued" { print $3 }' |
		awk 'BEGIN { ORS = "" } { print (NR % 1000 == 1 ? (NR > 1 ? ");\n" : "") "UPDATE returns SET expires_at = UTC_TIMESTAMP() - INTERVAL 1 DAY WHERE rma IN (" : ","), "\047" $1 "\047" }
		     END { if (NR) print ");\n" }' >"$WORK/load-expire.sql"
	mariadb --no-defaults --socket="$STACK/run/mysqld.sock" -uroot kaeru <"$WORK/load-expire.sql"
	"$ADMIN" maintenance >"$WORK/load-maintenance.log" 2>&1 || die "maintenance failed: $(tail -3 "$WORK/load-maintenance.log")"
	log "canceled and expired in $((SECONDS - t)) s: $(cat "$WORK/load-maintenance.log")"
	t=$SECONDS
	phase scan to_scan
	log "parcels received in $((SECONDS - t)) s"
	t=$SECONDS
	phase inspect to_inspect
	log "items inspected in $((SECONDS - t)) s"
	# The listings, the j-th of a merchant by j mod 10: 0-1 left for review, 2-6 published,
	# 7 rejected, 8-9 published and sold.
	t=$SECONDS
	phase approve to_approve 8
	phase reject to_reject
	phase sold to_sell
	log "$(sql "SELECT COUNT(*) FROM listings") listings reviewed and sold in $((SECONDS - t)) s"
	sql "SET GLOBAL innodb_flush_log_at_trx_commit = 1"
	check_consistent
}

# The small set's orders are the rows kaeru-admin's import writes: importing its first orders
# again (the same generator, the same seed) replaces them and changes nothing, nor the analytics.
check_orders_load() {
	local now=$1 slug cur wh prefix share name mid=0 before after
	local digest="SELECT CONCAT_WS(' ',
		(SELECT SUM(CRC32(CONCAT_WS('|', id, merchant_id, order_number, email, email_key, currency, placed_at,
		        delivered_at, shipping_address))) FROM orders),
		(SELECT SUM(CRC32(CONCAT_WS('|', id, order_id, line_id, position, sku, product_id, name, variant,
		        category, quantity, unit_price, final_sale, returned_quantity))) FROM order_lines),
		(SELECT SUM(CRC32(CONCAT_WS('|', merchant_id, day, product_id, sku, name, sold_units, returned_units)))
		 FROM analytics_product_days))"
	before=$(sql "$digest")
	while read -r slug cur wh prefix share name; do
		mid=$((mid + 1))
		gawk -v slug="$slug" -v currency="$cur" -v prefix="$prefix" -v n=200 -v seed="$mid" \
			-v now="$now" -v meta=/dev/null -f "$HERE/gen_orders.awk" >"$WORK/check-$slug.jsonl"
		"$ADMIN" orders import --merchant "$slug" "$WORK/check-$slug.jsonl" >"$WORK/check-$slug.log" 2>&1 ||
			die "orders import failed: $(tail -3 "$WORK/check-$slug.log")"
		grep -q " 0 created, 200 replaced, 0 refused" "$WORK/check-$slug.log" ||
			die "the loaded orders of $slug are not the imported ones: $(tail -1 "$WORK/check-$slug.log")"
	done <<<"$MERCHANTS"
	after=$(sql "$digest")
	[ "$before" = "$after" ] || die "importing loaded orders again changed them: $before → $after"
	log "checked: importing 800 loaded orders again with kaeru-admin changes no row"
}

# Whatever the API wrote is whole: the console's counters against the rows, each line's returned
# units against the returns holding it, every merchant's events numbered 1…n; and on the small
# set, the analytics kaeru-admin counts anew are those kept.
check_consistent() {
	local bad
	bad=$(sql "SELECT COUNT(*) FROM (SELECT merchant_id, 'return' k, status, COUNT(*) n FROM returns GROUP BY 1, 3
	           UNION ALL SELECT merchant_id, 'listing', status, COUNT(*) FROM listings GROUP BY 1, 3) c
	           LEFT JOIN status_counts s ON s.merchant_id = c.merchant_id AND s.kind = c.k AND s.status = c.status
	           WHERE s.n IS NULL OR s.n <> c.n")
	[ "$bad" = 0 ] || die "status_counts disagree with the rows in $bad places"
	bad=$(sql "SELECT COUNT(*) FROM order_lines l LEFT JOIN (SELECT ri.order_line_id, SUM(ri.quantity) q
	           FROM return_items ri JOIN returns r ON r.id = ri.return_id WHERE r.status NOT IN ('canceled', 'expired')
	           GROUP BY 1) x ON x.order_line_id = l.id WHERE l.returned_quantity <> COALESCE(x.q, 0)")
	[ "$bad" = 0 ] || die "returned_quantity disagrees with the returns on $bad lines"
	bad=$(sql "SELECT COUNT(*) FROM merchant_event_seq s JOIN (SELECT merchant_id, COUNT(*) n, MAX(seq) top
	           FROM events GROUP BY 1) e ON e.merchant_id = s.merchant_id WHERE e.n <> s.last_seq OR e.top <> s.last_seq")
	[ "$bad" = 0 ] || die "the events of $bad merchants are not numbered 1…n"
	if [ "$(sql "SELECT COUNT(*) FROM orders")" -le 20000 ]; then
		local digest="SELECT CONCAT_WS(' ',
			(SELECT SUM(CRC32(CONCAT_WS('|', merchant_id, day, product_id, sku, name, sold_units, returned_units)))
			 FROM analytics_product_days WHERE sold_units <> 0 OR returned_units <> 0),
			(SELECT SUM(CRC32(CONCAT_WS('|', merchant_id, day, product_id, reason, units)))
			 FROM analytics_reason_days WHERE units <> 0),
			(SELECT SUM(CRC32(CONCAT_WS('|', merchant_id, day, resolved_returns, refund, refund_items, store_credit,
			        store_credit_items, store_credit_bonus, exchange_value, exchange_items, restocking_fees, withheld)))
			 FROM analytics_money_days))" before after slug
		before=$(sql "$digest")
		for slug in $SLUGS; do "$ADMIN" analytics rebuild --merchant "$slug" >/dev/null; done
		after=$(sql "$digest")
		[ "$before" = "$after" ] || die "the analytics kept differ from kaeru-admin analytics rebuild's"
		log "checked: status counts, returned units, event numbers and analytics agree with the rows"
	else
		log "checked: status counts, returned units and event numbers agree with the rows"
	fi
}

# ---------------------------------------------------------------------------------------------
# The sets: the small one made afresh, the large one kept while its marker matches.

marker_of() { # what a set of factor F is: a changed loader or factor makes it again
	printf 'factor=%s orders=%s returns=%s loader=%s generator=%s\n' "$1" $((12000 * $1)) $((3000 * $1)) \
		"$LOADER_VERSION" "$(sha256sum "$HERE/gen_orders.awk" | cut -c1-16)"
}

# A kept set that migrate has just brought to a newer schema: what a new migration adds next to
# the rows (analytics aggregates, search terms) is made from them, as README's upgrade note says.
rebuild_derived() {
	local var=$1 schema slug t=$SECONDS
	schema=$(sql "SELECT GROUP_CONCAT(version ORDER BY version) FROM schema_migrations")
	[ "$(sed -n 's/^schema=//p' "$var/loaded")" = "$schema" ] && return 0
	for slug in $SLUGS; do "$ADMIN" analytics rebuild --merchant "$slug" >/dev/null; done
	"$ADMIN" search rebuild >/dev/null
	sed -i '/^schema=/d' "$var/loaded"
	echo "schema=$schema" >>"$var/loaded"
	log "the kept set's analytics and search terms rebuilt for its new schema in $((SECONDS - t)) s"
}

# Photos on the first PHOTOS published listings of the big merchant that have none, uploaded
# through the API as the scan station does (a warehouse session, the JPEG as the body; kaeru-fcgi
# makes the renditions): a set made by this run gets them, a kept set once, when it has fewer.
# Each is 1000×750 of smooth noise (about 90 KB), so that no two share a hash.
add_photos() {
	local have t=$SECONDS
	have=$(sql "SELECT COUNT(*) FROM return_photos p JOIN merchants m ON m.id = p.merchant_id
	            WHERE m.slug = '$BIG' AND p.source = 'warehouse'")
	[ "$have" -lt "$PHOTOS" ] || return 0
	mkdir -p "$WORK/photos"
	sql "SELECT r.rma, l.return_item_id, w.code FROM listings l JOIN returns r ON r.id = l.return_id
	     JOIN warehouses w ON w.id = r.warehouse_id JOIN merchants m ON m.id = l.merchant_id
	     WHERE m.slug = '$BIG' AND l.status = 'published' AND NOT EXISTS
	       (SELECT 1 FROM return_photos p WHERE p.return_item_id = l.return_item_id)
	     ORDER BY l.id LIMIT $((PHOTOS - have))" |
		awk -v dir="$WORK/photos" -v url="$URL" -v tyo="${COOKIE[TYO1]}" -v nj="${COOKIE[NJ1]}" '{
			printf "%s/%d.jpg %s/api/v1/returns/%s/items/%s/photos %s\n", dir, NR, url, $1, $2, ($3 == "TYO1" ? tyo : nj) }' \
			>"$WORK/photo-uploads.txt"
	# each made and sent by one of 4 jobs: vips's start-up is most of a photo's making
	# shellcheck disable=SC2016
	xargs -P 4 -L 1 sh -c 'vips gaussnoise "$0.v" 100 75 --sigma 40 && vips resize "$0.v" "$0[Q=85]" 10 --kernel linear &&
		curl -s -o /dev/null -w "%{http_code}\n" -H "Cookie: $2" -H "Content-Type: image/jpeg" --data-binary "@$0" "$1"' \
		<"$WORK/photo-uploads.txt" >"$WORK/photo-codes.txt" || die "photos could not be made or sent"
	grep -qv '^201$' "$WORK/photo-codes.txt" && die "photo uploads refused: $(sort "$WORK/photo-codes.txt" | uniq -c | tr '\n' ' ')"
	rm -rf "$WORK/photos"
	log "$(wc -l <"$WORK/photo-codes.txt") photos uploaded in $((SECONDS - t)) s ($(sql "SELECT COUNT(*) FROM media_renditions") renditions)"
}

declare -A SET_NOTE LOAD_SECS
open_set() { # open_set TAG FACTOR — the set up in its stack, signed in, its worker's indexer alone
	local tag=$1 f=$2 var=$BUILD/scale/x$2
	WORK=$BUILD/scale/work-$tag
	rm -rf "$WORK"
	mkdir -p "$WORK"
	local want; want=$(marker_of "$f")
	if [ "$f" = 1 ] || [ "${KAERU_BENCH_RELOAD:-0}" = 1 ] || [ "$(head -n 1 "$var/loaded" 2>/dev/null)" != "$want" ]; then
		STACK=$var
		stack_down
		rm -rf "$var"
		stack_up "$var"
		stop_worker
		start_indexer
		local t=$SECONDS
		load_set "$f"
		search_indexed
		LOAD_SECS[$tag]=$((SECONDS - t))
		{
			echo "$want"
			echo "loaded=$(date -u +%Y-%m-%d) seconds=${LOAD_SECS[$tag]}"
			echo "schema=$(sql "SELECT GROUP_CONCAT(version ORDER BY version) FROM schema_migrations")"
		} >"$var/loaded"
		SET_NOTE[$tag]="made in ${LOAD_SECS[$tag]} s by this run"
	else
		stack_up "$var"
		stop_worker
		start_indexer
		sign_in
		rebuild_derived "$var"
		search_indexed
		SET_NOTE[$tag]="kept from $(sed -n 's/^loaded=\([^ ]*\) seconds=\([0-9]*\).*/\1 (made in \2 s)/p' "$var/loaded")"
		log "the data set ×$f is ${SET_NOTE[$tag]}"
	fi
	LOADED_DAY=$(sed -n 's/^loaded=\([^ ]*\).*/\1/p' "$var/loaded")
	add_photos
}

# Reads every index of every table once, so the measurements start from a warm buffer pool.
warm_up() {
	local t=$SECONDS
	sql "SELECT CONCAT('SELECT COUNT(*) FROM \`', table_name, '\` FORCE INDEX (\`', index_name, '\`);')
	     FROM information_schema.statistics WHERE table_schema = 'kaeru' GROUP BY table_name, index_name" >"$WORK/warm.sql"
	mariadb --no-defaults --socket="$STACK/run/mysqld.sock" -uroot kaeru <"$WORK/warm.sql" >/dev/null
	log "buffer pool warmed in $((SECONDS - t)) s: $(sql "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables WHERE table_schema = 'kaeru'") MB of tables and indexes, pool $(sql "SELECT @@innodb_buffer_pool_size DIV 1048576") MB"
}

declare -A DATA_MB FEED_TTFB FEED_TOTAL FEED_BYTES FEED_HWM FEED_BASE COMPOSITION
set_facts() { # set_facts TAG — what the set holds now
	local tag=$1
	DATA_MB[$tag]=$(sql "SELECT ROUND(SUM(data_length + index_length) / 1048576) FROM information_schema.tables WHERE table_schema = 'kaeru'")
	COMPOSITION[$tag]=$(sql "SELECT CONCAT(
		(SELECT COUNT(*) FROM orders), ' orders, ', (SELECT COUNT(*) FROM order_lines), ' lines; returns ',
		(SELECT GROUP_CONCAT(CONCAT(status, ' ', t) ORDER BY status SEPARATOR ', ') FROM
		  (SELECT status, SUM(n) t FROM status_counts WHERE kind = 'return' GROUP BY status) x), '; listings ',
		(SELECT GROUP_CONCAT(CONCAT(status, ' ', t) ORDER BY status SEPARATOR ', ') FROM
		  (SELECT status, SUM(n) t FROM status_counts WHERE kind = 'listing' GROUP BY status) y), '; ',
		(SELECT COUNT(*) FROM events), ' events; ',
		(SELECT ROUND(100 * SUM(n) / (SELECT SUM(n) FROM status_counts WHERE kind = 'return'))
		 FROM status_counts s JOIN merchants m ON m.id = s.merchant_id WHERE m.slug = '$BIG' AND kind = 'return'),
		'% of returns at $BIG')")
}

# ---------------------------------------------------------------------------------------------
# Both sets up at once, each in a stack of its own, and every endpoint measured on them back to
# back: ×1, ×F, ×F, ×1, each run HALF seconds (bench/lib.sh's measure adds the runs of a set up as
# its parts). A drift of the machine linear in time then weighs on both sets alike: the mean time
# of a set's two runs is the same for both.

declare -A SET MARK RECEIVED INSPECTED
# The ×1 set's stack on bench/lib.sh's ports (KAERU_BENCH_PORT, KAERU_BENCH_DB_PORT, the mail
# sink's), the ×F set's on each of them + 1.
BASE_PORT=$PORT BASE_DB_PORT=$DB_PORT BASE_SMTP_PORT=$KAERU_SMTP_PORT
set_ports() { # set_ports TAG
	local d=0
	[ "$1" = small ] || d=1
	PORT=$((BASE_PORT + d)) DB_PORT=$((BASE_DB_PORT + d)) KAERU_SMTP_PORT=$((BASE_SMTP_PORT + d))
	URL=http://127.0.0.1:$PORT
}
if [ "$(printf '%s\n' "$BASE_PORT" $((BASE_PORT + 1)) "$BASE_SMTP_PORT" $((BASE_SMTP_PORT + 1)) | sort -u | wc -l)" != 4 ]; then
	die "the two sets' ports collide: KAERU_BENCH_PORT and KAERU_BENCH_SMTP_PORT must be at least 2 apart"
fi

save_set() { # save_set TAG FACTOR — the set just opened, for use_set
	local tag=$1
	SET[$tag.factor]=$2 SET[$tag.stack]=$STACK SET[$tag.work]=$WORK SET[$tag.day]=$LOADED_DAY
	SET[$tag.cookies]=$(pairs_of COOKIE) SET[$tag.keys]=$(pairs_of KEY)
}
# use_set TAG — the set's stack is the one measured: its ports, processes, work folder and
# sign-ins; the other set's processes are OTHER_PIDS (their CPU is kept apart).
use_set() {
	local tag=$1 other=large pair pairs var p
	[ "$tag" = small ] || other=small
	set_ports "$tag"
	STACK=${SET[$tag.stack]} WORK=${SET[$tag.work]} LOADED_DAY=${SET[$tag.day]}
	ADMIN=$STACK/admin
	FCGI_PID=$(cat "$STACK/run/kaeru-fcgi.pid") DB_PID=$(cat "$STACK/run/mysqld.pid") NGINX_PID=$(cat "$STACK/run/nginx.pid")
	COOKIE=() KEY=()
	read -ra pairs <<<"${SET[$tag.cookies]}"
	for pair in "${pairs[@]}"; do COOKIE[${pair%%=*}]=${pair#*=}; done
	read -ra pairs <<<"${SET[$tag.keys]}"
	for pair in "${pairs[@]}"; do KEY[${pair%%=*}]=${pair#*=}; done
	OTHER_PIDS=""
	var=${SET[$other.stack]:-}
	if [ -n "$var" ]; then
		for p in kaeru-fcgi mysqld bench-bare bench-lookup; do
			[ ! -f "$var/run/$p.pid" ] || OTHER_PIDS+=" $(cat "$var/run/$p.pid")"
		done
		[ ! -f "$var/run/nginx.pid" ] || OTHER_PIDS+=" +$(cat "$var/run/nginx.pid")"
	fi
}
# each_set FUNCTION [ARG…] — FUNCTION TAG ARG… on the ×1 set, then on the ×F set.
each_set() {
	local tag
	for tag in small large; do
		use_set "$tag"
		"$1" "$tag" "${@:2}"
	done
}
# interleave NAME PATH [SPEC [LUA [CONNECTIONS]]] — NAME measured ×1, ×F, ×F, ×1, HALF seconds
# each. SPEC is a file name in each set's WORK; a "%" in it stands for the set's run, 1 or 2, for
# requests that write: each run then acts on rows of its own.
interleave() {
	local name=$1 path=$2 spec=${3:-} run tag
	shift 2
	[ $# = 0 ] || shift
	for run in small:1 large:1 large:2 small:2; do
		tag=${run%:*}
		use_set "$tag"
		WRK_SECONDS=$HALF measure "$tag.$name" "$path" "${spec:+$WORK/${spec//%/${run#*:}}}" "$@"
	done
}
# halves FILE — FILE's first half of lines into FILE-1.tsv, the rest into FILE-2.tsv (FILE
# ending in .tsv): the requests of a set's two runs.
halves() {
	local n; n=$(wc -l <"$1")
	[ "$n" -ge 2 ] || die "${1##*/} has $n requests: too few for two runs"
	head -n $((n / 2)) "$1" >"${1%.tsv}-1.tsv"
	tail -n +$((n / 2 + 1)) "$1" >"${1%.tsv}-2.tsv"
}

warm_set() { # warm_set TAG — the buffer pool, nginx and the FastCGI paths warm (not counted)
	warm_up
	set_facts "$1"
	BENCH_THREADS=$THREADS BENCH_LUA=$HERE/lua wrk -t"$THREADS" -c"$CONNS" -d2s -s "$HERE/lua/replay.lua" \
		"$URL/bench/bare" >/dev/null 2>&1 || true
}

# The console, analytics and events, on the set as loaded.
console_specs() { # console_specs TAG
	local tag=$1 big_cookie=${COOKIE[$BIG]} big_key=${KEY[$BIG]}
	# The console's listings: each tab, its first page and its middle page, reached as the
	# console pages: by the cursor (after=) of the row just above it.
	local status n deep cursor where order
	for status in all pending_review published rejected sold; do
		where="" order="DESC"
		[ "$status" = all ] || where="AND l.status = '$status'"
		[ "$status" = pending_review ] && order="ASC"
		n=$(sql "SELECT COALESCE(SUM(n), 0) FROM status_counts s JOIN merchants m ON m.id = s.merchant_id WHERE m.slug = '$BIG' AND s.kind = 'listing' ${where/l.status/s.status}")
		deep=$(( (n + 99) / 100 )); [ "$deep" -ge 1 ] || deep=1
		cursor=$(sql "SELECT l.id FROM listings l JOIN merchants m ON m.id = l.merchant_id WHERE m.slug = '$BIG' $where
		              ORDER BY l.created_at $order, l.id $order LIMIT 1 OFFSET $(( (deep - 1) * 50 - 1 < 0 ? 0 : (deep - 1) * 50 - 1 ))")
		local qs=${status/all/}
		printf 'GET\t/api/v1/merchant/listings?status=%s&page=1\tCookie: %s\t\n' "$qs" "$big_cookie" >"$WORK/spec-listings-$status-1.tsv"
		printf 'GET\t/api/v1/merchant/listings?status=%s&after=%s\tCookie: %s\t\n' "$qs" "$cursor" "$big_cookie" >"$WORK/spec-listings-$status-deep.tsv"
		DEEP_PAGE[$tag.listings_${status}_deep]=$deep
	done

	# The console's returns: the first page, the middle page, and the search box (an RMA, an order
	# number or an e-mail address of the merchant's).
	n=$(sql "SELECT COALESCE(SUM(n), 0) FROM status_counts s JOIN merchants m ON m.id = s.merchant_id WHERE m.slug = '$BIG' AND s.kind = 'return'")
	deep=$(( (n + 99) / 100 ))
	cursor=$(sql "SELECT r.id FROM returns r JOIN merchants m ON m.id = r.merchant_id WHERE m.slug = '$BIG'
	              ORDER BY r.created_at DESC, r.id DESC LIMIT 1 OFFSET $(( (deep - 1) * 50 - 1 ))")
	printf 'GET\t/api/v1/merchant/returns?page=1\tCookie: %s\t\n' "$big_cookie" >"$WORK/spec-returns-1.tsv"
	printf 'GET\t/api/v1/merchant/returns?after=%s\tCookie: %s\t\n' "$cursor" "$big_cookie" >"$WORK/spec-returns-deep.tsv"
	DEEP_PAGE[$tag.console_returns_deep]=$deep
	sql "SELECT r.rma, o.order_number, o.email FROM returns r JOIN orders o ON o.id = r.order_id
	     JOIN merchants m ON m.id = r.merchant_id WHERE m.slug = '$BIG' ORDER BY CRC32(r.id) LIMIT 300" |
		awk -v c="$big_cookie" '{ q = (NR % 3 == 0 ? $1 : NR % 3 == 1 ? $2 : $3); gsub(/@/, "%40", q)
			printf "GET\t/api/v1/merchant/returns?q=%s\tCookie: %s\t\n", q, c }' >"$WORK/spec-search.tsv"

	# Analytics of the month up to the day the set was made.
	local to from
	to=$LOADED_DAY from=$(date -u -d "$LOADED_DAY - 29 days" +%Y-%m-%d)
	printf 'GET\t/api/v1/merchant/analytics?from=%s&to=%s\tCookie: %s\t\n' "$from" "$to" "$big_cookie" >"$WORK/spec-analytics.tsv"

	# The events feed: the first page, and pages from 50 cursors spread over the middle half of the
	# merchant's events (a quarter to three quarters in): every page a full 100 at both sizes, so
	# the two sets answer the same work (cursors from the middle on ran into the feed's end at ×1).
	local last
	last=$(sql "SELECT last_seq FROM merchant_event_seq s JOIN merchants m ON m.id = s.merchant_id WHERE m.slug = '$BIG'")
	printf 'GET\t/api/v1/merchants/%s/events?limit=100\tAuthorization: Bearer %s\t\n' "$BIG" "$big_key" >"$WORK/spec-events-1.tsv"
	awk -v last="$last" -v s="$BIG" -v k="$big_key" 'BEGIN { for (i = 0; i < 50; i++)
		printf "GET\t/api/v1/merchants/%s/events?limit=100&after=%d\tAuthorization: Bearer %s\t\n", s, int(last / 4) + i * int(last / 100), k }' \
		>"$WORK/spec-events-deep.tsv"
}

# The public shop. Its snapshot is loaded by the first view after a change (not counted below):
# timed. A sale changes the shop: the next view builds the snapshot from the one kept and the
# listings changed since (fcgi/shop.c), timed, with the build's own time and kind from
# kaeru-fcgi's /api/v1/metrics (a delta build, unless the shop is too large to be kept). Then
# run.sh's views (default, by price both ways, a grade, a category, a title search) pages 1-2,
# the middle page of the default view, an item page of each of a sample of published listings.
shop_specs() { # shop_specs TAG
	local tag=$1 big_key=${KEY[$BIG]}
	SHOP_LOAD[$tag]=$(curl -s -o /dev/null -w '%{time_total}' "$URL/api/v1/shop/$BIG/listings" | awk '{ printf "%.0f", $1 * 1000 }')
	log "the shop's snapshot of $BIG ×${SET[$tag.factor]} loaded by its first view in ${SHOP_LOAD[$tag]} ms"
	local sold_id deltas
	sold_id=$(sql "SELECT l.id FROM listings l JOIN merchants m ON m.id = l.merchant_id
	               WHERE m.slug = '$BIG' AND l.status = 'published' ORDER BY l.id LIMIT 1")
	deltas=$(metric shop_builds_delta)
	curl -s -o /dev/null -X POST -H "Authorization: Bearer $big_key" \
		"$URL/api/v1/merchants/$BIG/listings/$sold_id/sold"
	SHOP_SALE[$tag]=$(curl -s -o /dev/null -w '%{time_total}' "$URL/api/v1/shop/$BIG/listings" | awk '{ printf "%.0f", $1 * 1000 }')
	SHOP_SALE_BUILD[$tag]=$(awk -v us="$(metric shop_last_build_microseconds)" 'BEGIN { printf "%.0f", us / 1000 }')
	SHOP_SALE_KIND[$tag]=$([ "$(metric shop_builds_delta)" -gt "$deltas" ] && echo "from the one kept" || echo "read whole")
	log "after a sale, the shop's next view took ${SHOP_SALE[$tag]} ms (its snapshot built ${SHOP_SALE_KIND[$tag]} in ${SHOP_SALE_BUILD[$tag]} ms)"
	local page q=T%E3%82%B7%E3%83%A3%E3%83%84 query n deep
	for query in "" "sort=price" "sort=-price" "grade=like_new" "category=tops" "q=$q"; do
		for page in 1 2; do
			printf 'GET\t/api/v1/shop/%s/listings?%s%spage=%s\t-\t\n' "$BIG" "$query" "${query:+&}" "$page"
		done
	done >"$WORK/spec-shop.tsv"
	n=$(sql "SELECT COALESCE(SUM(n), 0) FROM status_counts s JOIN merchants m ON m.id = s.merchant_id WHERE m.slug = '$BIG' AND s.kind = 'listing' AND s.status = 'published'")
	deep=$(( (n + 47) / 48 )); [ "$deep" -ge 1 ] || deep=1
	printf 'GET\t/api/v1/shop/%s/listings?page=%s\t-\t\n' "$BIG" "$deep" >"$WORK/spec-shop-deep.tsv"
	DEEP_PAGE[$tag.shop_deep]=$deep
	sql "SELECT l.id FROM listings l JOIN merchants m ON m.id = l.merchant_id WHERE m.slug = '$BIG'
	     AND l.status = 'published' ORDER BY CRC32(l.id) LIMIT 2000" |
		awk -v s="$BIG" '{ printf "GET\t/shop/%s/items/%s\t-\t\n", s, $1 }' >"$WORK/spec-item.tsv"
}

# Photos: the renditions a shop page loads (400 and 800 wide, WebP and JPEG) of the big
# merchant's listings' photos, from nginx's cache at /media/ (a first pass, not counted, fills
# it); then the same names at /bench/media/, past that cache: kaeru-fcgi reads each rendition
# from MariaDB, as on its first fetch (renditions are made at upload, not on a GET).
media_specs() { # media_specs TAG
	local tag=$1
	sql "SELECT CONCAT(mr.hash, '-', mr.width, '.', mr.format) FROM return_photos p
	     JOIN merchants m ON m.id = p.merchant_id JOIN media_renditions mr ON mr.hash = p.hash
	     WHERE m.slug = '$BIG' AND p.source = 'warehouse' AND mr.width IN (400, 800)
	     ORDER BY CRC32(CONCAT(mr.hash, mr.width, mr.format))" >"$WORK/renditions.txt"
	[ -s "$WORK/renditions.txt" ] || die "the set has no photo renditions to measure"
	awk '{ printf "GET\t/media/%s\t-\t\n", $1 }' "$WORK/renditions.txt" >"$WORK/spec-media.tsv"
	awk '{ printf "GET\t/bench/media/%s\t-\t\n", $1 }' "$WORK/renditions.txt" >"$WORK/spec-media-fcgi.tsv"
	wrk_once media-warm "$WORK/spec-media.tsv"
	MEDIA_NOTE[$tag]="$(wc -l <"$WORK/renditions.txt") renditions of $(sql "SELECT COUNT(*) FROM return_photos p JOIN merchants m ON m.id = p.merchant_id WHERE m.slug = '$BIG' AND p.source = 'warehouse'") photos, $(sql "SELECT ROUND(AVG(LENGTH(bytes)) / 1024) FROM media_renditions WHERE width IN (400, 800)") KB on average"
}

# Lookups over a sample of every merchant's orders, with and without returns, shuffled; and the
# same requests against the database-bound ceiling.
lookup_specs() { # lookup_specs TAG
	local orders; orders=$(sql "SELECT COUNT(*) FROM orders")
	sql "SELECT m.slug, o.order_number, o.email FROM orders o JOIN merchants m ON m.id = o.merchant_id
	     WHERE o.id % $(( orders / 20000 > 1 ? orders / 20000 : 1 )) = 0 ORDER BY CRC32(o.id) LIMIT 20000" |
		awk '{ printf "POST\t/api/v1/lookup\t-\t{\"merchant\":\"%s\",\"order_number\":\"%s\",\"email\":\"%s\"}\n", $1, $2, $3 }' \
			>"$WORK/spec-lookup.tsv"
	sed 's|/api/v1/lookup|/bench/lookup|' "$WORK/spec-lookup.tsv" >"$WORK/spec-bare-lookup.tsv"
}

# Create return on lines no return holds (every order's first such line before any second,
# merchants mixed), the first half of them in the set's first run, the rest in its second.
create_specs() { # create_specs TAG
	MARK[$1]=$(sql "SELECT COALESCE(MAX(id), 0) FROM returns")
	fresh_lines $((2000 * MEASURED_SECONDS)) >"$WORK/fresh.txt"
	create_spec "run$(date +%s)" "$WORK/fresh.txt" >"$WORK/spec-create.tsv"
	halves "$WORK/spec-create.tsv"
}
label_specs() { # label_specs TAG — the label of each return just made
	sql "SELECT rma, tracking_key FROM returns WHERE id > ${MARK[$1]} ORDER BY id" |
		awk '{ printf "GET\t/api/v1/returns/%s/label.pdf?k=%s\t-\t\n", $1, $2 }' >"$WORK/spec-label.tsv"
}

# Scans of parcels not yet received: first 4 stations at once, then CONNS connections. Enough
# parcels for both are made first (not measured), so nearly every scan is a first scan; a
# station whose parcels run out scans them again (a repeat, nothing written). Each of a set's
# runs scans parcels of its own.
received() { sql "SELECT COUNT(*) FROM returns WHERE id > ${MARK[$1]} AND status <> 'label_issued'"; }
scan_specs() { # scan_specs TAG
	local tag=$1 need=$((3500 * MEASURED_SECONDS)) have
	have=$(sql "SELECT COUNT(*) FROM returns WHERE id > ${MARK[$tag]} AND status = 'label_issued'")
	if [ "$have" -lt "$need" ]; then
		fresh_lines $((need - have)) >"$WORK/fresh-more.txt"
		create_spec "more$(date +%s)" "$WORK/fresh-more.txt" >"$WORK/more-create.tsv"
		wrk_once more-create "$WORK/more-create.tsv"
	fi
	sql "SELECT r.rma, w.code FROM returns r JOIN warehouses w ON w.id = r.warehouse_id
	     WHERE r.id > ${MARK[$tag]} AND r.status = 'label_issued' ORDER BY r.id" |
		awk -v tyo="${COOKIE[TYO1]}" -v nj="${COOKIE[NJ1]}" '{
			printf "POST\t/api/v1/scan\tCookie: %s\t{\"code\":\"%s%s\"}\n", ($2 == "TYO1" ? tyo : nj), (NR % 2 ? "" : "KAERU:"), $1 }' \
			>"$WORK/scan-all.tsv"
	local parcels; parcels=$(wc -l <"$WORK/scan-all.tsv")
	# a few stations scan faster than CONNS connections that queue on each merchant's rows
	head -n $((parcels * 55 / 100)) "$WORK/scan-all.tsv" >"$WORK/spec-scan4.tsv"
	tail -n +$((parcels * 55 / 100 + 1)) "$WORK/scan-all.tsv" >"$WORK/spec-scan.tsv"
	halves "$WORK/spec-scan4.tsv"
	halves "$WORK/spec-scan.tsv"
	RECEIVED[$tag]=$(received "$tag")
}
first_scans() { # first_scans TAG NAME — parcels received since the last count, by NAME
	local now; now=$(received "$1")
	FIRST_SCANS[$1.$2]=$((now - ${RECEIVED[$1]}))
	RECEIVED[$1]=$now
}

# Inspections of pending items of received parcels, newest first, the ordinary path (graded for
# resale or restock; nothing damaged, so no review holds); each of a set's runs on items of its own.
inspection_specs() { # inspection_specs TAG
	sql "SELECT r.rma, i.id, w.code FROM return_items i JOIN returns r ON r.id = i.return_id
	     JOIN warehouses w ON w.id = r.warehouse_id WHERE r.status = 'received' AND i.status = 'pending'
	     ORDER BY i.id DESC LIMIT $((3000 * MEASURED_SECONDS))" |
		awk -v tyo="${COOKIE[TYO1]}" -v nj="${COOKIE[NJ1]}" 'BEGIN {
			split("like_new|like_new|good|good|fair|new|good|like_new|good|new", grade, "|")
			split("resale|resale|resale|resale|resale|restock|resale|resale|recycle|refurbish", disp, "|")
		} { k = $2 % 10 + 1
			printf "POST\t/api/v1/returns/%s/items/%s/inspection\tCookie: %s\t{\"received_quantity\":1,\"grade\":\"%s\",\"disposition\":\"%s\",\"note\":\"Tried on once.\"}\n",
			       $1, $2, ($3 == "TYO1" ? tyo : nj), grade[k], disp[k] }' >"$WORK/spec-inspection.tsv"
	halves "$WORK/spec-inspection.tsv"
	INSPECTED[$1]=$(sql "SELECT COUNT(*) FROM return_items WHERE status = 'inspected'")
}
first_inspections() { # first_inspections TAG
	FIRST_INSPECTIONS[$1]=$(( $(sql "SELECT COUNT(*) FROM return_items WHERE status = 'inspected'") - ${INSPECTED[$1]} ))
}

# The measurements: reads first (on the sets as loaded), then the lookup and its ceiling, then
# the writes, each on rows of its own.
measure_sets() {
	say "measuring both sets, each row ×1, ×$FACTOR, ×$FACTOR, ×1: wrk -t$THREADS -c$CONNS -d${HALF}s a run, $WORKERS kaeru-fcgi workers"
	each_set warm_set
	interleave bare /bench/bare

	each_set console_specs
	local status
	for status in all pending_review published rejected sold; do
		interleave "listings_${status}_first" /api/v1/merchant/listings "spec-listings-$status-1.tsv"
		interleave "listings_${status}_deep" /api/v1/merchant/listings "spec-listings-$status-deep.tsv"
	done
	interleave console_returns_first /api/v1/merchant/returns spec-returns-1.tsv
	interleave console_returns_deep /api/v1/merchant/returns spec-returns-deep.tsv
	interleave console_search /api/v1/merchant/returns spec-search.tsv
	interleave analytics /api/v1/merchant/analytics spec-analytics.tsv
	interleave events_first "/api/v1/merchants/$BIG/events" spec-events-1.tsv
	interleave events_deep "/api/v1/merchants/$BIG/events" spec-events-deep.tsv

	each_set shop_specs
	interleave shop_listings "/api/v1/shop/$BIG/listings" spec-shop.tsv
	interleave shop_deep "/api/v1/shop/$BIG/listings" spec-shop-deep.tsv
	interleave item_page "/shop/$BIG/items/" spec-item.tsv
	feeds

	each_set media_specs
	interleave media /media/ spec-media.tsv
	interleave media_fcgi /bench/media/ spec-media-fcgi.tsv

	each_set exports_memory

	each_set lookup_specs
	interleave lookup /api/v1/lookup spec-lookup.tsv
	interleave bare_lookup /bench/lookup spec-bare-lookup.tsv

	each_set create_specs
	interleave create /api/v1/returns "spec-create-%.tsv"
	each_set label_specs
	interleave label /api/v1/returns spec-label.tsv
	each_set scan_specs
	interleave scan4 /api/v1/scan "spec-scan4-%.tsv" replay.lua "$STATIONS"
	each_set first_scans scan4
	interleave scan /api/v1/scan "spec-scan-%.tsv"
	each_set first_scans scan
	each_set inspection_specs
	interleave inspection /api/v1/returns "spec-inspection-%.tsv"
	each_set first_inspections
}
declare -A DEEP_PAGE FIRST_SCANS FIRST_INSPECTIONS MEDIA_NOTE SHOP_LOAD SHOP_SALE SHOP_SALE_BUILD SHOP_SALE_KIND

# fresh_lines N — up to N lines no return holds, "ORDER_ID SLUG NUMBER LINE_ID": every order's
# first such line before any second, the orders shuffled so that merchants mix.
fresh_lines() {
	sql "SELECT o.id, m.slug, o.order_number, l.line_id FROM order_lines l JOIN orders o ON o.id = l.order_id
	     JOIN merchants m ON m.id = o.merchant_id WHERE l.returned_quantity = 0 AND NOT l.final_sale
	     ORDER BY l.position, CRC32(o.id) LIMIT $1" | tr '\t' ' '
}

# The product feed, streamed: time to its first byte and to its end, median of 5 a set, the
# downloads in the order ×1, ×F, ×F, ×1, ×1, ×F, ×F, ×1, ×1, ×F; and each kaeru-fcgi's peak
# memory meanwhile.
feed_begin() { # feed_begin TAG
	FEED_BASE[$1]=$(rss_mb)
	echo 5 >"/proc/$FCGI_PID/clear_refs" 2>/dev/null || true
	: >"$WORK/feed.txt"
}
feed_end() { # feed_end TAG
	local tag=$1
	awk '$4 != 200 { bad++ } END { exit bad > 0 }' "$WORK/feed.txt" || die "feed.csv failed: $(cat "$WORK/feed.txt")"
	FEED_TTFB[$tag]=$(sort -n -k1 "$WORK/feed.txt" | awk 'NR == 3 { printf "%.2f", $1 * 1000 }')
	FEED_TOTAL[$tag]=$(sort -n -k2 "$WORK/feed.txt" | awk 'NR == 3 { printf "%.2f", $2 * 1000 }')
	FEED_BYTES[$tag]=$(awk 'NR == 1 { printf "%.0f", $3 / 1024 }' "$WORK/feed.txt")
	FEED_HWM[$tag]=$(hwm_mb)
	FEED_ANON[$tag]=$(anon_mb)
	log "feed.csv ×${SET[$tag.factor]}: first byte ${FEED_TTFB[$tag]} ms, whole ${FEED_TOTAL[$tag]} ms, ${FEED_BYTES[$tag]} KB; kaeru-fcgi ${FEED_BASE[$tag]} MB before, peak ${FEED_HWM[$tag]} MB"
}
feeds() {
	local tag
	log "measuring feed.csv: 5 downloads a set, one at a time, ×1, ×$FACTOR, ×$FACTOR, ×1, …"
	each_set feed_begin
	for tag in small large large small small large large small small large; do
		use_set "$tag"
		curl -s -o /dev/null -w '%{time_starttransfer} %{time_total} %{size_download} %{http_code}\n' \
			"$URL/api/v1/shop/$BIG/feed.csv" >>"$WORK/feed.txt"
	done
	each_set feed_end
}

# DOWNLOADS downloads at once of the big merchant's returns export (every return made from the
# day before the set was made until today), kaeru-fcgi's resident memory sampled from /proc every
# 50 ms meanwhile: its peak (VmHWM, reset first; and the highest sample), with the median time to
# the first byte and to the end of a download.
declare -A FEED_ANON EXPORT_ANON EXPORT_BASE EXPORT_HWM EXPORT_RSS EXPORT_ROWS EXPORT_MB EXPORT_TTFB EXPORT_TOTAL
exports_memory() {
	local tag=$1 from to i p pids=() running=1 peak=0 rss anon anon_peak=0
	from=$(date -u -d "$LOADED_DAY - 1 day" +%Y-%m-%d) to=$(date -u +%Y-%m-%d)
	log "measuring $tag.exports: $DOWNLOADS downloads of returns.csv at once"
	EXPORT_BASE[$tag]=$(rss_mb)
	echo 5 >"/proc/$FCGI_PID/clear_refs"
	for i in $(seq 1 "$DOWNLOADS"); do
		curl -s -o "$([ "$i" = 1 ] && echo "$WORK/export.csv" || echo /dev/null)" -H "Cookie: ${COOKIE[$BIG]}" \
			-w '%{http_code} %{time_starttransfer} %{time_total} %{size_download}\n' \
			"$URL/api/v1/merchant/returns.csv?from=$from&to=$to" >"$WORK/export-$i.txt" &
		pids+=($!)
	done
	while [ "$running" = 1 ]; do
		running=0
		for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && running=1; done
		rss=$(rss_mb)
		peak=$(awk -v a="$peak" -v b="$rss" 'BEGIN { print (b > a ? b : a) }')
		anon=$(anon_mb)
		anon_peak=$(awk -v a="$anon_peak" -v b="$anon" 'BEGIN { print (b > a ? b : a) }')
		sleep 0.05
	done
	for p in "${pids[@]}"; do wait "$p" || true; done
	EXPORT_HWM[$tag]=$(hwm_mb)
	EXPORT_RSS[$tag]=$peak
	EXPORT_ANON[$tag]=$anon_peak
	cat "$WORK"/export-*.txt >"$WORK/exports.txt"
	awk '$1 != 200 { bad++ } END { exit bad > 0 }' "$WORK/exports.txt" || die "returns.csv failed: $(sort "$WORK/exports.txt" | uniq -c)"
	[ "$(awk '{ print $4 }' "$WORK/exports.txt" | sort -u | wc -l)" = 1 ] ||
		die "the $DOWNLOADS downloads of returns.csv differ in length (one ended early: $STACK/log/kaeru-fcgi.log says why): $(awk '{ print $4 }' "$WORK/exports.txt" | sort -u | tr '\n' ' ')"
	EXPORT_ROWS[$tag]=$(($(wc -l <"$WORK/export.csv") - 1))
	rm -f "$WORK/export.csv"
	EXPORT_MB[$tag]=$(awk 'NR == 1 { printf "%.1f", $4 / 1048576 }' "$WORK/exports.txt")
	EXPORT_TTFB[$tag]=$(sort -n -k2 "$WORK/exports.txt" | awk -v h=$((DOWNLOADS / 2)) 'NR == h { printf "%.2f", $2 * 1000 }')
	EXPORT_TOTAL[$tag]=$(sort -n -k3 "$WORK/exports.txt" | awk -v h=$((DOWNLOADS / 2)) 'NR == h { printf "%.0f", $3 * 1000 }')
	log "returns.csv ×$DOWNLOADS: ${EXPORT_ROWS[$tag]} rows (${EXPORT_MB[$tag]} MB) each, first byte ${EXPORT_TTFB[$tag]} ms, whole ${EXPORT_TOTAL[$tag]} ms; kaeru-fcgi ${EXPORT_BASE[$tag]} MB before, peak ${EXPORT_HWM[$tag]} MB (highest sample ${EXPORT_RSS[$tag]} MB)"
}

# ---------------------------------------------------------------------------------------------

# A set's stack an earlier run left up (KAERU_BENCH_KEEP=1) starts again, on this run's ports.
stack_down "$BUILD/scale/x1"
stack_down "$BUILD/scale/x$FACTOR"
set_ports small
open_set small 1
save_set small 1
MACHINE=$(machine_md)
set_ports large
open_set large "$FACTOR"
save_set large "$FACTOR"
measure_sets
use_set large
POOL_MB=$(sql "SELECT @@innodb_buffer_pool_size DIV 1048576")
DURABLE=$(sql "SELECT @@innodb_flush_log_at_trx_commit")
if [ "$KEEP" = 1 ]; then
	stack_down "${SET[small.stack]}"
	say "leaving the large set's stack up at $URL (KAERU_BENCH_KEEP=1); stop it with: kill $(cat $STACK/run/bench-*.pid); tools/stack.sh stop $STACK"
else
	say "stopping the stacks"
	stacks_down
fi

# ---------------------------------------------------------------------------------------------
# The table, the targets and bench/RESULTS-scale.md.

describe() {
	case $1 in
	bare) echo "bare libfcgi responder (ceiling)" ;;
	listings_*_first) local s=${1#listings_}; echo "console listings, ${s%_first}, page 1" ;;
	listings_*_deep) local s=${1#listings_}; echo "console listings, ${s%_deep}, middle page" ;;
	console_returns_first) echo "console returns, page 1" ;;
	console_returns_deep) echo "console returns, middle page" ;;
	console_search) echo "console returns search (q=)" ;;
	analytics) echo "analytics, a month" ;;
	events_first) echo "events feed, first page (100)" ;;
	events_deep) echo "events feed, deep cursor (100)" ;;
	shop_listings) echo "shop listings (run.sh's views, pages 1-2)" ;;
	shop_deep) echo "shop listings, middle page" ;;
	item_page) echo "item page" ;;
	lookup) echo "order lookup" ;;
	bare_lookup) echo "lookup ceiling (bare_lookup.c)" ;;
	create) echo "create return (durable)" ;;
	label) echo "label PDF" ;;
	scan4) echo "scan, $STATIONS stations" ;;
	scan) echo "scan, $CONNS connections" ;;
	inspection) echo "inspection" ;;
	media) echo "photo rendition /media/ (nginx's cache)" ;;
	media_fcgi) echo "photo rendition, kaeru-fcgi past the cache" ;;
	esac
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }
pct() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", (b > 0 ? 100 * a / b : 0) }'; }
NAMES=()
for key in "${ORDER_OF_ROWS[@]}"; do
	if [ "${key%%.*}" = small ]; then NAMES+=("${key#small.}"); fi
done

TABLE="| measurement | ×1 req/s | p50 ms | p99 ms | ×$FACTOR req/s | p50 ms | p99 ms | p50 ×$FACTOR/×1 | req/s ×$FACTOR/×1 | rows read per request ×1 → ×$FACTOR | errors |
|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
MISSED=() MET=0
for name in "${NAMES[@]}"; do
	s=small.$name l=large.$name
	pr="–" rr=$(ratio "${RPS[$l]}" "${RPS[$s]}") mark=""
	[ "${P50[$l]}" = "–" ] || [ "${P50[$s]}" = "–" ] || pr=$(ratio "${P50[$l]}" "${P50[$s]}")
	if [ "$name" != bare ]; then
		if [ "$pr" != "–" ] && awk -v p="$pr" -v r="$rr" 'BEGIN { exit !(p <= 1.25 && r >= 0.8) }'; then
			MET=$((MET + 1))
		else
			mark=" **✗**"
			MISSED+=("$(describe "$name") (p50 ×$pr, req/s ×$rr; ${REQS[$l]} answers in ${MEASURED[$l]} s at ×$FACTOR)")
		fi
	fi
	TABLE+=$'\n'"| $(describe "$name")${DEEP_PAGE[$s]:+ (${DEEP_PAGE[$s]} → ${DEEP_PAGE[$l]})} | ${RPS[$s]} | ${P50[$s]} | ${P99[$s]} | ${RPS[$l]} | ${P50[$l]} | ${P99[$l]} | $pr$mark | $rr | ${ROWS[$s]} → ${ROWS[$l]} | ${ERRS[$s]} / ${ERRS[$l]} |"
done
TABLE+=$'\n'"| feed.csv, first byte (median of 5) | | ${FEED_TTFB[small]} | | | ${FEED_TTFB[large]} | | $(ratio "${FEED_TTFB[large]}" "${FEED_TTFB[small]}") | | | |"
TABLE+=$'\n'"| feed.csv, whole (${FEED_BYTES[small]} KB → ${FEED_BYTES[large]} KB) | | ${FEED_TOTAL[small]} | | | ${FEED_TOTAL[large]} | | $(ratio "${FEED_TOTAL[large]}" "${FEED_TOTAL[small]}") | | | |"
TABLE+=$'\n'"| returns.csv, $DOWNLOADS downloads at once, first byte (median) | | ${EXPORT_TTFB[small]} | | | ${EXPORT_TTFB[large]} | | $(ratio "${EXPORT_TTFB[large]}" "${EXPORT_TTFB[small]}") | | | |"
TABLE+=$'\n'"| returns.csv, $DOWNLOADS downloads at once, whole (${EXPORT_ROWS[small]} → ${EXPORT_ROWS[large]} rows, ${EXPORT_MB[small]} → ${EXPORT_MB[large]} MB each) | | ${EXPORT_TOTAL[small]} | | | ${EXPORT_TOTAL[large]} | | $(ratio "${EXPORT_TOTAL[large]}" "${EXPORT_TOTAL[small]}") | | | |"

# CPU_SPLIT's fields (kaeru-fcgi, MariaDB, nginx, rest, idle, stolen) with the other set's stack after "rest"
cpu_row() { awk -v s="$1" -v o="$2" 'BEGIN { n = split(s, c, / \| /); for (i = 1; i <= n; i++) printf "%s%s%s", (i > 1 ? " | " : ""), c[i], (i == 4 ? " | " o : "") }'; }
CPU_TABLE="| measurement | set | kaeru-fcgi | MariaDB | nginx | rest | other set | idle | stolen | SQL statements | prepares | rows read | fsyncs |
|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
OTHER_MAX=0
for name in "${NAMES[@]}"; do
	for tag in small large; do
		CPU_TABLE+=$'\n'"| $(describe "$name") | $([ $tag = small ] && echo ×1 || echo "×$FACTOR") | $(cpu_row "${CPU_SPLIT[$tag.$name]}" "${OTHER_CPU[$tag.$name]}") | ${DB_SPLIT[$tag.$name]} |"
		OTHER_MAX=$(awk -v a="$OTHER_MAX" -v b="${OTHER_CPU[$tag.$name]}" 'BEGIN { print (b + 0 > a ? b + 0 : a) }')
	done
done

verdict() { if awk "BEGIN { exit !($1) }"; then echo met; else echo "**missed**"; fi; }
num() { if [[ "$1" =~ ^[0-9.]+$ ]]; then echo "$1"; else echo 1e9; fi; } # "–" (no answer) fails every bound
TARGETS="| target (issue 16) | ×1 | ×$FACTOR | |
|---|---|---|---|
| every endpoint: p50 ×$FACTOR/×1 ≤ 1.25 and req/s ×$FACTOR/×1 ≥ 0.8 | | $MET of $((${#NAMES[@]} - 1)) met (the bare ceiling aside) | $([ ${#MISSED[@]} = 0 ] && echo met || echo "**missed**") |
| lookup ≥ 70% of its database-bound ceiling | $(pct "${RPS[small.lookup]}" "${RPS[small.bare_lookup]}") (${RPS[small.lookup]} of ${RPS[small.bare_lookup]} req/s) | $(pct "${RPS[large.lookup]}" "${RPS[large.bare_lookup]}") (${RPS[large.lookup]} of ${RPS[large.bare_lookup]} req/s) | $(verdict "${RPS[small.lookup]} >= 0.7 * ${RPS[small.bare_lookup]} && ${RPS[large.lookup]} >= 0.7 * ${RPS[large.bare_lookup]}") |
| scan p99 ≤ 5 ms, $STATIONS stations scanning at once (first scans, durable) | ${P99[small.scan4]} ms (${FIRST_SCANS[small.scan4]} first scans of ${REQS[small.scan4]}) | ${P99[large.scan4]} ms (${FIRST_SCANS[large.scan4]} first scans of ${REQS[large.scan4]}) | $(verdict "$(num "${P99[small.scan4]}") <= 5 && $(num "${P99[large.scan4]}") <= 5") |
| inspection in ≤ 8 statements (sent by kaeru-fcgi a request; by every client, kaeru-worker's share included) | ${SENT[small.inspection]} (${STMTS[small.inspection]}) | ${SENT[large.inspection]} (${STMTS[large.inspection]}) | $(verdict "$(num "${SENT[small.inspection]}") <= 8 && $(num "${SENT[large.inspection]}") <= 8") |
| create return: statements (answering from what it wrote: no re-read; the same two counts) | ${SENT[small.create]} (${STMTS[small.create]}) | ${SENT[large.create]} (${STMTS[large.create]}) | see the analysis |
| feed.csv streams: first byte ×$FACTOR/×1 ≤ 1.25 | ${FEED_TTFB[small]} ms | ${FEED_TTFB[large]} ms | $(verdict "$(num "${FEED_TTFB[large]}") <= 1.25 * $(num "${FEED_TTFB[small]}")") |
| feed.csv: kaeru-fcgi ≤ $MEMORY_MB MB (peak while 5 feeds are read; before them; its own, RssAnon, after) | ${FEED_HWM[small]} MB (${FEED_BASE[small]} MB; ${FEED_ANON[small]} MB) | ${FEED_HWM[large]} MB (${FEED_BASE[large]} MB; ${FEED_ANON[large]} MB) | $(verdict "$(num "${FEED_HWM[small]}") <= $MEMORY_MB && $(num "${FEED_HWM[large]}") <= $MEMORY_MB") |
| CSV export: kaeru-fcgi ≤ $MEMORY_MB MB with $WORKERS workers, $DOWNLOADS downloads of returns.csv at once (peak; before them; its own, RssAnon, at most) | ${EXPORT_HWM[small]} MB (${EXPORT_BASE[small]} MB; ${EXPORT_ANON[small]} MB), ${EXPORT_ROWS[small]} rows each | ${EXPORT_HWM[large]} MB (${EXPORT_BASE[large]} MB; ${EXPORT_ANON[large]} MB), ${EXPORT_ROWS[large]} rows each | $(verdict "$(num "${EXPORT_HWM[small]}") <= $MEMORY_MB && $(num "${EXPORT_HWM[large]}") <= $MEMORY_MB") |
| media: a rendition's p50 ×$FACTOR/×1 ≤ 1.25, from nginx's cache / from kaeru-fcgi | ${P50[small.media]} / ${P50[small.media_fcgi]} ms | ${P50[large.media]} / ${P50[large.media_fcgi]} ms | $(verdict "$(num "${P50[large.media]}") <= 1.25 * $(num "${P50[small.media]}") && $(num "${P50[large.media_fcgi]}") <= 1.25 * $(num "${P50[small.media_fcgi]}")") |"

ELAPSED=$((SECONDS - T0))
COMMAND="$(bench_overrides)./kaeru bench --scale"
echo
echo "kaeru bench --scale — $STARTED — wrk -t$THREADS -c$CONNS, ×1 and ×$FACTOR interleaved (×1, ×$FACTOR, ×$FACTOR, ×1, -d${HALF}s each), $WORKERS workers"
echo
echo "$TABLE"
echo
echo "$TARGETS"
echo
ANALYSIS=$(analysis_of "$RESULTS")
{
	cat <<MD
# kaeru at two sizes: ×1 and ×$FACTOR

Written by \`./kaeru bench --scale\` (bench/scale.sh); see bench/README.md for what each figure means.

- Date: $STARTED (took ${ELAPSED} s); machine load when it started (1/5/15 min): $LOADAVG
- Command: \`$COMMAND\`
- Load: wrk -t$THREADS -c$CONNS --latency per row ($STATIONS connections for the stations), all on
  this machine (wrk, nginx, kaeru-fcgi with $WORKERS workers and MariaDB share its cores);
  kaeru-worker running its search indexer alone (--search-only: the terms of new returns are
  written behind them in the same run; the whole worker would mail every return of the set)
- Order: both sets up at once, each in a stack of its own (MariaDB, kaeru-fcgi, nginx), the other
  one idle meanwhile; each row run ×1, ×$FACTOR, ×$FACTOR, ×1 back to back, -d${HALF}s a run
  (${MEASURED_SECONDS} s a set), so that a drift of the machine weighs on both sets alike; a set's
  figure is the mean of its two runs' (p50, p99, CPU and rows per request; req/s the inverse of
  the mean seconds per request); writes act on rows of their own in each run
- ×1: ${COMPOSITION[small]}; ${DATA_MB[small]} MB of tables and indexes; ${SET_NOTE[small]}
- ×$FACTOR: ${COMPOSITION[large]}; ${DATA_MB[large]} MB of tables and indexes; ${SET_NOTE[large]}
- MariaDB buffer pool: $POOL_MB MB for both sets (the ×$FACTOR set's tables and indexes: ${DATA_MB[large]} MB,
  every index read once before measuring); innodb_flush_log_at_trx_commit=$DURABLE while measuring
- Console, events, analytics, shop and feed: the merchant holding 70% ($BIG); a console middle
  page is the one halfway through the tab (its numbers at ×1 → ×$FACTOR in brackets), asked as
  the console asks it, with the cursor of the row above it (after=; page=N by number skips its
  rows with OFFSET and costs with N); the shop's middle page is by number (its snapshot is in
  memory); a deep events cursor is one halfway through the merchant's events

## Machine

$MACHINE

## Both sizes at $CONNS connections

$TABLE

"✗": a ratio past the targets (p50 ≤ 1.25×, req/s ≥ 0.8×). "errors" counts answers ≥ 400 and
socket errors (×1 / ×$FACTOR). Parcels received by the scans at $CONNS connections: ${FIRST_SCANS[small.scan]} / ${FIRST_SCANS[large.scan]}
(of ${REQS[small.scan]} / ${REQS[large.scan]} answers counted; the rest were repeats); items inspected for the first time:
${FIRST_INSPECTIONS[small]} / ${FIRST_INSPECTIONS[large]} (of ${REQS[small.inspection]} / ${REQS[large.inspection]} answers counted). Media: $PHOTOS photos on
$BIG's published listings in each set, uploaded through the API (×1: ${MEDIA_NOTE[small]}; ×$FACTOR:
${MEDIA_NOTE[large]}); "nginx's cache" is /media/ after one pass has filled nginx's cache, "past the
cache" the same names at /bench/media/, where kaeru-fcgi reads each rendition from MariaDB as on
its first fetch. returns.csv: $DOWNLOADS downloads at once of $BIG's returns export; kaeru-fcgi's
peak memory is in the Targets below. The shop's rows are measured on its snapshot in memory; the
snapshot is read whole by the shop's first view: ${SHOP_LOAD[small]} ms at ×1, ${SHOP_LOAD[large]} ms at
×$FACTOR, timed alone before the shop's rows. After a change (here a sale) the next view builds the
new snapshot ${SHOP_SALE_KIND[large]} and the listings changed since: that view took ${SHOP_SALE[small]} ms at ×1
and ${SHOP_SALE[large]} ms at ×$FACTOR (the build itself ${SHOP_SALE_BUILD[small]} and ${SHOP_SALE_BUILD[large]} ms, from
kaeru-fcgi's /api/v1/metrics; at ×1 it was built ${SHOP_SALE_KIND[small]}).

## Targets

$TARGETS

$( [ ${#MISSED[@]} = 0 ] || { echo "Ratios past the targets:"; for m in "${MISSED[@]}"; do echo "- $m"; done; } )

## Where the CPU goes

Per request: CPU µs of each process (from /proc), the idle share of the $(nproc) cores and the share
the hypervisor stole from them (/proc/stat's steal: a virtual machine's measurement with some ran on
less CPU than it was charged for, and every process in it costs more per request; a negative
"rest" is the same sign; "other set" is the idle stack of the other set meanwhile, kept out of
"rest": at most $OTHER_MAX µs a request in this run), and MariaDB's
counters (Questions, Com_stmt_prepare, Rows_read, Innodb_data_fsyncs): every client's, so a
request's statements here include kaeru-worker's share (its search terms and analytics written
behind the request); the targets' table counts kaeru-fcgi's own (/api/v1/metrics'
database_statements). Statements by kind per
create return: ×1 ${STMTS[small.create]}, ×$FACTOR ${STMTS[large.create]}; per inspection: ×1
${STMTS[small.inspection]}, ×$FACTOR ${STMTS[large.inspection]}.

$CPU_TABLE
MD
	if [ -n "$ANALYSIS" ]; then
		echo
		echo "$ANALYSIS"
	fi
} >"$RESULTS"
say "wrote ${RESULTS#"$ROOT"/} in ${ELAPSED} s"
