#!/usr/bin/env bash
# Blue-green rehearsal on this machine: two colours behind nginx, switched under load.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME [options]

Rehearses blue-green releases on this machine, no cluster needed. The colours are
switched by the functions deploy-blue-green.sh and rollback.sh use (lib.sh), with an
nginx upstream file and a reload in place of the Service selector:
  1. a scratch PostgreSQL database on the server of \$DATABASE_URL (default
     postgres://postgres@127.0.0.1:5432), migrated and loaded with the demo data;
     or the database of --database-url
  2. blue and green: granian with production settings (NEXUS_ENV=production) on two
     free ports, one database, Redis at \$REDIS_URL when set; each waited for until
     /readyz answers
  3. nginx (Debian's package, installed when missing) on a free port of 127.0.0.1,
     its configuration, logs and pid file in a work directory of its own, routing to
     blue
  4. load through nginx: keep-alive clients (scripts/rehearsal_load.py) reading the
     catalog and writing carts and cart lines
  5. under that load: blue -> green (the release's switch); green -> blue (the
     rollback); then a release: green stopped (SIGTERM) and started again, smoke
     tested on its port, and switched to
  6. the report (stdout): requests, failed requests, retries and latency per phase,
     and the writes answered checked against the database
A switch returns once nginx's workers that routed to the old colour are gone, so a
colour is stopped only when nothing reaches it. Exits 0 when no request failed and
every write is in the database once, 1 otherwise or when a step fails, 2 on bad
arguments.

Options:
  --database-url URL  use this PostgreSQL database (kept) instead of a scratch one
  --clients N         concurrent clients (default 8)
  --hold SECONDS      load before the first switch and after each step (default 5)
  --workers N         granian worker processes per colour (default 1)
  --threads N         request threads per worker (default 8)
  --skip-smoke        no smoke test of the restarted colour (a database without the
                      demo customer)
  --json FILE         also write the report as JSON to FILE
  --keep              keep the work directory (logs, nginx files, request log) and
                      the scratch database; kept anyway when the rehearsal fails
  -h, --help          this help
USAGE
}

help_requested "$@"

database_url=""
clients=8
hold=5
workers=1
threads=8
skip_smoke=0
json_out=""
keep=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --database-url) need_value "$@"; database_url=$2; shift 2 ;;
    --clients) need_value "$@"; need_uint "$1" "$2"; clients=$2; shift 2 ;;
    --hold) need_value "$@"; need_uint "$1" "$2"; hold=$2; shift 2 ;;
    --workers) need_value "$@"; need_uint "$1" "$2"; workers=$2; shift 2 ;;
    --threads) need_value "$@"; need_uint "$1" "$2"; threads=$2; shift 2 ;;
    --skip-smoke) skip_smoke=1; shift ;;
    --json) need_value "$@"; json_out=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
((clients >= 1 && workers >= 1 && threads >= 1)) || usage_error "--clients, --workers and --threads must be at least 1"

cd "$NEXUS_ROOT"
python=$NEXUS_ROOT/.venv/bin/python
granian=$NEXUS_ROOT/.venv/bin/granian
[[ -x "$python" && -x "$granian" ]] || die "no .venv here: run 'make install' first"
# The project's Python first (smoke.sh and lib.sh call python3), and nginx from
# Debian's package: /usr/sbin is not on every user's PATH.
PATH=$NEXUS_ROOT/.venv/bin:$PATH:/usr/sbin
need_cmd curl psql pgrep
if ! command -v nginx >/dev/null 2>&1; then
  log "installing nginx (Debian package)"
  sudo=()
  [[ $EUID -eq 0 ]] || sudo=(sudo -n)
  { "${sudo[@]}" apt-get update -qq \
    && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; } \
    || die "nginx is missing and could not be installed: apt-get install nginx"
fi

# --- Work directory and clean-up ---------------------------------------------------------

work=$(mktemp -d -t nexus-rehearsal.XXXXXX)
declare -A pid=()
scratch_db=""
server_url=""
failed=1

# stop_pid PID SIGNAL SECONDS: signal it, wait that long, then SIGKILL its process group
# (granian's is its own, see start_colour) or it alone.
stop_pid() {
  local target=$1 deadline=$((SECONDS + $3))
  kill -s "$2" "$target" 2>/dev/null || return 0
  while kill -0 "$target" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
  if kill -0 "$target" 2>/dev/null; then
    warn "process $target still runs $3 s after SIG$2: killing it"
    kill -s KILL -- "-$target" 2>/dev/null || kill -s KILL "$target" 2>/dev/null || true
  fi
  wait "$target" 2>/dev/null || true
}

cleanup() {
  local name
  for name in load nginx blue green; do
    [[ -z "${pid[$name]:-}" ]] || stop_pid "${pid[$name]}" TERM 20
  done
  if [[ -n "$scratch_db" && "$keep" != 1 ]]; then
    psql "$(pg_url "$server_url" postgres)" -XqAt -c "DROP DATABASE IF EXISTS \"$scratch_db\" WITH (FORCE)" \
      >/dev/null 2>&1 || warn "could not drop the database $scratch_db"
  fi
  if [[ "$keep" == 1 || "$failed" == 1 ]]; then
    log "work directory kept: $work"
    [[ -z "$scratch_db" || "$keep" != 1 ]] || log "database kept: $scratch_db"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
# Stopped from outside: the same clean-up.
trap 'exit 143' TERM
trap 'exit 130' INT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

phases=$work/phases.tsv
mark() { printf '%s\tphase\t%s\n' "$(now_ms)" "$1" >>"$phases"; log "phase: $1"; }
note() { printf '%s\tnote\t%s\n' "$(now_ms)" "$1" >>"$phases"; log "$1"; }

# --- 1. The database -------------------------------------------------------------------

if [[ -n "$database_url" ]]; then
  db_url=$database_url
else
  server_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  scratch_db="nexus_rehearsal_$(date +%Y%m%d%H%M%S)_$$"
  psql "$(pg_url "$server_url" postgres)" -XqAt -c "CREATE DATABASE \"$scratch_db\"" >/dev/null \
    || die "cannot create a database on $(pg_url "$server_url" postgres)"
  db_url=$(pg_url "$server_url" "$scratch_db")
  log "scratch database $scratch_db"
fi
sql() { psql "$(pg_url "$db_url")" -XqAt -v ON_ERROR_STOP=1 -c "$1"; }

# The environment of every process started here, and nothing else from the caller's.
secret() { python3 -c 'import secrets; print(secrets.token_urlsafe(48))'; }
mkdir -p "$work/data" "$work/static"
app_env=(
  "PATH=$PATH" "HOME=${HOME:-$work}" LANG=C.UTF-8
  DJANGO_SETTINGS_MODULE=nexus.config.settings.base
  NEXUS_ENV=production
  "DATABASE_URL=$db_url"
  "DJANGO_SECRET_KEY=$(secret)" "JWT_SIGNING_KEY=$(secret)" "SANDBOX_WEBHOOK_SECRET=$(secret)"
  "DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost"
  # nginx speaks plain HTTP here; in production TLS ends at the load balancer.
  DJANGO_SECURE_SSL_REDIRECT=false
  NUM_PROXIES=1
  # The load comes from one address: no rate limit may answer it 429.
  THROTTLE_ANON=1000000/min THROTTLE_USER=1000000/min
  "NEXUS_DATA_DIR=$work/data" "STATIC_ROOT=$work/static"
  LOG_LEVEL=WARNING
)
if [[ -n "${REDIS_URL:-}" ]]; then
  app_env+=("REDIS_URL=$REDIS_URL" "CACHE_KEY_PREFIX=nexus-rehearsal-$$")
fi

# Schema and demo data with synchronous_commit off (a scratch database: nothing to
# lose; several times faster); the colours serve with the server's settings.
case $db_url in *\?*) fast_url="$db_url&" ;; *) fast_url="$db_url?" ;; esac
fast_url+="options=-c%20synchronous_commit%3Doff"
started=$(now_ms)
env -i "${app_env[@]}" "DATABASE_URL=$fast_url" "$python" manage.py migrate --noinput -v 0 \
  >"$work/setup.log" 2>&1 || die "migrate failed: $(tail -20 "$work/setup.log")"
env -i "${app_env[@]}" "DATABASE_URL=$fast_url" NEXUS_ENV=development "$python" manage.py seed_demo \
  >>"$work/setup.log" 2>&1 || die "seed_demo failed: $(tail -20 "$work/setup.log")"
log "database migrated and seeded in $(($(now_ms) - started)) ms"

# --- 2. Blue and green -------------------------------------------------------------------

declare -A port=([blue]=$(free_port) [green]=$(free_port))
[[ "${port[blue]}" != "${port[green]}" ]] || port[green]=$(free_port)
prefix=$work/nginx
nginx_backend "$prefix" "127.0.0.1:${port[blue]}" "127.0.0.1:${port[green]}"

# start_colour COLOUR: granian for COLOUR in the background, as the image's web role runs it.
start_colour() {
  local colour=$1
  rm -rf "$work/metrics-$colour"
  mkdir -p "$work/metrics-$colour"
  # A session of its own: the clean-up's SIGKILL, if it comes to that, reaches the
  # workers too (killed alone, the main process leaves them serving).
  env -i "${app_env[@]}" "PROMETHEUS_MULTIPROC_DIR=$work/metrics-$colour" \
    setsid "$granian" --interface wsgi --host 127.0.0.1 --port "${port[$colour]}" \
    --workers "$workers" --blocking-threads "$threads" --no-ws nexus.config.wsgi:application \
    >>"$work/$colour.log" 2>&1 &
  pid[$colour]=$!
}

# wait_ready COLOUR: until its /readyz answers, or fail when it exits or takes 90 s.
wait_ready() {
  local colour=$1 started
  started=$(now_ms)
  until colour_ready "$colour"; do
    kill -0 "${pid[$colour]}" 2>/dev/null || die "$colour exited: $(tail -20 "$work/$colour.log")"
    (($(now_ms) - started < 90000)) || die "$colour not ready after 90 s: $(tail -20 "$work/$colour.log")"
    sleep 0.2
  done
  READY_MS=$(($(now_ms) - started))
}

# stop_colour COLOUR: SIGTERM; granian stops accepting, finishes what it has begun, exits.
stop_colour() {
  local colour=$1 started status=0 deadline
  [[ "$(live_colour "")" != "$colour" ]] || die "refusing to stop $colour: it is live"
  started=$(now_ms)
  kill -s TERM "${pid[$colour]}"
  deadline=$((SECONDS + 30))
  while kill -0 "${pid[$colour]}" 2>/dev/null; do
    ((SECONDS < deadline)) || die "$colour still runs 30 s after SIGTERM: $(tail -20 "$work/$colour.log")"
    sleep 0.05
  done
  wait "${pid[$colour]}" || status=$?
  pid[$colour]=""
  STOPPED_MS=$(($(now_ms) - started))
  ((status == 0)) || die "$colour exited with status $status on SIGTERM: $(tail -20 "$work/$colour.log")"
}

started=$(now_ms)
start_colour blue
start_colour green
wait_ready blue
wait_ready green
log "blue on ${port[blue]}, green on ${port[green]}: ready after $(($(now_ms) - started)) ms"

# --- 3. nginx ----------------------------------------------------------------------------

nginx_port=$(free_port)
mkdir -p "$prefix/temp"
user_directive=""
if [[ $EUID -eq 0 ]]; then
  # Workers drop root; they only need to reach their temp directories.
  user_directive="user nobody nogroup;"
  chmod 711 "$work"
fi
cat >"$prefix/nginx.conf" <<NGINX
# The rehearsal's nginx: 127.0.0.1:$nginx_port proxies to the live colour, the upstream
# nexus_web of upstream.conf (rewritten by switch_colour, then nginx -s reload).
daemon off;
master_process on;
worker_processes auto;
pid $prefix/nginx.pid;
error_log $prefix/error.log notice;
$user_directive

events {
    worker_connections 1024;
}

http {
    log_format rehearsal '\$msec|\$status|\$upstream_addr|\$request_time';
    access_log $prefix/access.log rehearsal buffer=64k flush=1s;
    client_body_temp_path $prefix/temp/body;
    proxy_temp_path $prefix/temp/proxy;
    fastcgi_temp_path $prefix/temp/fastcgi;
    uwsgi_temp_path $prefix/temp/uwsgi;
    scgi_temp_path $prefix/temp/scgi;
    keepalive_timeout 65s;

    include $prefix/upstream.conf;

    server {
        listen 127.0.0.1:$nginx_port;

        location / {
            proxy_pass http://nexus_web;
            # Keep-alive connections to the colour (upstream.conf's keepalive).
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto \$scheme;
        }
    }
}
NGINX
nginx_write_upstream blue
"${NGINX[@]}" -t -q || die "nginx rejects its configuration: $(cat "$prefix/error.log")"
"${NGINX[@]}" >>"$prefix/error.log" 2>&1 &
pid[nginx]=$!
"$NEXUS_SCRIPTS_DIR/wait-for.sh" --interval 0.1 "http://127.0.0.1:$nginx_port/readyz" 30 2>/dev/null \
  || die "nginx did not answer: $(tail -20 "$prefix/error.log")"
log "nginx on 127.0.0.1:$nginx_port, live colour: $(live_colour "")"

# --- 4. Load -------------------------------------------------------------------------------

guest_writes() {
  sql "SELECT (SELECT count(*) FROM checkout_cart WHERE user_id IS NULL) || ' ' ||
    (SELECT coalesce(sum(l.quantity), 0) FROM checkout_cartline l
      JOIN checkout_cart c ON c.id = l.cart_id WHERE c.user_id IS NULL)"
}
read -r carts_before lines_before <<<"$(guest_writes)"

"$python" "$NEXUS_SCRIPTS_DIR/rehearsal_load.py" run "http://127.0.0.1:$nginx_port" \
  --clients "$clients" --out "$work/requests.tsv" --mark "$phases" "blue live" \
  >"$work/load.log" 2>&1 &
pid[load]=$!
until [[ -s "$phases" ]]; do
  kill -0 "${pid[load]}" 2>/dev/null || die "the load did not start: $(tail -20 "$work/load.log")"
  sleep 0.1
done
log "load: $clients clients through nginx"
sleep "$hold"

# --- 5. Switch, roll back, release -----------------------------------------------------------

reloaded() {
  note "nginx reloaded; $1's last requests answered and its connections closed after ${NGINX_LAST_RELOAD_MS} ms"
}

# The release's switch (deploy-blue-green.sh step 5): to the idle colour.
release_switch() {
  local live idle
  live=$(live_colour "")
  idle=$(other_colour "$live")
  mark "switch $live → $idle${1:+ ($1)}"
  switch_colour "$idle" "$live"
  reloaded "$live"
}

release_switch
sleep "$hold"

# The rollback (rollback.sh), and the colour left stopped at once: the switch has
# returned, so nothing reaches it. Then the next release on it: started again, smoke
# tested, switched to.
left=$(live_colour "")
mark "rollback $left → $(other_colour "$left"), $left stopped and started again"
rollback_colour "$left" 0
reloaded "$left"
stop_colour "$left"
note "$left stopped (SIGTERM, exit 0) in ${STOPPED_MS} ms"
start_colour "$left"
wait_ready "$left"
note "$left started again, ready after ${READY_MS} ms"
if [[ "$skip_smoke" != 1 ]]; then
  SMOKE_EMAIL=customer@demo.nexus SMOKE_PASSWORD=orchard-velvet-17 \
    "$NEXUS_SCRIPTS_DIR/smoke.sh" "http://127.0.0.1:${port[$left]}" >"$work/smoke.log" 2>&1 \
    || die "smoke test of the new $left failed: $(tail -20 "$work/smoke.log")"
  note "smoke test passed on $left (checkout and payment)"
fi

release_switch "the new release"
sleep "$hold"

stop_pid "${pid[load]}" TERM 30
pid[load]=""
read -r carts_after lines_after <<<"$(guest_writes)"
# Every worker flushes its buffered access log when nginx stops.
stop_pid "${pid[nginx]}" QUIT 30
pid[nginx]=""

# --- 6. The report ----------------------------------------------------------------------------

report_args=(
  --requests "$work/requests.tsv" --phases "$phases" --access-log "$prefix/access.log"
  --colour "blue=127.0.0.1:${port[blue]}" --colour "green=127.0.0.1:${port[green]}"
  --db-carts $((carts_after - carts_before)) --db-lines $((lines_after - lines_before))
)
[[ -z "$json_out" ]] || report_args+=(--json "$json_out")
if "$python" "$NEXUS_SCRIPTS_DIR/rehearsal_load.py" report "${report_args[@]}"; then
  failed=0
  log "rehearsal passed: no failed request"
else
  die "rehearsal failed: see the report above and $work"
fi
