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

# kubectl_for CONTEXT NAMESPACE: what k and kq run (an empty CONTEXT: the current one).
kubectl_for() {
  KUBECTL=(kubectl)
  [[ -z "$1" ]] || KUBECTL+=(--context "$1")
  KUBECTL+=(--namespace "$2")
}
# k: a change (printed instead in a dry run); kq: a query, run even then, so a dry
# run's caller must not need its answer.
k() { run "${KUBECTL[@]}" "$@"; }
kq() { "${KUBECTL[@]}" "$@"; }

# live_colour GIVEN: GIVEN if set, else the colour the Service web selects.
live_colour() {
  if [[ -n "$1" ]]; then
    printf '%s\n' "$1"
    return
  fi
  [[ "$DRY_RUN" != 1 ]] || usage_error "--dry-run needs --live (it asks the cluster nothing)"
  local colour
  colour=$(kq get service web -o 'jsonpath={.spec.selector.colour}') \
    || die "cannot read the Service web's selector"
  [[ "$colour" == blue || "$colour" == green ]] \
    || die "the Service web selects colour '$colour', not blue or green"
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

# web_selector_patch COLOUR: the Service patch that selects one colour's web pods.
web_selector_patch() {
  printf '{"spec":{"selector":{"app":"nexus","component":"web","colour":"%s"}}}' "$1"
}
