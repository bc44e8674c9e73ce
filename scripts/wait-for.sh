#!/usr/bin/env bash
# Wait until a TCP port accepts connections or a URL answers 2xx/3xx.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME [--interval SECONDS] HOST:PORT|URL [TIMEOUT]

Wait until HOST:PORT accepts a TCP connection, or URL (http:// or https://) answers
with a 2xx or 3xx status. Exits 0 as soon as it does, 1 when TIMEOUT seconds
(default 60) pass first, 2 on bad arguments.

Options:
  --interval SECONDS   pause between attempts (default 1)
  -h, --help           this help

Examples:
  $NEXUS_SCRIPT_NAME 127.0.0.1:5432 30
  $NEXUS_SCRIPT_NAME http://127.0.0.1:8000/readyz 120
USAGE
}

help_requested "$@"

interval=1
positional=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --interval)
      need_value "$@"
      interval=$2
      shift 2
      ;;
    --) shift; positional+=("$@"); break ;;
    -*) usage_error "unknown option: $1" ;;
    *) positional+=("$1"); shift ;;
  esac
done
[[ ${#positional[@]} -ge 1 && ${#positional[@]} -le 2 ]] || usage_error "give HOST:PORT or URL, and optionally a timeout"
target=${positional[0]}
timeout=${positional[1]:-60}
need_uint TIMEOUT "$timeout"
[[ "$interval" =~ ^[0-9]+(\.[0-9]+)?$ ]] || usage_error "--interval must be a number of seconds"

case $target in
  http://* | https://*)
    need_cmd curl
    check() { curl --silent --output /dev/null --fail --max-time 5 "$target"; }
    ;;
  *:*)
    host=${target%:*}
    port=${target##*:}
    host=${host#[}
    host=${host%]}
    if ! { [[ -n "$host" ]] && is_uint "$port" && ((port > 0 && port < 65536)); }; then
      usage_error "not HOST:PORT: '$target'"
    fi
    # bash's /dev/tcp in a subshell, bounded so an unanswered SYN cannot hang it.
    # shellcheck disable=SC2016  # $1 and $2 are the inner shell's arguments
    check() { timeout 5 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$host" "$port" 2>/dev/null; }
    ;;
  *) usage_error "not HOST:PORT or a URL: '$target'" ;;
esac

deadline=$(($(now_ms) + timeout * 1000))
while true; do
  if check; then
    log "$target is up"
    exit 0
  fi
  if (($(now_ms) >= deadline)); then
    log "$target not up after ${timeout}s"
    exit 1
  fi
  sleep "$interval"
done
