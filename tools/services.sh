#!/usr/bin/env bash
# Starts, stops and reports the real servers that sluice's integration tests and quickstart
# talk to: MariaDB 10.11, PostgreSQL 15, Redis 7 and Prometheus 2.42. Each one listens on
# 127.0.0.1 on a non-default port, keeps all its files under DIR/<service>/, and is stopped
# only through the PID recorded under DIR (other servers may run on the same machine).
#
#   tools/services.sh start|stop|status DIR [--only mariadb,postgres,redis,prometheus]
#
# `start` writes DIR/services.env (KEY=VALUE lines, read by tests/support/services_env.cpp
# through $SLUICE_SERVICES_ENV) naming hosts, ports, users, passwords and sockets of the
# services it started. It is idempotent: a service whose PID is alive is left alone.
#
# Environment (defaults in brackets):
#   SLUICE_MARIADB_PORT [33061]  SLUICE_PG_PORT [54329]  SLUICE_REDIS_PORT [63799]
#   SLUICE_PROMETHEUS_PORT [19099]
#   SLUICE_MARIADB_PASSWORD [sluice_pw]  SLUICE_PG_PASSWORD [sluice_pw]
#   SLUICE_SERVICES_TIMEOUT [60]  seconds to wait for a server to become ready or to exit
#
# Redis runs without a password (bound to 127.0.0.1 only, protected mode on). To try
# sluice's Redis `password` option, add `--requirepass X` to start_redis below and a
# SLUICE_REDIS_PASSWORD line to the env file.
#
# `status` exits 0 when every selected service runs, 1 otherwise. Passwords must not contain
# quotes, backslashes or spaces (they are pasted into SQL and into the env file).
#
# Run as root (servers then run as their packages' users: mysql, postgres) or as an
# ordinary user (servers run as that user). DIR and all its parents must be traversable by
# mysql and postgres: a DIR under /root is replaced by a symlink to a /tmp directory.
set -euo pipefail

readonly ALL_SERVICES=(mariadb postgres redis prometheus)
readonly PG_BIN=/usr/lib/postgresql/15/bin
readonly TIMEOUT=${SLUICE_SERVICES_TIMEOUT:-60}

MARIADB_PORT=${SLUICE_MARIADB_PORT:-33061}
PG_PORT=${SLUICE_PG_PORT:-54329}
REDIS_PORT=${SLUICE_REDIS_PORT:-63799}
PROMETHEUS_PORT=${SLUICE_PROMETHEUS_PORT:-19099}
MARIADB_PASSWORD=${SLUICE_MARIADB_PASSWORD:-sluice_pw}
PG_PASSWORD=${SLUICE_PG_PASSWORD:-sluice_pw}

log() { echo "services.sh: $*" >&2; }
die() {
  log "error: $*"
  exit 1
}

usage() {
  cat >&2 <<'EOF'
usage: tools/services.sh start|stop|status DIR [--only mariadb,postgres,redis,prometheus]
EOF
  exit 2
}

IS_ROOT=0
[[ $(id -u) -eq 0 ]] && IS_ROOT=1

# Runs a command as the given system user when we are root, else as ourselves.
as_user() {
  local user=$1
  shift
  if ((IS_ROOT)); then
    runuser -u "$user" -- "$@"
  else
    "$@"
  fi
}

# chown only when root (an ordinary user owns everything it creates anyway).
own() {
  local owner=$1
  shift
  if ((IS_ROOT)); then chown -R "$owner" "$@"; fi
}

# ---- PID and port helpers -----------------------------------------------------------------

# pid_alive PIDFILE COMM: true when PIDFILE names a live process whose command name is COMM
# (guards against a recycled PID belonging to an unrelated process).
pid_alive() {
  local file=$1 comm=$2 pid
  [[ -s $file ]] || return 1
  pid=$(head -n1 "$file" | tr -dc '0-9')
  [[ -n $pid ]] || return 1
  proc_running "$pid" || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm"* ]]
}

pid_of() { head -n1 "$1" | tr -dc '0-9'; }

# proc_running PID: the process exists and is not a zombie. Servers started detached are
# reaped by init (or the container's reaper), which may take a while; a zombie has exited.
proc_running() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [[ ${stat:0:1} != Z ]]
}

# port_free PORT: true when nothing accepts connections on 127.0.0.1:PORT.
port_free() {
  local port=$1
  if command -v ss >/dev/null 2>&1; then
    [[ -z $(ss -Hltn "sport = :$port" 2>/dev/null) ]] || return 1
  fi
  ! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null
}

require_port_free() {
  local name=$1 port=$2 var=$3
  if ! port_free "$port"; then
    local who=""
    command -v ss >/dev/null 2>&1 && who=$(ss -Hltnp "sport = :$port" 2>/dev/null | head -n3)
    die "$name: port 127.0.0.1:$port is already in use${who:+ ($who)}; choose another with $var=<port>"
  fi
}

# wait_until NAME LOGFILE PIDFILE COMM CMD...: polls CMD every 0.2 s for at most $TIMEOUT s.
# Fails with the log's tail when the time is up or the server process died.
wait_until() {
  local name=$1 logfile=$2 pidfile=$3 comm=$4
  shift 4
  local deadline=$((SECONDS + TIMEOUT))
  while ((SECONDS < deadline)); do
    if "$@" >/dev/null 2>&1; then return 0; fi
    if [[ -n $pidfile && -s $pidfile ]] && ! pid_alive "$pidfile" "$comm"; then
      log "$name: the server exited during startup; last lines of $logfile:"
      tail -n 30 "$logfile" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.2
  done
  log "$name: not ready after ${TIMEOUT}s; last lines of $logfile:"
  tail -n 30 "$logfile" >&2 2>/dev/null || true
  exit 1
}

# stop_pid NAME PIDFILE COMM SIGNAL: sends SIGNAL to the PID in PIDFILE (only if it is still
# the COMM we started) and waits for it to exit; SIGKILL after $TIMEOUT s.
stop_pid() {
  local name=$1 file=$2 comm=$3 sig=$4 pid
  if ! pid_alive "$file" "$comm"; then
    echo "$name: not running"
    rm -f "$file"
    return 0
  fi
  pid=$(pid_of "$file")
  kill "-$sig" "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + TIMEOUT))
  while proc_running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  if proc_running "$pid"; then
    log "$name: pid $pid did not exit within ${TIMEOUT}s after SIG$sig; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while proc_running "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
  fi
  rm -f "$file"
  echo "$name: stopped (pid $pid)"
}

# start_background PIDFILE LOGFILE USER CMD...: runs CMD detached (own session, so a Ctrl-C
# at the terminal does not reach it) and records its PID. The inner shell writes $$ and then
# execs, so the PID is the server's own whether or not setsid forked.
start_background() {
  local pidfile=$1 logfile=$2 user=$3
  shift 3
  local runner=()
  if ((IS_ROOT)) && [[ $user != root ]]; then runner=(runuser -u "$user" --); fi
  rm -f "$pidfile"
  # shellcheck disable=SC2016  # $$ and "$@" are expanded by the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "${runner[@]}" "$@" \
    </dev/null >>"$logfile" 2>&1 &
  local deadline=$((SECONDS + 10))
  while [[ ! -s $pidfile ]] && ((SECONDS < deadline)); do sleep 0.05; done
  [[ -s $pidfile ]] || die "could not start $*; see $logfile"
}

# ---- DIR ----------------------------------------------------------------------------------

# world_traversable PATH: every directory from / to PATH has the "others" execute bit.
world_traversable() {
  local p=$1
  while :; do
    [[ $(stat -Lc %A "$p") == *[xt] ]] || return 1
    [[ $p == / ]] && return 0
    p=$(dirname "$p")
  done
}

# Sets BASE to the physical directory that holds the services' files.
resolve_dir() {
  local dir=$1 create=$2
  if [[ ! -e $dir ]]; then
    [[ $create == 1 ]] || die "$dir does not exist"
    mkdir -p "$dir"
  fi
  [[ -d $dir ]] || die "$dir is not a directory"
  BASE=$(cd "$dir" && pwd -P)
  if ((IS_ROOT)) && [[ $create == 1 ]] && ! world_traversable "$BASE"; then
    # Make the leaf traversable if that is all that is missing (mktemp -d gives 0700).
    chmod o+x "$BASE" 2>/dev/null || true
    if ! world_traversable "$BASE"; then
      if [[ -L $dir || -n $(ls -A "$BASE") ]]; then
        die "$BASE (or a parent) is not traversable by users mysql and postgres, and it is " \
          "not empty; pass a DIR under /tmp, e.g. \$(mktemp -d /tmp/sluice-services-XXXX)"
      fi
      local tmp
      tmp=$(mktemp -d /tmp/sluice-services-XXXX)
      chmod 755 "$tmp"
      rmdir "$BASE"
      ln -s "$tmp" "$dir"
      log "$dir is not traversable by users mysql and postgres (e.g. under /root):" \
        "using $tmp, linked from $dir"
      BASE=$tmp
    fi
  fi
}

# ---- MariaDB ------------------------------------------------------------------------------

mariadb_paths() {
  M_DIR=$BASE/mariadb
  M_DATA=$M_DIR/data
  M_SOCK=$M_DIR/mariadb.sock
  M_CNF=$M_DIR/my.cnf
  M_LOG=$M_DIR/mariadb.log
  M_PID=$M_DIR/mariadbd.pid
  M_PORTFILE=$M_DIR/port
  M_TLS=$M_DIR/tls
}

# A private CA and a server certificate for 127.0.0.1 and localhost (made once per DIR), so
# tests can connect with every ssl-mode up to verify-identity. X509_check_host, which the
# client uses for the identity check, compares DNS names: hence DNS:127.0.0.1 beside the IP.
mariadb_tls() {
  [[ -s $M_TLS/server-cert.pem && -s $M_TLS/ca.pem ]] && return 0
  mkdir -p "$M_TLS"
  (
    cd "$M_TLS"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=sluice test CA" \
      -keyout ca-key.pem -out ca.pem
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server-key.pem \
      -out server.csr
    printf 'subjectAltName=DNS:localhost,DNS:127.0.0.1,IP:127.0.0.1\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 3650 \
      -extfile server.ext -out server-cert.pem
  ) >>"$M_DIR/tls.log" 2>&1 || die "mariadb: creating TLS certificates failed (log: $M_DIR/tls.log)"
  chmod 644 "$M_TLS/ca.pem" "$M_TLS/server-cert.pem"
}

# Runs SQL as root over the socket (root@localhost authenticates by unix_socket or with an
# empty password, see below).
mariadb_root() {
  mariadb --no-defaults --protocol=socket --socket="$M_SOCK" -uroot --batch --skip-column-names "$@"
}

start_mariadb() {
  mariadb_paths
  if pid_alive "$M_PID" mariadbd; then
    MARIADB_PORT=$(cat "$M_PORTFILE")
    echo "mariadb: already running (pid $(pid_of "$M_PID"), port $MARIADB_PORT)"
    return 0
  fi
  require_port_free mariadb "$MARIADB_PORT" SLUICE_MARIADB_PORT
  mkdir -p "$M_DIR"
  chmod 755 "$M_DIR"
  echo "$MARIADB_PORT" >"$M_PORTFILE"
  mariadb_tls
  # The settings sluice relies on (ENVIRONMENT.md): ROW binlog with FULL row image and
  # FULL row metadata (column names and PK in TABLE_MAP), GTID, CRC32 checksums.
  mkdir -p "$M_DIR/tmp"
  own mysql:mysql "$M_DIR/tmp"
  cat >"$M_CNF" <<EOF
# Written by tools/services.sh; regenerated on every start.
[mysqld]
datadir=$M_DATA
# Private temporary tables: a shared /tmp once lost one mid-query on a busy machine ("Error on
# delete of '/tmp/#sql-temptable-...MAI' (Errcode: 2)").
tmpdir=$M_DIR/tmp
socket=$M_SOCK
pid-file=$M_DIR/mariadbd-server.pid
port=$MARIADB_PORT
bind-address=127.0.0.1
skip-name-resolve
log-error=$M_LOG
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max_allowed_packet=64M
log_bin=mysql-bin
binlog_format=ROW
binlog_row_image=FULL
binlog_row_metadata=FULL
server_id=1
gtid_strict_mode=ON
log_slave_updates=ON
binlog_checksum=CRC32
ssl_ca=$M_TLS/ca.pem
ssl_cert=$M_TLS/server-cert.pem
ssl_key=$M_TLS/server-key.pem
# Keep the test server light: small buffer pool, no performance schema.
innodb_buffer_pool_size=128M
performance_schema=OFF

[client]
socket=$M_SOCK
port=$MARIADB_PORT
EOF
  local mysqld_user=()
  ((IS_ROOT)) && mysqld_user=(--user=mysql)
  if [[ ! -d $M_DATA/mysql ]]; then
    mkdir -p "$M_DATA"
    own mysql:mysql "$M_DIR"
    chmod 700 "$M_DATA"
    log "mariadb: initialising $M_DATA"
    if ! mariadb-install-db --defaults-file="$M_CNF" "${mysqld_user[@]}" \
      --auth-root-authentication-method=socket --skip-test-db >>"$M_DIR/install.log" 2>&1; then
      tail -n 30 "$M_DIR/install.log" >&2
      die "mariadb: mariadb-install-db failed (log: $M_DIR/install.log)"
    fi
  fi
  own mysql:mysql "$M_DIR"
  start_background "$M_PID" "$M_DIR/mariadbd.stdout" root \
    mariadbd --defaults-file="$M_CNF" "${mysqld_user[@]}"
  wait_until mariadb "$M_LOG" "$M_PID" mariadbd mariadb_root -e 'SELECT 1'
  # root@localhost: the unix_socket login that mariadb-install-db created, or an empty
  # password over the (private) socket, so admin helpers in tests work for any OS user.
  # sluice@127.0.0.1 (TCP: skip-name-resolve matches the address) and sluice@localhost
  # (socket). The daemon itself needs SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE,
  # BINLOG MONITOR (10.11's name for REPLICATION CLIENT) and REPLICA MONITOR; the tests
  # also need DDL and DML on databases they create, and binlog admin (FLUSH/PURGE BINARY
  # LOGS). They are spelled out rather than ALL PRIVILEGES so SHOW GRANTS lists the
  # replication privileges a production grant needs.
  local grants="SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, BINLOG MONITOR, \
REPLICA MONITOR, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER, INDEX, REFERENCES, \
CREATE TEMPORARY TABLES, LOCK TABLES, EXECUTE, CREATE VIEW, SHOW VIEW, CREATE ROUTINE, \
ALTER ROUTINE, EVENT, TRIGGER, PROCESS, BINLOG ADMIN"
  local sql="ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('');"
  local host
  for host in 127.0.0.1 localhost; do
    sql+="CREATE USER IF NOT EXISTS 'sluice'@'$host' IDENTIFIED BY '$MARIADB_PASSWORD';"
    sql+="ALTER USER 'sluice'@'$host' IDENTIFIED BY '$MARIADB_PASSWORD';"
    sql+="GRANT $grants ON *.* TO 'sluice'@'$host';"
  done
  mariadb_root -e "$sql" || die "mariadb: creating user sluice failed"
  wait_until mariadb "$M_LOG" "$M_PID" mariadbd \
    mariadb --no-defaults --protocol=tcp -h127.0.0.1 -P"$MARIADB_PORT" -usluice \
    -p"$MARIADB_PASSWORD" -e 'SELECT 1'
  echo "mariadb: running (pid $(pid_of "$M_PID"), 127.0.0.1:$MARIADB_PORT, socket $M_SOCK)"
}

stop_mariadb() {
  mariadb_paths
  stop_pid mariadb "$M_PID" mariadbd TERM
}

status_mariadb() {
  mariadb_paths
  if pid_alive "$M_PID" mariadbd; then
    echo "mariadb: running (pid $(pid_of "$M_PID"), port $(cat "$M_PORTFILE"))"
  else
    echo "mariadb: stopped"
    return 1
  fi
}

# ---- PostgreSQL ---------------------------------------------------------------------------

postgres_paths() {
  P_DIR=$BASE/postgres
  P_DATA=$P_DIR/data
  P_LOG=$P_DIR/postgres.log
  P_PID=$P_DATA/postmaster.pid
  P_PORTFILE=$P_DIR/port
}

pg_admin() {
  as_user postgres "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h "$P_DIR" -p "$PG_PORT" \
    -U postgres "$@"
}

start_postgres() {
  postgres_paths
  if pid_alive "$P_PID" postgres; then
    PG_PORT=$(cat "$P_PORTFILE")
    echo "postgres: already running (pid $(pid_of "$P_PID"), port $PG_PORT)"
    return 0
  fi
  require_port_free postgres "$PG_PORT" SLUICE_PG_PORT
  mkdir -p "$P_DIR"
  chmod 755 "$P_DIR"
  echo "$PG_PORT" >"$P_PORTFILE"
  own postgres:postgres "$P_DIR"
  if [[ ! -s $P_DATA/PG_VERSION ]]; then
    log "postgres: initialising $P_DATA"
    if ! as_user postgres "$PG_BIN/initdb" -D "$P_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=trust --auth-host=scram-sha-256 >>"$P_DIR/initdb.log" 2>&1; then
      tail -n 30 "$P_DIR/initdb.log" >&2
      die "postgres: initdb failed (log: $P_DIR/initdb.log)"
    fi
    echo "include 'sluice.conf'" >>"$P_DATA/postgresql.conf"
  fi
  cat >"$P_DATA/sluice.conf" <<EOF
# Written by tools/services.sh; regenerated on every start.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$P_DIR'
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
password_encryption = 'scram-sha-256'
EOF
  # Local (socket) logins are trusted: the socket lives in a private directory. TCP from
  # 127.0.0.1, including the replication protocol, needs the password.
  cat >"$P_DATA/pg_hba.conf" <<'EOF'
# Written by tools/services.sh; regenerated on every start.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
local   replication  all                  trust
host    all          all   127.0.0.1/32   scram-sha-256
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
  own postgres:postgres "$P_DATA/sluice.conf" "$P_DATA/pg_hba.conf"
  if ! as_user postgres "$PG_BIN/pg_ctl" start -D "$P_DATA" -l "$P_LOG" -w -t "$TIMEOUT" \
    -s >/dev/null 2>&1; then
    tail -n 30 "$P_LOG" >&2 2>/dev/null || true
    die "postgres: pg_ctl start failed (log: $P_LOG)"
  fi
  wait_until postgres "$P_LOG" "$P_PID" postgres \
    "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
  pg_admin -d postgres <<EOF || die "postgres: creating role sluice failed"
SELECT 'CREATE ROLE sluice' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sluice')
\gexec
ALTER ROLE sluice WITH LOGIN REPLICATION PASSWORD '$PG_PASSWORD';
SELECT 'CREATE DATABASE sluice_test OWNER sluice'
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sluice_test')
\gexec
EOF
  wait_until postgres "$P_LOG" "$P_PID" postgres \
    env PGPASSWORD="$PG_PASSWORD" "$PG_BIN/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U sluice \
    -d sluice_test -c 'SELECT 1'
  echo "postgres: running (pid $(pid_of "$P_PID"), 127.0.0.1:$PG_PORT, socket dir $P_DIR)"
}

stop_postgres() {
  postgres_paths
  # SIGINT = pg_ctl stop -m fast. SIGTERM ("smart") would wait for walsenders to finish
  # (ENVIRONMENT.md gotcha 3), which never happens while a test's replication client lives.
  stop_pid postgres "$P_PID" postgres INT
}

status_postgres() {
  postgres_paths
  if pid_alive "$P_PID" postgres; then
    echo "postgres: running (pid $(pid_of "$P_PID"), port $(cat "$P_PORTFILE"))"
  else
    echo "postgres: stopped"
    return 1
  fi
}

# ---- Redis --------------------------------------------------------------------------------

redis_paths() {
  R_DIR=$BASE/redis
  R_PID=$R_DIR/redis.pid
  R_LOG=$R_DIR/redis.log
  R_PORTFILE=$R_DIR/port
}

start_redis() {
  redis_paths
  if pid_alive "$R_PID" redis-server; then
    REDIS_PORT=$(cat "$R_PORTFILE")
    echo "redis: already running (pid $(pid_of "$R_PID"), port $REDIS_PORT)"
    return 0
  fi
  require_port_free redis "$REDIS_PORT" SLUICE_REDIS_PORT
  mkdir -p "$R_DIR"
  echo "$REDIS_PORT" >"$R_PORTFILE"
  rm -f "$R_PID"
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$R_DIR" --daemonize yes \
    --pidfile "$R_PID" --logfile "$R_LOG" --save '' --appendonly no \
    || die "redis: redis-server failed (log: $R_LOG)"
  wait_until redis "$R_LOG" "" redis-server \
    bash -c "[[ \$(redis-cli -h 127.0.0.1 -p $REDIS_PORT ping) == PONG ]]"
  wait_until redis "$R_LOG" "" redis-server test -s "$R_PID"
  echo "redis: running (pid $(pid_of "$R_PID"), 127.0.0.1:$REDIS_PORT)"
}

stop_redis() {
  redis_paths
  stop_pid redis "$R_PID" redis-server TERM
}

status_redis() {
  redis_paths
  if pid_alive "$R_PID" redis-server; then
    echo "redis: running (pid $(pid_of "$R_PID"), port $(cat "$R_PORTFILE"))"
  else
    echo "redis: stopped"
    return 1
  fi
}

# ---- Prometheus ---------------------------------------------------------------------------

prometheus_paths() {
  X_DIR=$BASE/prometheus
  X_PID=$X_DIR/prometheus.pid
  X_LOG=$X_DIR/prometheus.log
  X_CONF=$X_DIR/prometheus.yml
  X_TARGETS=$X_DIR/targets.json
  X_PORTFILE=$X_DIR/port
}

start_prometheus() {
  prometheus_paths
  if pid_alive "$X_PID" prometheus; then
    PROMETHEUS_PORT=$(cat "$X_PORTFILE")
    echo "prometheus: already running (pid $(pid_of "$X_PID"), port $PROMETHEUS_PORT)"
    return 0
  fi
  require_port_free prometheus "$PROMETHEUS_PORT" SLUICE_PROMETHEUS_PORT
  mkdir -p "$X_DIR/data"
  echo "$PROMETHEUS_PORT" >"$X_PORTFILE"
  # Tests point the `sluice` job at their daemon by rewriting targets.json, e.g.
  #   [{"targets": ["127.0.0.1:9249"], "labels": {"test": "x"}}]
  # Prometheus re-reads it within refresh_interval. Write it atomically (temp file + rename):
  # a half-written file is logged as "unexpected end of JSON input" and skipped.
  [[ -e $X_TARGETS ]] || echo '[]' >"$X_TARGETS"
  chmod 666 "$X_TARGETS"
  cat >"$X_CONF" <<EOF
# Written by tools/services.sh; regenerated on every start.
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sluice
    file_sd_configs:
      - files: ['$X_TARGETS']
        refresh_interval: 1s
EOF
  start_background "$X_PID" "$X_LOG" root prometheus --config.file="$X_CONF" \
    --storage.tsdb.path="$X_DIR/data" --web.listen-address="127.0.0.1:$PROMETHEUS_PORT" \
    --web.enable-lifecycle
  wait_until prometheus "$X_LOG" "$X_PID" prometheus \
    curl -sf -o /dev/null "http://127.0.0.1:$PROMETHEUS_PORT/-/ready"
  echo "prometheus: running (pid $(pid_of "$X_PID"), http://127.0.0.1:$PROMETHEUS_PORT)"
}

stop_prometheus() {
  prometheus_paths
  stop_pid prometheus "$X_PID" prometheus TERM
}

status_prometheus() {
  prometheus_paths
  if pid_alive "$X_PID" prometheus; then
    echo "prometheus: running (pid $(pid_of "$X_PID"), port $(cat "$X_PORTFILE"))"
  else
    echo "prometheus: stopped"
    return 1
  fi
}

# ---- env file -----------------------------------------------------------------------------

write_env() {
  local file=$BASE/services.env tmp
  tmp=$(mktemp "$BASE/.services.env.XXXX")
  {
    echo "# Written by tools/services.sh start; read by tests/support/services_env.cpp."
    echo "SLUICE_SERVICES_DIR=$BASE"
    local s
    for s in "${SELECTED[@]}"; do
      case $s in
        mariadb)
          mariadb_paths
          echo "SLUICE_MARIADB_HOST=127.0.0.1"
          echo "SLUICE_MARIADB_PORT=$MARIADB_PORT"
          echo "SLUICE_MARIADB_USER=sluice"
          echo "SLUICE_MARIADB_PASSWORD=$MARIADB_PASSWORD"
          echo "SLUICE_MARIADB_SOCKET=$M_SOCK"
          echo "SLUICE_MARIADB_ROOT_SOCKET=$M_SOCK"
          echo "SLUICE_MARIADB_TLS_CA=$M_TLS/ca.pem"
          ;;
        postgres)
          postgres_paths
          echo "SLUICE_PG_HOST=127.0.0.1"
          echo "SLUICE_PG_PORT=$PG_PORT"
          echo "SLUICE_PG_USER=sluice"
          echo "SLUICE_PG_PASSWORD=$PG_PASSWORD"
          echo "SLUICE_PG_DATABASE=sluice_test"
          echo "SLUICE_PG_SOCKET_DIR=$P_DIR"
          # Superuser for test setup (e.g. CREATE PUBLICATION ... FOR ALL TABLES): trusted
          # over the socket in SLUICE_PG_SOCKET_DIR, no password.
          echo "SLUICE_PG_SUPERUSER=postgres"
          ;;
        redis)
          echo "SLUICE_REDIS_HOST=127.0.0.1"
          echo "SLUICE_REDIS_PORT=$REDIS_PORT"
          ;;
        prometheus)
          prometheus_paths
          echo "SLUICE_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT"
          echo "SLUICE_PROMETHEUS_TARGETS_FILE=$X_TARGETS"
          ;;
      esac
    done
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$file"
  echo "services.env: $file"
}

# ---- main ---------------------------------------------------------------------------------

(($# >= 2)) || usage
CMD=$1
DIR=$2
shift 2
SELECTED=("${ALL_SERVICES[@]}")
while (($#)); do
  case $1 in
    --only)
      (($# >= 2)) || usage
      IFS=, read -r -a SELECTED <<<"$2"
      shift 2
      ;;
    --only=*)
      IFS=, read -r -a SELECTED <<<"${1#--only=}"
      shift
      ;;
    *) usage ;;
  esac
done
for pw in "$MARIADB_PASSWORD" "$PG_PASSWORD"; do
  [[ $pw =~ ^[A-Za-z0-9_.@%+=:,/-]+$ ]] ||
    die "passwords may only contain letters, digits and _.@%+=:,/- (got '$pw')"
done
for s in "${SELECTED[@]}"; do
  case $s in
    mariadb | postgres | redis | prometheus) ;;
    *) die "unknown service '$s' (known: ${ALL_SERVICES[*]})" ;;
  esac
done

case $CMD in
  start)
    for tool in mariadbd mariadb-install-db mariadb redis-server redis-cli prometheus curl; do
      command -v "$tool" >/dev/null 2>&1 || die "$tool not found: run tools/install.sh first"
    done
    [[ -x $PG_BIN/pg_ctl ]] || die "$PG_BIN/pg_ctl not found: run tools/install.sh first"
    resolve_dir "$DIR" 1
    for s in "${SELECTED[@]}"; do "start_$s"; done
    write_env
    ;;
  stop)
    if [[ ! -d $DIR ]]; then
      echo "services.sh: $DIR does not exist: nothing to stop"
      exit 0
    fi
    resolve_dir "$DIR" 0
    # Reverse order: the metrics scraper and caches first, the databases last.
    for ((i = ${#SELECTED[@]} - 1; i >= 0; i--)); do "stop_${SELECTED[i]}"; done
    ;;
  status)
    [[ -d $DIR ]] || die "$DIR does not exist"
    resolve_dir "$DIR" 0
    rc=0
    for s in "${SELECTED[@]}"; do "status_$s" || rc=1; done
    exit $rc
    ;;
  *) usage ;;
esac
