# bench/lib.sh — what the ./kaeru bench drivers share (bench/run.sh, bench/scale.sh): settings,
# the one-run-per-build lock, a bench stack with the ceilings behind its nginx, the staff
# sign-in, wrk measurements with the CPU and MariaDB counters around them, and the machine's
# description. Sourced, with HERE, ROOT and BUILD set and BENCH_NAME naming the driver.
# shellcheck shell=bash
# shellcheck disable=SC2034 # what is set here is read by the drivers that source it

PORT=${KAERU_BENCH_PORT:-18391}
DB_PORT=${KAERU_BENCH_DB_PORT:-13591}
WORKERS=${KAERU_BENCH_WORKERS:-16}
CONNS=${KAERU_BENCH_CONNECTIONS:-64}
THREADS=${KAERU_BENCH_THREADS:-2}
URL=http://127.0.0.1:$PORT
PASSWORD=kaeru-bench-password
STARTED=$(date -u +%Y-%m-%dT%H:%M:%SZ)
LOADAVG=$(cut -d' ' -f1-3 /proc/loadavg)
KEEP=${KAERU_BENCH_KEEP:-0}
HZ=$(getconf CLK_TCK 2>/dev/null || echo 100)
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
# The bench stack's mail sink, on a port of its own rather than the dev stack's 2525.
export KAERU_SMTP_PORT=${KAERU_BENCH_SMTP_PORT:-$((PORT + 2))}
T0=$SECONDS

# GNU awk everywhere (Debian's default awk is mawk): one behaviour for every script.
awk() { command gawk "$@"; }

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
log() { printf '  %s\n' "$*" >&2; }
die() { printf '%s: %s\n' "${BENCH_NAME:-kaeru bench}" "$*" >&2; exit 1; }

# bench_require BINARY… — the build's programs the driver runs, and the commands every driver needs.
bench_require() {
	local b c
	for b in "$@"; do
		[ -x "$BUILD/$b" ] || die "$BUILD/$b is missing: build first"
	done
	for c in wrk gawk curl mariadb nginx; do
		command -v "$c" >/dev/null 2>&1 || [ -x "/usr/sbin/$c" ] || die "$c is not installed"
	done
}

# One run per build folder at a time: a second would stop the first one's stack. The lock goes,
# and the stack stops (unless KAERU_BENCH_KEEP=1), when the driver exits, also on failure.
bench_lock() {
	LOCK=$BUILD/bench.lock
	if ! mkdir "$LOCK" 2>/dev/null; then
		local other
		other=$(cat "$LOCK/pid" 2>/dev/null || true)
		if [ -n "$other" ] && kill -0 "$other" 2>/dev/null; then
			die "another bench (pid $other) is running in $BUILD"
		fi
		rm -rf "$LOCK"
		mkdir "$LOCK" || die "cannot lock $BUILD"
	fi
	echo $$ >"$LOCK/pid"
	trap '[ -z "${WRK_PID:-}" ] || kill "$WRK_PID" 2>/dev/null; [ "$KEEP" = 1 ] || stacks_down; rm -rf "$LOCK"' EXIT
	trap 'exit 130' INT TERM
}

# ---------------------------------------------------------------------------------------------
# The stack: tools/stack.sh's, plus the ceilings as locations of the same nginx server block as
# the API (BUILD/…/nginx/bench.conf; nothing in web/ changes):
#   /bench/static  nginx answers a small JSON itself: the HTTP ceiling;
#   /bench/bare    kaeru-bench-bare (bench/bare_fcgi.c): the FastCGI ceiling;
#   /bench/lookup  kaeru-bench-lookup (bench/bare_lookup.c), when built: a lookup's database-
#                  bound ceiling;
#   /bench/idle    204 from nginx: what bench/lua/once.lua sends once its requests are all out;
#   /bench/media/  kaeru-fcgi's /media/ past nginx's cache of renditions (a photo's first fetch).
# STACK names the stack in use; stack_up sets it with ADMIN and the processes' pids. A driver may
# have more than one stack up (bench/scale.sh: one a data set): each on ports of its own (PORT,
# DB_PORT, KAERU_SMTP_PORT as stack_up is called), all stopped by stacks_down.

STACK=""
STACKS_UP=()
BARE_PROGRAMS="bench-bare:kaeru-bench-bare bench-lookup:kaeru-bench-lookup"

stack_down() { # stack_down [VAR] — the stack in VAR (STACK), with its ceilings
	local var=${1:-$STACK} p
	[ -n "$var" ] || return 0
	for p in $BARE_PROGRAMS; do
		if [ -f "$var/run/${p%%:*}.pid" ]; then
			kill "$(cat "$var/run/${p%%:*}.pid")" 2>/dev/null || true
			rm -f "$var/run/${p%%:*}.pid"
		fi
	done
	"$ROOT/tools/stack.sh" stop "$var" 2>/dev/null || true
}
stacks_down() { # every stack this driver started (STACK too)
	local s
	for s in ${STACKS_UP[@]+"${STACKS_UP[@]}"} "$STACK"; do stack_down "$s"; done
}

# stack_up VAR — MariaDB (keeping VAR's datadir if there is one), kaeru-fcgi with WORKERS workers,
# kaeru-worker, the mail sink and nginx on PORT, and the ceilings.
stack_up() {
	STACK=$1
	ADMIN=$STACK/admin
	STACKS_UP+=("$STACK")
	say "starting MariaDB, kaeru-fcgi ($WORKERS workers) and nginx on :$PORT in ${STACK#"$ROOT"/}"
	"$ROOT/tools/stack.sh" start "$STACK" "$BUILD" "$PORT" "$DB_PORT" "$WORKERS"
	local p name prog
	for p in $BARE_PROGRAMS; do
		name=${p%%:*} prog=${p#*:}
		[ -x "$BUILD/$prog" ] || continue
		# the lookup ceiling reads the stack's database settings as kaeru-fcgi does
		(set -a && . "$STACK/kaeru.env" && exec nohup "$BUILD/$prog" "$STACK/run/$name.sock" \
			"$WORKERS") >>"$STACK/log/$name.log" 2>&1 &
		echo $! >"$STACK/run/$name.pid"
	done
	{
		echo "# ./kaeru bench only: the ceilings of this machine."
		echo "location = /bench/static {"
		echo "	default_type application/json;"
		echo "	return 200 '{\"status\":\"ok\",\"bench\":\"static\"}';"
		echo "}"
		echo "location = /bench/idle { return 204; }"
		echo "location = /bench/bare {"
		echo "	fastcgi_pass unix:$STACK/run/bench-bare.sock;"
		echo "	include $ROOT/web/fastcgi.conf;"
		echo "}"
		echo "location ^~ /bench/media/ {"
		echo "	rewrite ^/bench(/media/.+)\$ \$1 break;"
		echo "	fastcgi_pass kaeru_fcgi;"
		# shellcheck disable=SC2016 # nginx's variables, not the shell's
		sed 's|\$request_uri|$uri|; s|^|	|' "$ROOT/web/fastcgi.conf"
		echo "}"
		if [ -f "$STACK/run/bench-lookup.pid" ]; then
			echo "location = /bench/lookup {"
			echo "	fastcgi_pass unix:$STACK/run/bench-lookup.sock;"
			echo "	include $ROOT/web/fastcgi.conf;"
			echo "}"
		fi
	} >"$STACK/nginx/bench.conf"
	sed -i "/kaeru-locations.conf;/a\\		include $STACK/nginx/bench.conf;" "$STACK/nginx/nginx.conf"
	"$NGINX" -p "$STACK/nginx" -c "$STACK/nginx/nginx.conf" -e "$STACK/log/nginx-error.log" -s reload
	for _ in $(seq 1 100); do
		curl -sf "$URL/bench/bare" >/dev/null 2>&1 && curl -sf "$URL/bench/static" >/dev/null 2>&1 && break
		sleep 0.1
	done
	curl -sf "$URL/bench/bare" | grep -q bare-fcgi || die "the bare FastCGI responder does not answer at $URL/bench/bare"
	FCGI_PID=$(cat "$STACK/run/kaeru-fcgi.pid")
	DB_PID=$(cat "$STACK/run/mysqld.pid")
	NGINX_PID=$(cat "$STACK/run/nginx.pid")
}

sql() { mariadb --no-defaults -N -B --socket="$STACK/run/mysqld.sock" -uroot kaeru -e "$1"; }

# The bench data's warehouses: Tokyo (the JPY merchants ship there) and New Jersey (USD).
make_warehouses() {
	"$ADMIN" warehouse create --code TYO1 --name "Tokyo DC 東京物流センター" --address-json \
		'{"name":"かえる返品センター 東京","postal_code":"135-0064","region":"東京都","city":"江東区","line1":"青海2-4-32","line2":"3F","country":"JP","phone":"03-5500-0001"}' >/dev/null
	"$ADMIN" warehouse create --code NJ1 --name "New Jersey FC" --address-json \
		'{"name":"kaeru Returns NJ1","postal_code":"07097","region":"NJ","city":"Jersey City","line1":"100 Harbor Blvd","line2":"Dock 7","country":"US","phone":"+1 201-555-0100"}' >/dev/null
}

# make_staff SLUG… — a user for each warehouse and an owner for each merchant, all with PASSWORD;
# sign_in_staff SLUG… then fills COOKIE[TYO1], COOKIE[NJ1] and COOKIE[slug].
make_staff() {
	local slug
	user() { printf '%s\n' "$PASSWORD" | "$ADMIN" user create --email "$1" --role "${@:2}" >/dev/null; }
	user staff@tyo1.bench.example warehouse --warehouse TYO1
	user staff@nj1.bench.example warehouse --warehouse NJ1
	for slug in "$@"; do user "owner@$slug.bench.example" merchant --merchant "$slug"; done
}
declare -A COOKIE
sign_in_staff() {
	local slug
	COOKIE[TYO1]=$(login staff@tyo1.bench.example)
	COOKIE[NJ1]=$(login staff@nj1.bench.example)
	for slug in "$@"; do COOKIE[$slug]=$(login "owner@$slug.bench.example"); done
	for slug in "${!COOKIE[@]}"; do [ -n "${COOKIE[$slug]}" ] || die "the staff sign-in for $slug failed"; done
}

db_settings() {
	sql "SELECT CONCAT('innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit,
		', innodb_doublewrite=', @@innodb_doublewrite, ', log_bin=', @@log_bin,
		', innodb_buffer_pool_size=', @@innodb_buffer_pool_size DIV 1048576, 'M')"
}

# login EMAIL → the session cookie "kaeru_session=…"
login() {
	curl -sf -D - -o /dev/null -H 'Content-Type: application/json' \
		-d "{\"email\":\"$1\",\"password\":\"$PASSWORD\"}" "$URL/api/v1/session" |
		tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(kaeru_session=[^;]*\).*/\1/p' | head -n 1
}

# ---------------------------------------------------------------------------------------------
# Measuring: wrk at CONNS connections for WRK_SECONDS (DURATION) seconds with bench/lua/replay.lua
# (or another script of bench/lua), into WORK/wrk-NAME.txt (WORK/wrk-NAME.K.txt for a K-th part).

declare -A RPS P50 P99 ERRS REQS SECS RSS_AFTER CPU_SPLIT OTHER_CPU DB_SPLIT ROWS STMTS PARTS MEASURED
# kaeru-fcgi's own statements a request (its /api/v1/metrics database_statements): what the
# request sent, without kaeru-worker's or the bench's own; summed over the parts, and requests.
declare -A SENT SENT_SUM SENT_REQ
ORDER_OF_ROWS=()
# The processes of stacks up but not measured (PID, or +PID with its children): their CPU is
# kept out of "rest" and shown as OTHER_CPU (bench/scale.sh's idle data set).
OTHER_PIDS=""

# ticks GROUP… — CPU ticks (user + system) of each group of processes, one number a group; a
# group is a space-separated list of PID (a process) and +PID (a process and its children), each
# process counted once. From /proc, in one pass, so no procps is needed; a process that ends
# meanwhile is skipped (gawk would stop at a file it cannot open, and print no figure).
ticks() {
	local groups
	groups=$(printf '%s;' "$@")
	awk -v groups="$groups" -v ng=$# 'BEGIN {
		split(groups, g, ";")
		for (i = 1; i <= ng; i++) {
			n = split(g[i], m, " ")
			for (j = 1; j <= n; j++)
				if (substr(m[j], 1, 1) == "+") { own[i, substr(m[j], 2)] = 1; kid[i, substr(m[j], 2)] = 1 }
				else own[i, m[j]] = 1
		}
	} BEGINFILE { if (ERRNO != "") nextfile } {
		s = $0; sub(/^.*\) /, "", s); split(s, f, " ")
		for (i = 1; i <= ng; i++) if ((i, $1) in own || (i, f[2]) in kid) t[i] += f[12] + f[13]
	} END { for (i = 1; i <= ng; i++) printf "%s%d", (i > 1 ? " " : ""), t[i] + 0; print "" }' /proc/[0-9]*/stat 2>/dev/null
}
busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
# Time the hypervisor gave this machine's cores to others (steal): a virtual machine's
# measurement with a share of it ran on less CPU than it was charged for.
steal_ticks() { awk '/^cpu / { print $9 }' /proc/stat; }
# kaeru-fcgi, MariaDB, nginx (with its workers), the other stacks, the machine's busy ticks, stolen ticks
cpu_snapshot() { echo "$(ticks "$FCGI_PID" "$DB_PID" "+$NGINX_PID" "$OTHER_PIDS") $(busy_ticks) $(steal_ticks)"; }
# MariaDB's counters: statements, prepares, rows read, InnoDB fsyncs, and the statements by kind.
DB_COUNTERS="Questions Com_stmt_prepare Rows_read Innodb_data_fsyncs Com_select Com_insert Com_update Com_delete Com_commit"
db_snapshot() {
	sql "SHOW GLOBAL STATUS WHERE Variable_name IN ('$(sed "s/ /','/g" <<<"$DB_COUNTERS")')" |
		awk -v names="$DB_COUNTERS" '{ v[$1] = $2 } END {
			n = split(names, k, " "); for (i = 1; i <= n; i++) printf "%s%d", (i > 1 ? " " : ""), v[k[i]]; print "" }'
}
# kaeru-fcgi's statements sent to MariaDB since it started (answering this sends none).
fcgi_statements() { curl -s "$URL/api/v1/metrics" | sed -n 's/.*"database_statements": *\([0-9]*\).*/\1/p'; }
hwm_mb() { awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$FCGI_PID/status"; }
rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$FCGI_PID/status"; }
# kaeru-fcgi's own memory: VmRSS less the pages of files it maps (ICU's data and the other
# shared libraries, shared with every process that maps them).
anon_mb() { awk '/^RssAnon:/ { printf "%.1f", $2 / 1024 }' "/proc/$FCGI_PID/status"; }

# Waits until MariaDB runs no statement but this one: requests wrk gave up on still run to their
# end in kaeru-fcgi, and must not run into what comes next. What still runs after 5 s is killed
# (its request has no client any more).
drain() {
	local running="SELECT id FROM information_schema.processlist WHERE id <> CONNECTION_ID()
	               AND command IN ('Query', 'Execute')" _ id
	for _ in $(seq 1 25); do
		[ -z "$(sql "$running")" ] && return 0
		sleep 0.2
	done
	for id in $(sql "$running"); do sql "KILL QUERY $id" 2>/dev/null || true; done
	for _ in $(seq 1 150); do
		[ -z "$(sql "$running")" ] && return 0
		sleep 0.2
	done
	log "MariaDB is still busy 35 s after the measurement"
}

# one_request SPEC_LINE — sends one request of a spec file (METHOD, PATH, HEADERS, BODY) with curl.
one_request() {
	local method path headers body h args=()
	IFS=$'\t' read -r method path headers body <<<"$1"
	if [ "$headers" != - ] && [ -n "$headers" ]; then
		IFS='|' read -ra hs <<<"$headers"
		for h in "${hs[@]}"; do args+=(-H "$h"); done
	fi
	[ -z "$body" ] || args+=(-H 'Content-Type: application/json' --data-binary "$body")
	curl -s -o /dev/null -X "$method" "${args[@]}" "$URL$path"
}

# measure NAME PATH [SPEC [LUA [CONNECTIONS]]] — fills RPS, P50, P99 (ms; "–" when no request
# was answered), ERRS, REQS, SECS, RSS_AFTER, CPU_SPLIT, OTHER_CPU, DB_SPLIT (statements,
# prepares, rows read, fsyncs per request), ROWS (rows read per request) and STMTS (statements by
# kind per request) for NAME. When fewer requests were answered than there were connections, the
# database's figures per request are those of one request sent alone afterwards.
#
# Measuring NAME again adds a part (PARTS, MEASURED: parts and seconds run): REQS, SECS and ERRS
# are then the parts' sums, and every other figure the mean of the parts' own. The mean cancels
# a drift of the machine linear in time when the parts are placed around another measurement's
# symmetrically (bench/scale.sh: ×1, ×F, ×F, ×1): p50 and p99 the mean of the parts'; req/s the
# inverse of the mean seconds per request (the parts' harmonic mean: where the drift is in CPU per
# request, as on these machines, seconds per request are what drift linearly); CPU and rows per
# request the mean of the parts'.
declare -A M_SUM
measure() {
	local name=$1 path=$2 spec=${3:-} lua=${4:-replay.lua} conns=${5:-$CONNS}
	local part=$(( ${PARTS[$name]:-0} + 1 )) secs=${WRK_SECONDS:-$DURATION}
	local base=$name threads=$THREADS
	[ "$part" = 1 ] || base=$name.$part
	local out=$WORK/wrk-$base.txt
	[ "$conns" -lt "$threads" ] && threads=$conns
	# every wrk thread needs lines of its own: a shorter file is repeated
	if [ -n "$spec" ] && [ "$(wc -l <"$spec")" -lt "$threads" ]; then
		local _
		for _ in $(seq 1 "$threads"); do cat "$spec"; done >"$spec.x$threads"
		spec=$spec.x$threads
	fi
	log "measuring $name$([ "$part" = 1 ] || echo " (part $part)")"
	local sbefore; sbefore=$(fcgi_statements)
	local dbefore; dbefore=$(db_snapshot)
	local before; before=$(cpu_snapshot)
	local perf_pid=""
	if [ "${KAERU_BENCH_PERF:-0}" = 1 ]; then
		perf record -a -g -F 499 -o "$WORK/perf-$base.data" -- sleep "$secs" >/dev/null 2>&1 &
		perf_pid=$!
	fi
	BENCH_SPEC=$spec BENCH_THREADS=$threads BENCH_LUA=$HERE/lua BENCH_CAPTURE=$WORK/tokens \
		wrk -t"$threads" -c"$conns" -d"${secs}s" --timeout 5s --latency \
		-s "$HERE/lua/$lua" "$URL$path" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $name"; }
	local after; after=$(cpu_snapshot)
	if [ -n "$perf_pid" ]; then
		wait "$perf_pid" || true
		perf report -i "$WORK/perf-$base.data" --no-children --sort comm,dso,symbol --stdio -g none \
			--percent-limit 0.3 >"$WORK/perf-$base.txt" 2>/dev/null || true
	fi
	drain
	local dafter; dafter=$(db_snapshot)
	local safter; safter=$(fcgi_statements)
	local line; line=$(grep '^BENCH ' "$out") || { cat "$out" >&2; die "no figures from wrk for $name"; }
	kv() { sed "s/.* $1=\([0-9]*\).*/\1/" <<<"$line"; }
	local req n
	req=$(kv requests) n=$(kv requests)
	if [ "$req" -lt "$conns" ]; then
		sbefore=$(fcgi_statements)
		dbefore=$(db_snapshot)
		one_request "$( [ -n "$spec" ] && head -n 1 "$spec" || printf 'GET\t%s\t-\t' "$path")"
		dafter=$(db_snapshot)
		safter=$(fcgi_statements)
		n=1
	fi
	# This part's figures, each a field of M_SUM[NAME] (summed over the parts): 1 requests,
	# 2 duration µs, 3 seconds per request, 4 p50 µs, 5 p99 µs, 6 errors, 7-11 CPU µs per request
	# of kaeru-fcgi, MariaDB, nginx, the rest (wrk, kernel) and the other stacks, 12 idle %,
	# 13 stolen %, 14-17 statements (the snapshot's own SHOW STATUS is one), prepares, rows read,
	# log fsyncs per request, 18-22 SELECT, INSERT, UPDATE, DELETE, COMMIT per request, 23 parts
	# without an answer.
	local figures
	figures=$(awk -v req="$req" -v dur="$(kv duration_us)" -v p50="$(kv p50_us)" -v p99="$(kv p99_us)" \
		-v errs="$(($(kv status_errors) + $(kv socket_errors)))" -v b="$before" -v a="$after" \
		-v db="$dbefore" -v da="$dafter" -v n="$n" -v hz="$HZ" -v cores="$(nproc)" 'BEGIN {
		split(b, x, " "); split(a, y, " "); split(db, u, " "); split(da, v, " ")
		f = y[1] - x[1]; m = y[2] - x[2]; g = y[3] - x[3]; other = y[4] - x[4]; t = y[5] - x[5]
		idle = 100 - 100 * (t / hz) / (cores * dur / 1e6); if (idle < 0) idle = 0
		stolen = 100 * ((y[6] - x[6]) / hz) / (cores * dur / 1e6)
		us = (req > 0 ? 1e6 / hz / req : 0)
		printf "%d %d %.12g %d %d %d %.3f %.3f %.3f %.3f %.3f %.3f %.3f", req, dur, (req > 0 ? dur / 1e6 / req : 0),
			p50, p99, errs, f * us, m * us, g * us, (t - f - m - g - other) * us, other * us, idle, stolen
		printf " %.4f %.4f %.4f %.4f", (v[1] - u[1] - 1) / n, (v[2] - u[2]) / n, (v[3] - u[3]) / n, (v[4] - u[4]) / n
		for (i = 5; i <= 9; i++) printf " %.4f", (v[i] - u[i]) / n
		printf " %d\n", (req > 0 ? 0 : 1) }')
	local sent=$(( ${safter:-0} - ${sbefore:-0} ))
	[ "$sent" -ge 0 ] || sent=0 # kaeru-fcgi started again meanwhile: its counter with it
	SENT_SUM[$name]=$(( ${SENT_SUM[$name]:-0} + sent ))
	SENT_REQ[$name]=$(( ${SENT_REQ[$name]:-0} + n ))
	SENT[$name]=$(awk -v s="${SENT_SUM[$name]}" -v r="${SENT_REQ[$name]}" 'BEGIN { printf "%.1f", (r > 0 ? s / r : 0) }')
	M_SUM[$name]=$(awk -v a="${M_SUM[$name]:-}" -v b="$figures" 'BEGIN {
		n = split(b, y, " "); split(a, x, " "); for (i = 1; i <= n; i++) printf "%s%.9g", (i > 1 ? " " : ""), x[i] + y[i]; print "" }')
	PARTS[$name]=$part
	MEASURED[$name]=$(( ${MEASURED[$name]:-0} + secs ))
	[ "$part" -gt 1 ] || ORDER_OF_ROWS+=("$name")
	RSS_AFTER[$name]="$(rss_mb) / $(hwm_mb)"
	# NAME's figures from the parts so far
	local sums; read -ra sums <<<"${M_SUM[$name]}"
	REQS[$name]=${sums[0]}
	ERRS[$name]=${sums[5]}
	SECS[$name]=$(awk -v d="${sums[1]}" 'BEGIN { printf "%.3f", d / 1e6 }')
	RPS[$name]=$(awk -v r="${sums[0]}" -v d="${sums[1]}" -v spr="${sums[2]}" -v k="$part" -v none="${sums[22]}" 'BEGIN {
		printf "%.0f", (none > 0 || spr <= 0 ? (d > 0 ? r / (d / 1e6) : 0) : k / spr) }')
	if [ "${sums[22]}" = 0 ]; then
		P50[$name]=$(awk -v v="${sums[3]}" -v k="$part" 'BEGIN { printf "%.2f", v / k / 1000 }')
		P99[$name]=$(awk -v v="${sums[4]}" -v k="$part" 'BEGIN { printf "%.2f", v / k / 1000 }')
	else
		P50[$name]="–" P99[$name]="–"
	fi
	local mean="${M_SUM[$name]} $part"
	DB_SPLIT[$name]=$(awk -v s="$mean" 'BEGIN { split(s, x, " "); k = x[24]
		printf "%.1f | %.2f | %.0f | %.2f", x[14] / k, x[15] / k, x[16] / k, x[17] / k }')
	ROWS[$name]=$(awk -v s="$mean" 'BEGIN { split(s, x, " "); printf "%.0f", x[16] / x[24] }')
	STMTS[$name]=$(awk -v s="$mean" 'BEGIN { split(s, x, " "); k = x[24]
		printf "%.1f (%.1f SELECT, %.1f INSERT, %.1f UPDATE, %.1f DELETE, %.1f COMMIT)", x[14] / k,
			x[18] / k, x[19] / k, x[20] / k, x[21] / k, x[22] / k }')
	# CPU per request (µs) of kaeru-fcgi, MariaDB, nginx and the rest (wrk, kernel), the idle
	# share and the stolen share of the cores; the other stacks' CPU per request apart.
	CPU_SPLIT[$name]=$(awk -v s="$mean" 'BEGIN { split(s, x, " "); k = x[24]
		if (x[23] > 0) { printf "– | – | – | – | %.0f%% | %.0f%%", x[12] / k, x[13] / k; exit }
		printf "%.0f | %.0f | %.0f | %.0f | %.0f%% | %.0f%%", x[7] / k, x[8] / k, x[9] / k, x[10] / k, x[12] / k, x[13] / k }')
	OTHER_CPU[$name]=$(awk -v s="$mean" 'BEGIN { split(s, x, " "); if (x[23] > 0) print "–"; else printf "%.0f", x[11] / x[24] }')
	if [ "$part" = 1 ]; then
		log "  ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, errors ${ERRS[$name]}, rows read ${ROWS[$name]}/request"
	else
		log "  $(awk -v f="$figures" 'BEGIN { split(f, x, " ")
			printf "%.0f req/s, p50 %.2f ms, p99 %.2f ms", x[1] / (x[2] / 1e6), x[4] / 1000, x[5] / 1000 }'); the $part parts: ${RPS[$name]} req/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, errors ${ERRS[$name]}, rows read ${ROWS[$name]}/request"
	fi
}

# wrk_once NAME SPEC [CONNECTIONS] — sends every request of SPEC once, at full speed
# (bench/lua/once.lua), and waits for the answers; dies when any was 400 or above. Should the
# answers stop coming for 30 s (a request lost with its connection), it stops waiting: callers
# ask the database what is still to do and send that again. Not a measurement: how the data sets
# are made.
wrk_once() {
	local name=$1 spec=$2 conns=${3:-$CONNS} n
	n=$(wc -l <"$spec")
	[ "$n" -gt 0 ] || return 0
	local threads=$THREADS
	[ "$n" -lt $((threads * 4)) ] && threads=1
	[ "$conns" -gt "$n" ] && conns=$n
	[ "$conns" -lt "$threads" ] && conns=$threads
	rm -f "$WORK/once-$name".*
	BENCH_SPEC=$spec BENCH_THREADS=$threads BENCH_LUA=$HERE/lua BENCH_CAPTURE=$WORK/once-$name \
		wrk -t"$threads" -c"$conns" -d3600s --timeout 60s -s "$HERE/lua/once.lua" "$URL/" \
		>"$WORK/once-$name.out" 2>&1 &
	WRK_PID=$!
	local pid=$WRK_PID finished answered last=-1 still=0 stalled=0
	while :; do
		finished=$(find "$WORK" -maxdepth 1 -name "once-$name.*.done" | wc -l)
		[ "$finished" -ge "$threads" ] && break
		kill -0 "$pid" 2>/dev/null || { cat "$WORK/once-$name.out" >&2; die "wrk stopped early for $name"; }
		answered=$({ cat "$WORK/once-$name".*.progress 2>/dev/null || true; } | sed -n 's/^answered=\([0-9]*\).*/\1/p' | awk '{ a += $1 } END { print a + 0 }')
		if [ "$answered" = "$last" ]; then
			still=$((still + 1))
			if [ "$still" -ge 150 ]; then
				log "$name: no answer for 30 s after $answered of $n; what is left is sent again"
				stalled=1
				break
			fi
		else
			last=$answered still=0
		fi
		sleep 0.2
	done
	kill -INT "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	WRK_PID=""
	# what was still in flight ends before anyone asks the database what is left
	[ "$stalled" = 0 ] || drain
	local failed
	failed=$({ cat "$WORK/once-$name".*.progress 2>/dev/null || true; } | sed -n 's/.*failed=\([0-9]*\).*/\1/p' | awk '{ f += $1 } END { print f + 0 }')
	if [ "$failed" -gt 0 ]; then
		cat "$WORK/once-$name".*.failures >&2 2>/dev/null || true
		die "$failed of $n requests of $name failed (first answers above)"
	fi
}

# ---------------------------------------------------------------------------------------------
# The machine, for the results.

machine_md() {
	local cpu hyp mem
	cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
	hyp=$(lscpu 2>/dev/null | sed -n 's/^Hypervisor vendor: *//p' | head -n 1)
	mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
	cat <<MD
- CPU: ${cpu:-unknown}, $(nproc) cores${hyp:+ (virtual machine, $hyp)}; RAM $mem
- Kernel: $(uname -sr); Debian $(cat /etc/debian_version 2>/dev/null || echo '?')
- MariaDB: $(sql "SELECT VERSION()"); $(db_settings); datadir on $(df -T "$BUILD" | awk 'NR == 2 { print $2 }')
- nginx: $("$NGINX" -v 2>&1 | sed 's/^nginx version: //'), worker_processes auto, access log on
- wrk: $(wrk -v 2>&1 | head -n 1 | awk '{ print $2 }'); compiler: $(cc --version | head -n 1)
MD
}

# The KAERU_BENCH_* settings the run was given, for the command line in the results.
bench_overrides() { env | grep '^KAERU_BENCH_' | grep -v '^KAERU_BENCH_RESULTS=' | sort | tr '\n' ' ' || true; }

# Text under "## Analysis" of a results file, kept when it is written again.
analysis_of() {
	if [ -f "$1" ] && grep -q '^## Analysis' "$1"; then sed -n '/^## Analysis/,$p' "$1"; fi
}
