#!/usr/bin/env bash
# kaeru on a three-node MariaDB Galera cluster, all on loopback under one directory: three
# Galera nodes, one kaeru-fcgi and one kaeru-worker per node, one nginx whose upstream spreads requests over the
# three and routes around one that fails or answers 503. Used by ./kaeru cluster (var/cluster/)
# and by the cluster tests (build-test/cluster/); never touches a system MariaDB.
#
#   tools/cluster.sh up VAR BUILD PORT BASE   nginx on PORT; node i uses BASE+i (SQL),
#                                             BASE+10+i (group), BASE+20+i (IST), BASE+30+i (SST)
#   tools/cluster.sh down VAR
#   tools/cluster.sh status VAR
#   tools/cluster.sh kill-node VAR N          kill -9 node N (its kaeru-fcgi stays up)
#   tools/cluster.sh start-node VAR N         start node N again: it rejoins by IST
#   tools/cluster.sh kill-fcgi VAR N          kill -9 kaeru-fcgi N
#   tools/cluster.sh start-fcgi VAR N         start kaeru-fcgi N again
#   tools/cluster.sh sql VAR N [SQL]          the mariadb client on node N
#
# Facts that shaped it (Debian 12, MariaDB 10.11, galera-4 26.4): one option file per node,
# started with --defaults-file (the SST scripts read it); the server runs as mysql (as root the
# joiner's rsync cannot write); distinct ports below 32768 for SQL, group communication, IST
# and SST; only node 1 is installed, the others receive it by SST; after kill -9 the node is
# recovered with --wsrep-recover and started at that position so it rejoins by IST.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
NODES=3

log() { printf '  %s\n' "$*" >&2; }
die() { printf 'kaeru cluster: %s\n' "$*" >&2; exit 1; }

wait_for() { # wait_for SECONDS DESCRIPTION COMMAND...
	local secs=$1 what=$2; shift 2
	for _ in $(seq 1 $((secs * 5))); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	die "$what did not come up in ${secs}s"
}

# The pid file may vanish meanwhile: nginx and mariadbd remove theirs as they exit.
alive() { local p; p=$(cat "$1" 2>/dev/null) && [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

mariadbd_bin() { command -v mariadbd || command -v mysqld || echo /usr/sbin/mariadbd; }

galera_lib() {
	local l
	for l in /usr/lib/galera/libgalera_smm.so /usr/lib/libgalera_smm.so \
		/usr/lib/*/galera*/libgalera_smm.so; do
		[ -f "$l" ] && { echo "$l"; return; }
	done
	die "libgalera_smm.so not found: install galera-4"
}

node_dir() { echo "$1/node$2"; }
sock() { echo "$1/node$2/mysqld.sock"; }
sql() { # sql VAR N: the client on node N's socket as root
	local var=$1 n=$2; shift 2
	mariadb --no-defaults --socket="$(sock "$var" "$n")" -uroot "$@"
}
base() { cat "$1/run/base"; }

# The option file of node n; every node lists every peer.
write_cnf() {
	local var=$1 n=$2 b; b=$(base "$var")
	local dir; dir=$(node_dir "$var" "$n")
	local peers="" i
	for i in $(seq 1 $NODES); do peers="$peers${peers:+,}127.0.0.1:$((b + 10 + i))"; done
	cat >"$dir/my.cnf" <<CNF
[mysqld]
datadir=$dir/data
socket=$dir/mysqld.sock
pid-file=$dir/mysqld.pid
tmpdir=$dir/tmp
log-error=$dir/mariadb.log
port=$((b + n))
bind-address=127.0.0.1
user=mysql
skip-name-resolve
character-set-server=utf8mb4
collation-server=utf8mb4_bin
innodb-buffer-pool-size=64M
innodb-log-file-size=16M
innodb-flush-log-at-trx-commit=2
innodb-lock-wait-timeout=${KAERU_LOCK_WAIT:-10}
innodb-autoinc-lock-mode=2
binlog-format=ROW
# Galera logs like a binary log: kaeru's migrations create triggers (019) as the kaeru user.
log-bin-trust-function-creators=1
default-storage-engine=InnoDB
max-connections=200
performance-schema=OFF
wsrep-on=ON
wsrep-provider=$(galera_lib)
wsrep-cluster-name=kaeru
wsrep-cluster-address=gcomm://$peers
wsrep-node-name=node$n
wsrep-node-address=127.0.0.1:$((b + 10 + n))
wsrep-provider-options="gmcast.listen_addr=tcp://127.0.0.1:$((b + 10 + n));ist.recv_addr=127.0.0.1:$((b + 20 + n));gcache.size=64M;repl.causal_read_timeout=PT5S;evs.suspect_timeout=PT3S;evs.inactive_timeout=PT6S;evs.install_timeout=PT6S"
wsrep-sst-method=rsync
wsrep-sst-receive-address=127.0.0.1:$((b + 30 + n))
wsrep-slave-threads=2

[client]
socket=$dir/mysqld.sock
CNF
}

synced() { # synced VAR N: node n is Synced and in the primary component
	local out
	out=$(sql "$1" "$2" -N -e "SHOW STATUS WHERE Variable_name IN ('wsrep_local_state_comment','wsrep_cluster_status')" 2>/dev/null) || return 1
	[[ "$out" == *Primary* && "$out" == *Synced* ]]
}

# Starts node n; node 1 of a new cluster bootstraps it. Waits until the node is Synced.
start_node() {
	local var=$1 n=$2 bootstrap=${3:-}
	local dir; dir=$(node_dir "$var" "$n")
	alive "$dir/mysqld.pid" && return 0
	local extra=()
	[ -n "$bootstrap" ] && extra+=(--wsrep-new-cluster)
	if [ -z "$bootstrap" ] && [ -d "$dir/data/mysql" ]; then
		# Its last committed position, so it asks the others for what it missed (IST).
		local pos
		pos=$("$(mariadbd_bin)" --defaults-file="$dir/my.cnf" --wsrep-recover \
			--log-error="$dir/recover.log" >/dev/null 2>&1; \
			sed -n 's/.*Recovered position: *\(.*\)$/\1/p' "$dir/recover.log" | tail -1)
		[ -n "$pos" ] && extra+=(--wsrep-start-position="$pos")
	fi
	"$(mariadbd_bin)" --defaults-file="$dir/my.cnf" "${extra[@]}" </dev/null >/dev/null 2>&1 &
	wait_for "${KAERU_NODE_WAIT:-120}" "Galera node $n" synced "$var" "$n"
}

kill_node() {
	local dir; dir=$(node_dir "$1" "$2")
	local p; p=$(cat "$dir/mysqld.pid" 2>/dev/null) || true
	[ -n "$p" ] && kill -9 "$p" 2>/dev/null || true
	rm -f "$dir/mysqld.pid"
}

stop_node() {
	local dir; dir=$(node_dir "$1" "$2")
	if alive "$dir/mysqld.pid"; then
		local p; p=$(cat "$dir/mysqld.pid" 2>/dev/null) || true
		[ -n "$p" ] && kill "$p" 2>/dev/null || true
		for _ in $(seq 1 300); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
	fi
	rm -f "$dir/mysqld.pid"
}

stop_pid() {
	if alive "$1"; then
		local p; p=$(cat "$1" 2>/dev/null) || true
		kill "$p" 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$p" 2>/dev/null && kill -9 "$p" 2>/dev/null || true
	fi
	rm -f "$1"
}

# kaeru-fcgi i talks to node i, and to the others (KAERU_DB_NODES) while node i is gone or not
# synced; nginx moves requests to another kaeru-fcgi when one answers 503 or is gone.
write_env() {
	local var=$1 build=$2 port=$3 n=$4 others="" i
	for i in $(seq 1 $NODES); do
		[ "$i" = "$n" ] || others="$others${others:+,}$(sock "$var" "$i")"
	done
	cat >"$var/run/kaeru-$n.env" <<ENV
KAERU_DB_SOCKET=$(sock "$var" "$n")
KAERU_DB_NODES=$others
KAERU_DB_USER=kaeru
KAERU_DB_PASSWORD=$(cat "$var/db_password")
KAERU_DB_NAME=kaeru
KAERU_LISTEN=$var/run/kaeru-$n.sock
KAERU_LISTEN_GROUP=$(id -gn)
KAERU_LOGIN_LISTEN=$var/run/kaeru-login-$n.sock
KAERU_WORKERS=${KAERU_CLUSTER_WORKERS:-4}
KAERU_SECRET_FILE=$var/secret
KAERU_PUBLIC_URL=http://127.0.0.1:$port
KAERU_DB_TIMEOUT=${KAERU_DB_TIMEOUT:-10}
KAERU_DB_CONNECT_TIMEOUT=2
ENV
}

start_fcgi() {
	local var=$1 build=$2 n=$3
	stop_pid "$var/run/kaeru-fcgi-$n.pid"
	rm -f "$var/run/kaeru-$n.sock" "$var/run/kaeru-login-$n.sock"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0} \
		"$build/kaeru-fcgi" -c "$var/run/kaeru-$n.env" </dev/null >>"$var/log/kaeru-fcgi-$n.log" 2>&1 &
	echo $! >"$var/run/kaeru-fcgi-$n.pid"
	wait_for 20 "kaeru-fcgi $n" test -S "$var/run/kaeru-$n.sock"
}

# A kaeru-worker per node, as one per host in production: they share the deliveries (each is
# claimed with a guarded UPDATE) and the maintenance (a lease), whichever node each writes to.
start_worker() {
	local var=$1 build=$2 n=$3
	stop_pid "$var/run/kaeru-worker-$n.pid"
	ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0} \
		"$build/kaeru-worker" -c "$var/run/kaeru-$n.env" </dev/null >>"$var/log/kaeru-worker-$n.log" 2>&1 &
	echo $! >"$var/run/kaeru-worker-$n.pid"
}

start_nginx() {
	local var=$1 port=$2
	mkdir -p "$var/nginx/tmp"
	local user_line="" servers="" writers="" logins="" n
	[ "$(id -u)" = 0 ] && user_line="user root;"
	for n in $(seq 1 $NODES); do
		servers="$servers server unix:$var/run/kaeru-$n.sock max_fails=1 fail_timeout=3s;"
		writers="$writers server unix:$var/run/kaeru-$n.sock$([ "$n" = 1 ] || echo " backup") max_fails=1 fail_timeout=3s;"
		logins="$logins server unix:$var/run/kaeru-login-$n.sock max_fails=1 fail_timeout=3s;"
	done
	sed -e "s|@PORT@|$port|g" -e "s|@ROOT@|$ROOT|g" -e "s|@VAR@|$var|g" \
		-e "s|@SERVERS@|$servers|g" -e "s|@WRITERS@|$writers|g" -e "s|@LOGINS@|$logins|g" \
		-e "s|@USER_LINE@|$user_line|g" "$ROOT/web/nginx-cluster.conf.in" >"$var/nginx/nginx.conf"
	# One more port per node, PORT+n, that reaches kaeru-fcgi n only: tests aim requests at a
	# node with it, to race writes on different nodes.
	: >"$var/nginx/nodes.conf"
	for n in $(seq 1 $NODES); do
		cat >>"$var/nginx/nodes.conf" <<CONF
server {
	listen 127.0.0.1:$((port + n));
	location ^~ /api/ {
		fastcgi_pass unix:$var/run/kaeru-$n.sock;
		include $ROOT/web/fastcgi.conf;
		fastcgi_read_timeout 30s;
	}
	location = /api/v1/session {
		fastcgi_pass unix:$var/run/kaeru-login-$n.sock;
		include $ROOT/web/fastcgi.conf;
	}
}
CONF
	done
	local nginx; nginx=$(command -v nginx || echo /usr/sbin/nginx)
	if alive "$var/run/nginx.pid"; then
		"$nginx" -p "$var/nginx" -c "$var/nginx/nginx.conf" -e "$var/log/nginx-error.log" -s reload
	else
		"$nginx" -p "$var/nginx" -c "$var/nginx/nginx.conf" -e "$var/log/nginx-error.log" \
			|| die "nginx did not start: see $var/log/nginx-error.log"
	fi
	wait_for 20 "nginx" curl -sf "http://127.0.0.1:$port/api/v1/health"
}

cmd_up() {
	local var=$1 build=$2 port=$3 b=$4 n
	mkdir -p "$var/run" "$var/log"
	var=$(cd "$var" && pwd)
	echo "$b" >"$var/run/base"
	echo "$port" >"$var/run/port"
	(cd "$build" && pwd) >"$var/run/build"
	# mysql must reach its datadir: every directory above it must be searchable.
	for n in $(seq 1 $NODES); do
		mkdir -p "$(node_dir "$var" "$n")/data" "$(node_dir "$var" "$n")/tmp"
		write_cnf "$var" "$n"
		chown -R mysql:mysql "$(node_dir "$var" "$n")"
	done
	local d1; d1=$(node_dir "$var" 1)
	if [ ! -d "$d1/data/mysql" ]; then
		log "installing node 1 in $d1"
		mariadb-install-db --defaults-file="$d1/my.cnf" --user=mysql --skip-test-db \
			--auth-root-authentication-method=normal --wsrep-on=OFF \
			>"$var/log/mariadb-install.log" 2>&1 || die "mariadb-install-db failed: see $var/log/mariadb-install.log"
	fi
	local any=""
	for n in $(seq 1 $NODES); do alive "$(node_dir "$var" "$n")/mysqld.pid" && any=1; done
	if [ -z "$any" ]; then
		# Bootstrap from node 1 (safe_to_bootstrap: it was the last to stop, or it is new).
		[ -f "$d1/data/grastate.dat" ] && sed -i 's/^safe_to_bootstrap: 0/safe_to_bootstrap: 1/' "$d1/data/grastate.dat"
		log "bootstrapping the cluster on node 1"
		start_node "$var" 1 bootstrap
	fi
	for n in $(seq 1 $NODES); do
		log "node $n"
		start_node "$var" "$n"
	done
	[ -f "$var/db_password" ] || head -c 18 /dev/urandom | base64 | tr '+/' 'xy' >"$var/db_password"
	[ -f "$var/secret" ] || od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$var/secret"
	local pw; pw=$(cat "$var/db_password")
	sql "$var" 1 <<SQL
CREATE DATABASE IF NOT EXISTS kaeru CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;
CREATE USER IF NOT EXISTS 'kaeru'@'localhost' IDENTIFIED BY '$pw';
CREATE USER IF NOT EXISTS 'kaeru'@'127.0.0.1' IDENTIFIED BY '$pw';
GRANT ALL ON kaeru.* TO 'kaeru'@'localhost';
GRANT ALL ON kaeru.* TO 'kaeru'@'127.0.0.1';
SQL
	for n in $(seq 1 $NODES); do write_env "$var" "$build" "$port" "$n"; done
	cat >"$var/admin" <<SH
#!/bin/sh
# kaeru-admin against node 1 of the cluster in $var
exec "$build/kaeru-admin" -c "$var/run/kaeru-1.env" "\$@"
SH
	chmod +x "$var/admin"
	"$var/admin" migrate >"$var/log/migrate.log" 2>&1 || { cat "$var/log/migrate.log" >&2; die "migration failed"; }
	for n in $(seq 1 $NODES); do
		start_fcgi "$var" "$build" "$n"
		start_worker "$var" "$build" "$n"
	done
	start_nginx "$var" "$port"
}

cmd_down() {
	local var=$1 n
	[ -d "$var/run" ] || return 0
	stop_pid "$var/run/nginx.pid"
	for n in $(seq 1 $NODES); do
		stop_pid "$var/run/kaeru-worker-$n.pid"
		stop_pid "$var/run/kaeru-fcgi-$n.pid"
	done
	# The last to stop is the one safe to bootstrap from: stop node 1 last.
	for n in $(seq $NODES -1 1); do stop_node "$var" "$n"; done
}

cmd_status() {
	local var=$1 n
	for n in $(seq 1 $NODES); do
		if alive "$(node_dir "$var" "$n")/mysqld.pid"; then
			printf 'node %s: %s\n' "$n" "$(sql "$var" "$n" -N -e \
				"SELECT GROUP_CONCAT(VARIABLE_VALUE SEPARATOR ' ') FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_LOCAL_STATE_COMMENT','WSREP_CLUSTER_SIZE','WSREP_CLUSTER_STATUS')" 2>/dev/null || echo unreachable)"
		else
			echo "node $n: stopped"
		fi
		if alive "$var/run/kaeru-fcgi-$n.pid"; then echo "kaeru-fcgi $n: running"; else echo "kaeru-fcgi $n: stopped"; fi
		if alive "$var/run/kaeru-worker-$n.pid"; then echo "kaeru-worker $n: running"; else echo "kaeru-worker $n: stopped"; fi
	done
	if alive "$var/run/nginx.pid"; then echo "nginx: http://127.0.0.1:$(cat "$var/run/port")/"; else echo "nginx: stopped"; fi
}

case "${1:-}" in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
status) shift; cmd_status "$@" ;;
kill-node) shift; kill_node "$(cd "$1" && pwd)" "$2" ;;
start-node) shift; start_node "$(cd "$1" && pwd)" "$2" ;;
kill-fcgi) shift; v=$(cd "$1" && pwd); alive "$v/run/kaeru-fcgi-$2.pid" && kill -9 "$(cat "$v/run/kaeru-fcgi-$2.pid")"; rm -f "$v/run/kaeru-fcgi-$2.pid" ;;
start-fcgi) shift; v=$(cd "$1" && pwd); start_fcgi "$v" "$(cat "$v/run/build")" "$2" ;;
sql) shift; v=$(cd "$1" && pwd); n=$2; shift 2; sql "$v" "$n" kaeru "$@" ;;
*) die "usage: tools/cluster.sh up VAR BUILD PORT BASE | down VAR | status VAR | kill-node VAR N | start-node VAR N | kill-fcgi VAR N | start-fcgi VAR N | sql VAR N" ;;
esac
