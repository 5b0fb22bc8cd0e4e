#!/usr/bin/env bash
# A private kaeru stack — MariaDB, kaeru-fcgi, kaeru-worker, a mail sink, nginx — living
# entirely under one directory.
# Used by ./kaeru (var/) and by the tests (build-test/stack/); never touches a system MariaDB.
#
#   tools/stack.sh start VAR BUILD PORT DB_PORT [WORKERS]
#   tools/stack.sh restart-fcgi VAR BUILD
#   tools/stack.sh stop-fcgi VAR        (the supervisor stops too: kaeru-fcgi stays down)
#   tools/stack.sh restart-db VAR       (after MariaDB died: start it again)
#   tools/stack.sh restart-worker VAR BUILD
#   tools/stack.sh stop-worker VAR     (until restart-worker: e-mail, webhooks and search terms wait)
#   tools/stack.sh stop VAR
#   tools/stack.sh status VAR
# MariaDB's buffer pool is KAERU_DB_BUFFER_POOL (256M) when it starts (./kaeru bench --scale sizes it).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '  %s\n' "$*" >&2; }
die() { printf 'kaeru: %s\n' "$*" >&2; exit 1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
	local secs=$1 what=$2; shift 2
	for _ in $(seq 1 $((secs * 10))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	die "$what did not come up in ${secs}s"
}

alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

mariadbd_bin() {
	command -v mariadbd || command -v mysqld || ls /usr/sbin/mariadbd /usr/sbin/mysqld 2>/dev/null | head -1
}

start_db() {
	local var=$1 port=$2
	local data=$var/mysql sock=$var/run/mysqld.sock
	# MariaDB's temporary tables in a folder of this stack's own: /tmp is shared with every other
	# stack and test on the machine, and whatever cleans it there must not break a query here.
	mkdir -p "$var/run" "$var/log" "$var/tmp"
	if [ ! -d "$data/mysql" ]; then
		log "creating a private MariaDB in $data"
		mariadb-install-db --no-defaults --datadir="$data" --user="$(id -un)" \
			--auth-root-authentication-method=normal --skip-test-db \
			>"$var/log/mariadb-install.log" 2>&1 || die "mariadb-install-db failed: see $var/log/mariadb-install.log"
	fi
	echo "$port" >"$var/run/mysqld.port"
	if ! alive "$var/run/mysqld.pid"; then
		"$(mariadbd_bin)" --no-defaults --datadir="$data" --socket="$sock" --port="$port" \
			--bind-address=127.0.0.1 --pid-file="$var/run/mysqld.pid" --tmpdir="$var/tmp" \
			--log-error="$var/log/mariadb.log" --user="$(id -un)" --skip-name-resolve \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_bin \
			--innodb-buffer-pool-size="${KAERU_DB_BUFFER_POOL:-256M}" --innodb-log-file-size=256M \
			--innodb-lock-wait-timeout="${KAERU_LOCK_WAIT:-50}" \
			--max-connections=500 --skip-log-bin >/dev/null 2>&1 &
		wait_for 60 "MariaDB" mariadb-admin --no-defaults --socket="$sock" -uroot ping
	fi
	if [ ! -f "$var/db_password" ]; then
		head -c 18 /dev/urandom | base64 | tr '+/' 'xy' >"$var/db_password"
	fi
	local pw; pw=$(cat "$var/db_password")
	mariadb --no-defaults --socket="$sock" -uroot <<SQL
CREATE DATABASE IF NOT EXISTS kaeru CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'kaeru'@'localhost' IDENTIFIED BY '$pw';
GRANT ALL ON kaeru.* TO 'kaeru'@'localhost';
SQL
}

write_env() {
	local var=$1 build=$2 port=$3 workers=$4
	[ -f "$var/secret" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$var/secret"
	cat >"$var/kaeru.env" <<ENV
KAERU_DB_SOCKET=$var/run/mysqld.sock
KAERU_DB_USER=kaeru
KAERU_DB_PASSWORD=$(cat "$var/db_password")
KAERU_DB_NAME=kaeru
KAERU_LISTEN=$var/run/kaeru.sock
KAERU_LISTEN_GROUP=$(id -gn)
KAERU_LOGIN_LISTEN=$var/run/kaeru-login.sock
KAERU_WORKERS=$workers
KAERU_SECRET_FILE=$var/secret
KAERU_PUBLIC_URL=http://127.0.0.1:$port
KAERU_WEBHOOK_ALLOW_PRIVATE=${KAERU_WEBHOOK_ALLOW_PRIVATE:-1}
KAERU_SMTP_URL=smtp://127.0.0.1:${KAERU_SMTP_PORT:-2525}
KAERU_MAIL_FROM=returns@kaeru.localhost
ENV
	# Webhooks may reach this machine's own receivers (above); the test stack also retries
	# failed deliveries sooner (KAERU_RETRY_BASE_SECONDS=1) so a test sees its retries.
	[ -z "${KAERU_RETRY_BASE_SECONDS:-}" ] || echo "KAERU_RETRY_BASE_SECONDS=$KAERU_RETRY_BASE_SECONDS" >>"$var/kaeru.env"
	# The test stack shortens the database timeouts, so a test can stall MariaDB.
	[ -z "${KAERU_DB_TIMEOUT:-}" ] || echo "KAERU_DB_TIMEOUT=$KAERU_DB_TIMEOUT" >>"$var/kaeru.env"
	# ... and kaeru-photo's, so a test sees a photo that costs too much refused within nginx's wait.
	[ -z "${KAERU_PHOTO_TIMEOUT:-}" ] || echo "KAERU_PHOTO_TIMEOUT=$KAERU_PHOTO_TIMEOUT" >>"$var/kaeru.env"
	[ -z "${KAERU_PHOTO_CPU_SECONDS:-}" ] || echo "KAERU_PHOTO_CPU_SECONDS=$KAERU_PHOTO_CPU_SECONDS" >>"$var/kaeru.env"
	cat >"$var/admin" <<SH
#!/bin/sh
# kaeru-admin against the stack in $var
exec "$build/kaeru-admin" -c "$var/kaeru.env" "\$@"
SH
	chmod +x "$var/admin"
}

# kaeru-fcgi runs under a small supervisor, as systemd's Restart=always does in production: when
# it dies (a crash, kill -9) it is started again a second later. run/kaeru-fcgi.pid is the
# current kaeru-fcgi; run/kaeru-fcgi.stop tells the supervisor that the stop is meant.
supervise_fcgi() {
	local var=$1 build=$2
	set +e
	while [ ! -f "$var/run/kaeru-fcgi.stop" ]; do
		ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
			"$build/kaeru-fcgi" -c "$var/kaeru.env" &
		local pid=$!
		echo "$pid" >"$var/run/kaeru-fcgi.pid"
		wait "$pid"
		local rc=$?
		[ -f "$var/run/kaeru-fcgi.stop" ] && break
		echo "kaeru-fcgi (pid $pid) ended with status $rc: starting it again" >&2
		sleep 1
	done
}

stop_fcgi() {
	local var=$1
	if alive "$var/run/kaeru-fcgi-supervisor.pid"; then
		touch "$var/run/kaeru-fcgi.stop"
		stop_pid "$var/run/kaeru-fcgi.pid" kaeru-fcgi
		for _ in $(seq 1 50); do alive "$var/run/kaeru-fcgi-supervisor.pid" || break; sleep 0.1; done
		alive "$var/run/kaeru-fcgi-supervisor.pid" && kill "$(cat "$var/run/kaeru-fcgi-supervisor.pid")" 2>/dev/null
	fi
	stop_pid "$var/run/kaeru-fcgi.pid" kaeru-fcgi
	rm -f "$var/run/kaeru-fcgi-supervisor.pid" "$var/run/kaeru-fcgi.stop"
}

start_fcgi() {
	local var=$1 build=$2
	stop_fcgi "$var"
	rm -f "$var/run/kaeru.sock" "$var/run/kaeru-login.sock" "$var/run/kaeru-fcgi.pid"
	supervise_fcgi "$var" "$build" </dev/null >>"$var/log/kaeru-fcgi.log" 2>&1 &
	echo $! >"$var/run/kaeru-fcgi-supervisor.pid"
	wait_for 20 "kaeru-fcgi" test -S "$var/run/kaeru.sock" -a -S "$var/run/kaeru-login.sock"
}

# The mail sink: every message kaeru-worker sends lands in $var/mail/*.eml (tools/mailsink.py, a
# real SMTP server from Debian's python3-aiosmtpd) on KAERU_SMTP_PORT [2525].
start_mail() {
	local var=$1 port=${KAERU_SMTP_PORT:-2525}
	stop_pid "$var/run/mailsink.pid" "mail sink"
	mkdir -p "$var/mail"
	/usr/bin/python3 "$ROOT/tools/mailsink.py" 127.0.0.1 "$port" "$var/mail" \
		</dev/null >>"$var/log/mailsink.log" 2>&1 &
	echo $! >"$var/run/mailsink.pid"
	wait_for 20 "the mail sink" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port"
}

# kaeru-worker delivers webhooks and runs the maintenance; SIGTERM lets it finish a send.
start_worker() {
	local var=$1 build=$2
	stop_pid "$var/run/kaeru-worker.pid" kaeru-worker
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
		"$build/kaeru-worker" -c "$var/kaeru.env" </dev/null >>"$var/log/kaeru-worker.log" 2>&1 &
	echo $! >"$var/run/kaeru-worker.pid"
}

# nginx serves BUILD/web: web/ with content-hashed asset names (tools/web_assets.sh, also a build
# step), made afresh here so the pages served are always those of the tree.
start_nginx() {
	local var=$1 port=$2 build=$3
	mkdir -p "$var/nginx/tmp" "$var/log"
	"$ROOT/tools/web_assets.sh" "$ROOT/web" "$build/web"
	local user_line=""
	[ "$(id -u)" = 0 ] && user_line="user root;"
	sed -e "s|@PORT@|$port|g" -e "s|@ROOT@|$ROOT|g" -e "s|@VAR@|$var|g" -e "s|@WEB@|$build/web|g" \
		-e "s|@FCGI_TIMEOUT@|${KAERU_FCGI_TIMEOUT:-60}|g" \
		-e "s|@USER_LINE@|$user_line|g" "$ROOT/web/nginx.conf.in" >"$var/nginx/nginx.conf"
	local nginx; nginx=$(command -v nginx || echo /usr/sbin/nginx)
	if alive "$var/run/nginx.pid"; then
		"$nginx" -p "$var/nginx" -c "$var/nginx/nginx.conf" -e "$var/log/nginx-error.log" -s reload
	else
		"$nginx" -p "$var/nginx" -c "$var/nginx/nginx.conf" -e "$var/log/nginx-error.log" \
			|| die "nginx did not start: see $var/log/nginx-error.log"
	fi
	wait_for 20 "nginx" curl -sf "http://127.0.0.1:$port/api/v1/health"
}

cmd_start() {
	local var=$1 build=$2 port=$3 dbport=$4 workers=${5:-4}
	mkdir -p "$var"
	var=$(cd "$var" && pwd)
	build=$(cd "$build" && pwd)
	start_db "$var" "$dbport"
	write_env "$var" "$build" "$port" "$workers"
	"$var/admin" migrate >"$var/log/migrate.log" 2>&1 || { cat "$var/log/migrate.log" >&2; die "migration failed"; }
	start_fcgi "$var" "$build"
	start_mail "$var"
	start_worker "$var" "$build"
	start_nginx "$var" "$port" "$build"
}

stop_pid() { # stop_pid PIDFILE NAME
	if alive "$1"; then
		kill "$(cat "$1")" 2>/dev/null || true
		for _ in $(seq 1 100); do alive "$1" || break; sleep 0.1; done
		alive "$1" && kill -9 "$(cat "$1")" 2>/dev/null || true
		log "stopped $2"
	fi
	rm -f "$1"
}

cmd_stop() {
	local var=$1
	[ -d "$var" ] || return 0
	stop_pid "$var/run/nginx.pid" nginx
	stop_pid "$var/run/kaeru-worker.pid" kaeru-worker
	stop_pid "$var/run/mailsink.pid" "mail sink"
	stop_fcgi "$var"
	stop_pid "$var/run/mysqld.pid" MariaDB
}

# MariaDB again after it died or was stopped, on the port it had; kaeru-fcgi reconnects by itself.
cmd_restart_db() {
	local var; var=$(cd "$1" && pwd)
	local port; port=$(cat "$var/run/mysqld.port")
	stop_pid "$var/run/mysqld.pid" MariaDB
	start_db "$var" "$port"
}

cmd_status() {
	local var=$1
	for p in nginx kaeru-fcgi-supervisor kaeru-fcgi kaeru-worker mailsink mysqld; do
		if alive "$var/run/$p.pid"; then echo "$p: running ($(cat "$var/run/$p.pid"))"; else echo "$p: stopped"; fi
	done
}

case "${1:-}" in
start) shift; cmd_start "$@" ;;
stop) shift; cmd_stop "$@" ;;
restart-fcgi) shift; start_fcgi "$(cd "$1" && pwd)" "$2" ;;
stop-fcgi) shift; stop_fcgi "$(cd "$1" && pwd)" ;;
restart-db) shift; cmd_restart_db "$@" ;;
restart-worker) shift; start_worker "$(cd "$1" && pwd)" "$2" ;;
stop-worker) shift; stop_pid "$(cd "$1" && pwd)/run/kaeru-worker.pid" kaeru-worker ;;
status) shift; cmd_status "$@" ;;
*) die "usage: tools/stack.sh start VAR BUILD PORT DB_PORT [WORKERS] | restart-fcgi VAR BUILD | stop-fcgi VAR | restart-db VAR | restart-worker VAR BUILD | stop-worker VAR | stop VAR | status VAR" ;;
esac
