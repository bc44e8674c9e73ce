#!/usr/bin/env bash
# Entry point of the Nexus Commerce image: one image, every process.
# Run with --help for the roles; anything that is not a role is executed as given.
set -euo pipefail

readonly DEFAULT_QUEUES="default,email,webhooks,payments,reports"

usage() {
  cat <<'USAGE'
Usage: entrypoint.sh [ROLE] [EXTRA ARGS...]
       entrypoint.sh COMMAND [ARGS...]

Roles (extra arguments are passed on to the process):
  web          granian (WSGI) serving the API on HOST:PORT (default 0.0.0.0:8000)
               with WEB_WORKERS processes (2) of WEB_THREADS request threads (16)
  worker       Celery worker serving QUEUES (default: default,email,webhooks,payments,reports),
               its task metrics on NEXUS_WORKER_METRICS_PORT (9808; empty: none)
  beat         Celery beat, the periodic tasks (run exactly one)
  relay        the outbox relay (manage.py relay_outbox), its publishing metrics on
               NEXUS_RELAY_METRICS_PORT (9809; empty: none)
  migrate      manage.py migrate --noinput (run once before web and worker start)
  manage       manage.py with the given arguments, e.g. "manage seed_demo"
  healthcheck  ROLE: exit 0 when the process of ROLE in this container is healthy
               (web: GET /healthz; worker: Celery ping; beat: schedule file written
               recently; relay: database, cache and broker reachable)

Any other first argument is executed as a command, e.g. "bash" or "python manage.py shell".
Without arguments the image runs "web".
USAGE
}

die() {
  printf 'entrypoint: %s\n' "$*" >&2
  exit 64
}

# require_count NAME VALUE: VALUE must be a positive integer.
require_count() {
  [[ $2 =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, not '$2'"
}

# fresh_metrics_dir DEFAULT: the directory where this container's processes (granian's
# workers, Celery's pool) keep their Prometheus counters, emptied at start so a
# restarted container does not add up its previous life's files.
fresh_metrics_dir() {
  export PROMETHEUS_MULTIPROC_DIR=${PROMETHEUS_MULTIPROC_DIR:-$1}
  rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"
  mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
}

run_web() {
  local host=${HOST:-0.0.0.0} port=${PORT:-8000}
  local workers=${WEB_WORKERS:-2} threads=${WEB_THREADS:-16}
  require_count PORT "$port"
  require_count WEB_WORKERS "$workers"
  require_count WEB_THREADS "$threads"
  fresh_metrics_dir /tmp/prometheus-web
  # The same server and options as `make run`.
  exec granian --interface wsgi --host "$host" --port "$port" \
    --workers "$workers" --blocking-threads "$threads" \
    --no-ws "$@" nexus.config.wsgi:application
}

run_worker() {
  fresh_metrics_dir /tmp/prometheus-worker
  # The pool's counters on this port (/metrics); "" turns it off.
  export NEXUS_WORKER_METRICS_PORT=${NEXUS_WORKER_METRICS_PORT-9808}
  exec celery -A nexus.config worker --queues "${QUEUES:-$DEFAULT_QUEUES}" \
    --loglevel INFO "$@"
}

run_relay() {
  # One process: its counters stay in memory, served on this port; "" turns it off.
  export NEXUS_RELAY_METRICS_PORT=${NEXUS_RELAY_METRICS_PORT-9809}
  exec python manage.py relay_outbox "$@"
}

run_beat() {
  local data_dir=${NEXUS_DATA_DIR:-/app/var}
  mkdir -p "$data_dir"
  exec celery -A nexus.config beat --loglevel INFO \
    --schedule "$data_dir/celerybeat-schedule" "$@"
}

healthcheck() {
  local role=${1:-web}
  case "$role" in
    web)
      exec python - "${PORT:-8000}" <<'PY'
import sys
import urllib.request

url = f"http://127.0.0.1:{sys.argv[1]}/healthz"
with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 (fixed local URL)
    sys.exit(0 if response.status == 200 else 1)
PY
      ;;
    worker)
      # Answers only when this container's worker consumes from the broker.
      exec celery -A nexus.config inspect ping --timeout 10 \
        --destination "celery@${HOSTNAME}"
      ;;
    beat)
      # Beat rewrites its schedule file while it sends tasks (every few minutes).
      exec python - "${NEXUS_DATA_DIR:-/app/var}" <<'PY'
import sys
import time
from pathlib import Path

files = list(Path(sys.argv[1]).glob("celerybeat-schedule*"))
fresh = any(time.time() - path.stat().st_mtime < 600 for path in files)
sys.exit(0 if fresh else 1)
PY
      ;;
    relay)
      # The relay has no port; check that what it needs answers (as /readyz does).
      exec python - <<'PY'
import sys

import django

django.setup()
from nexus.core.health import run_readiness_checks

failed = [result.name for result in run_readiness_checks() if not result.ok]
print("failed: " + ", ".join(failed) if failed else "ok")
sys.exit(1 if failed else 0)
PY
      ;;
    *) die "healthcheck: unknown role '$role' (web, worker, beat or relay)" ;;
  esac
}

main() {
  local role=${1:-web}
  if (($# > 0)); then shift; fi
  case "$role" in
    -h | --help | help) usage ;;
    web) run_web "$@" ;;
    worker) run_worker "$@" ;;
    beat) run_beat "$@" ;;
    relay) run_relay "$@" ;;
    migrate) exec python manage.py migrate --noinput "$@" ;;
    manage) exec python manage.py "$@" ;;
    healthcheck) healthcheck "$@" ;;
    *) exec "$role" "$@" ;;
  esac
}

main "$@"
