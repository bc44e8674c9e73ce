# shellcheck shell=bash
# Helpers shared by the operations scripts in this folder. Sourced, never run:
#
#   # shellcheck source=scripts/lib.sh
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
#
# Provides logging (to stderr, so stdout stays for a script's real output), argument
# helpers, a dry-run aware command runner and JSON access through python3.

if [[ -n "${NEXUS_LIB_SOURCED:-}" ]]; then
  return 0
fi
NEXUS_LIB_SOURCED=1

NEXUS_SCRIPT_NAME=$(basename "$0")
NEXUS_SCRIPTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck disable=SC2034  # used by the scripts that source this file
NEXUS_ROOT=$(cd "$NEXUS_SCRIPTS_DIR/.." && pwd)
# Set by a script's --dry-run: `run` prints commands instead of running them.
DRY_RUN=${DRY_RUN:-0}

# --- Logging -------------------------------------------------------------------

_log() {
  local level=$1
  shift
  printf '%s %s [%s] %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$NEXUS_SCRIPT_NAME" "$level" "$*" >&2
}
log() { _log info "$@"; }
warn() { _log warn "$@"; }
# die MESSAGE [EXIT_CODE]
die() {
  _log error "$1"
  exit "${2:-1}"
}

# --- Arguments -------------------------------------------------------------------

# Print the script's usage (the function `usage` every script defines) and exit 0 when
# -h or --help is among the arguments: `help_requested "$@"` before any other check.
help_requested() {
  local arg
  for arg in "$@"; do
    case $arg in
      -h | --help)
        usage
        exit 0
        ;;
      --) return 0 ;;
    esac
  done
}

# usage_error MESSAGE: the message, a pointer to --help, exit 2.
usage_error() {
  _log error "$1"
  printf 'Run %s --help for usage.\n' "$NEXUS_SCRIPT_NAME" >&2
  exit 2
}

# need_value OPTION "$@": fails unless the option has a value after it.
# Use: --image) need_value "$@"; image=$2; shift 2 ;;
need_value() {
  if [[ $# -lt 2 || -z "$2" || "$2" == --* ]]; then
    usage_error "$1 needs a value"
  fi
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

# need_uint NAME VALUE: fails unless VALUE is a whole number >= 0.
need_uint() {
  is_uint "$2" || usage_error "$1 must be a whole number, not '$2'"
}

# need_cmd COMMAND...: fails naming the first command not on PATH.
need_cmd() {
  local cmd
  for cmd in "$@"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is needed but not installed"
  done
}

# now_ms: milliseconds since the epoch (bash 5's EPOCHREALTIME, else date).
now_ms() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then
    local micros=${EPOCHREALTIME//[!0-9]/}
    echo $((micros / 1000))
  else
    date +%s%3N
  fi
}

# --- Running commands ------------------------------------------------------------

# shell_quote ARG...: the arguments as one line a shell reads back the same; arguments
# made only of safe characters stay bare, the others are single-quoted.
shell_quote() {
  local out="" arg
  for arg in "$@"; do
    if [[ "$arg" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then
      out+="$arg "
    else
      out+="'${arg//\'/\'\\\'\'}' "
    fi
  done
  printf '%s\n' "${out% }"
}

# run COMMAND...: runs it, or with DRY_RUN=1 prints it (to stdout) and succeeds.
run() {
  if [[ "$DRY_RUN" == 1 ]]; then
    shell_quote "$@"
    return 0
  fi
  log "+ $(shell_quote "$@")"
  "$@"
}

# --- JSON --------------------------------------------------------------------------

# json_eval FILE EXPRESSION: prints a Python expression over the JSON document `d`
# read from FILE (strings bare, anything else as JSON); fails when the expression
# does (a missing key, an empty list). Expressions are written in these scripts, never
# taken from input.
json_eval() {
  python3 - "$1" "$2" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as handle:
    d = json.load(handle)
try:
    value = eval(sys.argv[2], {"__builtins__": {"next": next, "len": len}}, {"d": d})  # noqa: S307
except (KeyError, IndexError, StopIteration, TypeError) as exc:
    sys.exit(f"no {sys.argv[2]} in the answer ({type(exc).__name__}: {exc})")
print(value if isinstance(value, str) else json.dumps(value))
PY
}

# json_object KEY=VALUE|KEY:=JSON ...: a JSON object; KEY=VALUE gives a string,
# KEY:=JSON a raw JSON value (number, object, true ...), as httpie writes them.
json_object() {
  python3 - "$@" <<'PY'
import json
import sys

obj = {}
for item in sys.argv[1:]:
    key, sep, raw = item.partition(":=")
    if sep and "=" not in key:
        obj[key] = json.loads(raw)
    else:
        key, _, value = item.partition("=")
        obj[key] = value
print(json.dumps(obj))
PY
}

# --- PostgreSQL ----------------------------------------------------------------------

# pg_url URL [DBNAME]: a libpq connection URI from a DATABASE_URL (postgres://,
# postgresql://, pgsql://), with the database name replaced when DBNAME is given.
pg_url() {
  python3 - "$@" <<'PY'
import sys
from urllib.parse import quote, urlsplit, urlunsplit

url = urlsplit(sys.argv[1])
if url.scheme not in {"postgres", "postgresql", "pgsql"}:
    sys.exit(f"not a PostgreSQL URL: scheme {url.scheme!r}")
path = "/" + quote(sys.argv[2], safe="") if len(sys.argv) > 2 else url.path
print(urlunsplit(("postgresql", url.netloc, path, url.query, "")))
PY
}

# pg_url_dbname URL: the database name in a DATABASE_URL.
pg_url_dbname() {
  python3 -c 'import sys; from urllib.parse import unquote, urlsplit; print(unquote(urlsplit(sys.argv[1]).path.lstrip("/")))' "$1"
}

# --- Colours (blue-green) --------------------------------------------------------------
#
# The web processes run in two colours, blue and green; one is live. Which one, and the
# switch between them, go through a backend, so that a release, a rollback and the
# local rehearsal share the same steps (live_colour, other_colour, colour_ready,
# switch_colour, rollback_colour):
#   kubernetes  the Service web selects the live colour's pods and web-preview the other
#               colour's; a switch patches both selectors (set up by kubectl_for)
#   nginx       an nginx instance proxies to the live colour's address, kept in an
#               upstream file it includes; a switch rewrites the file and reloads nginx
#               (set up by nginx_backend)
COLOUR_BACKEND=kubernetes

# kubectl_for CONTEXT NAMESPACE: the kubernetes backend; what k and kq run (an empty
# CONTEXT: the current one).
kubectl_for() {
  COLOUR_BACKEND=kubernetes
  KUBECTL=(kubectl)
  [[ -z "$1" ]] || KUBECTL+=(--context "$1")
  KUBECTL+=(--namespace "$2")
}
# k: a change (printed instead in a dry run); kq: a query, run even then, so a dry
# run's caller must not need its answer.
k() { run "${KUBECTL[@]}" "$@"; }
kq() { "${KUBECTL[@]}" "$@"; }

# live_colour GIVEN: GIVEN if set, else the colour the backend routes to.
live_colour() {
  if [[ -n "$1" ]]; then
    printf '%s\n' "$1"
    return
  fi
  [[ "$DRY_RUN" != 1 ]] || usage_error "--dry-run needs --live (it asks the cluster nothing)"
  local colour
  case $COLOUR_BACKEND in
    kubernetes)
      colour=$(kq get service web -o 'jsonpath={.spec.selector.colour}') \
        || die "cannot read the Service web's selector"
      [[ "$colour" == blue || "$colour" == green ]] \
        || die "the Service web selects colour '$colour', not blue or green"
      ;;
    nginx)
      colour=$(sed -n 's/^# live colour: \([a-z]*\).*/\1/p' "$NGINX_UPSTREAM_FILE" 2>/dev/null) \
        || die "cannot read $NGINX_UPSTREAM_FILE"
      [[ "$colour" == blue || "$colour" == green ]] \
        || die "$NGINX_UPSTREAM_FILE names no live colour (blue or green)"
      ;;
  esac
  printf '%s\n' "$colour"
}

# other_colour blue|green: the other one.
other_colour() {
  case $1 in
    blue) echo green ;;
    green) echo blue ;;
    *) die "not a colour: '$1' (blue or green)" ;;
  esac
}

# colour_ready COLOUR: succeeds when COLOUR can take traffic (kubernetes: web-COLOUR has
# a ready pod; nginx: its /readyz answers 2xx), else fails saying why in
# COLOUR_NOT_READY; dies when there is no such colour.
colour_ready() {
  case $COLOUR_BACKEND in
    kubernetes)
      local ready
      ready=$(kq get deployment "web-$1" -o 'jsonpath={.status.readyReplicas}') \
        || die "no deployment web-$1 to switch to"
      COLOUR_NOT_READY="web-$1 has no ready pod"
      [[ "${ready:-0}" -ge 1 ]]
      ;;
    nginx)
      local address
      address=$(nginx_colour_address "$1")
      COLOUR_NOT_READY="$1 ($address) does not answer /readyz"
      curl --silent --fail --output /dev/null --max-time 3 "http://$address/readyz"
      ;;
  esac
}

# switch_colour TO FROM [ANNOTATION...]: live traffic to TO; FROM keeps running (on
# web-preview). Kubernetes: the Service web annotated with the ANNOTATIONs and
# previous-colour=FROM. nginx: returns once the workers that routed to FROM are gone,
# so nothing reaches FROM any more.
switch_colour() {
  local to=$1 from=$2
  shift 2
  case $COLOUR_BACKEND in
    kubernetes)
      k patch service web --type=merge -p "$(web_selector_patch "$to")"
      k patch service web-preview --type=merge -p "$(web_selector_patch "$from")"
      k annotate service web --overwrite "$@" "nexus-commerce/previous-colour=$from"
      ;;
    nginx)
      nginx_write_upstream "$to" "$from"
      nginx_reload
      ;;
  esac
}

# rollback_colour LIVE FORCE: back from LIVE to the other colour, refused (exit) when
# that one is not ready unless FORCE is 1; a dry run does not ask.
rollback_colour() {
  local live=$1 force=${2:-0} target
  target=$(other_colour "$live")
  if [[ "$DRY_RUN" != 1 ]] && ! colour_ready "$target"; then
    [[ "$force" == 1 ]] || die "$COLOUR_NOT_READY; start it first or use --force"
    warn "$COLOUR_NOT_READY; switching anyway (--force)"
  fi
  log "rolling back: web from $live to $target"
  switch_colour "$target" "$live"
}

# web_selector_patch COLOUR: the Service patch that selects one colour's web pods.
web_selector_patch() {
  printf '{"spec":{"selector":{"app":"nexus","component":"web","colour":"%s"}}}' "$1"
}

# --- The nginx backend -----------------------------------------------------------------

# nginx_backend PREFIX BLUE_ADDRESS GREEN_ADDRESS: switch through the nginx instance
# whose prefix is PREFIX (its pid file, logs and nginx.conf there). The nginx.conf
# includes PREFIX/upstream.conf, which defines the upstream "nexus_web" (the live
# colour, the Service web's counterpart); addresses are HOST:PORT.
nginx_backend() {
  COLOUR_BACKEND=nginx
  NGINX_PREFIX=${1%/}
  NGINX_BLUE=$2
  NGINX_GREEN=$3
  NGINX_UPSTREAM_FILE="$NGINX_PREFIX/upstream.conf"
  NGINX=(nginx -p "$NGINX_PREFIX/" -c "$NGINX_PREFIX/nginx.conf" -e "$NGINX_PREFIX/error.log")
  # How long a reload may take to retire the old workers: they finish their requests.
  NGINX_DRAIN_TIMEOUT=${NGINX_DRAIN_TIMEOUT:-60}
}

nginx_colour_address() {
  case $1 in
    blue) printf '%s\n' "$NGINX_BLUE" ;;
    green) printf '%s\n' "$NGINX_GREEN" ;;
    *) die "not a colour: '$1' (blue or green)" ;;
  esac
}

# nginx_write_upstream LIVE [PREVIOUS]: the upstream file routing to LIVE, replaced in
# one rename (nginx reads it at its next start or reload). Connections to the colour
# are kept alive between requests, for less than granian keeps an idle one open
# (30 s), so that nginx never reuses a connection granian is closing.
nginx_write_upstream() {
  local file=$NGINX_UPSTREAM_FILE
  {
    printf '# live colour: %s (previous: %s)\n' "$1" "${2:-none}"
    printf 'upstream nexus_web {\n'
    printf '    server %s;\n' "$(nginx_colour_address "$1")"
    printf '    keepalive 32;\n    keepalive_timeout 10s;\n}\n'
  } >"$file.new"
  mv -f "$file.new" "$file"
}

# nginx_workers: the worker processes of the running nginx (its master's children).
nginx_workers() {
  local master
  master=$(cat "$NGINX_PREFIX/nginx.pid" 2>/dev/null) || return 0
  pgrep -P "$master" | sort || true
}

# nginx_reload: test the configuration, reload, and wait until the workers started
# before the reload have exited. A reload starts new workers with the new
# configuration and asks the old ones to stop accepting and to finish their requests
# (closing their idle keep-alive connections, to clients and to the old upstream):
# once they are gone, no request and no connection goes to the old upstream any more.
nginx_reload() {
  local old now started deadline
  run "${NGINX[@]}" -t -q || die "nginx rejects the new configuration; nothing switched"
  [[ "$DRY_RUN" != 1 ]] || { run "${NGINX[@]}" -s reload; return 0; }
  old=$(nginx_workers)
  [[ -n "$old" ]] || die "nginx is not running (no workers of $NGINX_PREFIX/nginx.pid)"
  started=$(now_ms)
  run "${NGINX[@]}" -s reload
  deadline=$((started + NGINX_DRAIN_TIMEOUT * 1000))
  while true; do
    now=$(nginx_workers)
    # Done when no old worker is left and new ones run.
    if [[ -n "$now" && -z "$(comm -12 <(printf '%s\n' "$old") <(printf '%s\n' "$now"))" ]]; then
      break
    fi
    (($(now_ms) < deadline)) \
      || die "nginx's old workers still run ${NGINX_DRAIN_TIMEOUT}s after the reload; see $NGINX_PREFIX/error.log"
    sleep 0.02
  done
  NGINX_LAST_RELOAD_MS=$(($(now_ms) - started))
  log "nginx reloaded: old workers gone after ${NGINX_LAST_RELOAD_MS} ms"
}
