#!/usr/bin/env bash
# Smoke test of a running shop over HTTP: probes, catalog, sign-in, checkout, payment.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME [options] BASE_URL

Checks a running Nexus Commerce at BASE_URL (e.g. http://127.0.0.1:8000), in order:
  1. GET /healthz is 200
  2. GET /readyz is 200 (the database answers; "degraded" names a cache or broker outage)
  3. a catalog read: GET /api/v1/products/?in_stock=true and one product's detail
  4. a customer access token from the given credentials (POST /api/v1/auth/token/)
  5. a checkout end to end as that customer: cart, line, summary, order, payment with
     a sandbox test card, and the order turning "paid" (PAYMENT_GATEWAY=sandbox)
Exits 0 when every step passed, 1 at the first failure (naming it), 2 on bad arguments.

Options:
  --email EMAIL        customer to sign in as (or SMOKE_EMAIL)
  --password PASSWORD  their password (or SMOKE_PASSWORD; prefer the variable: options
                       show in the process list)
  --host NAME          send "Host: NAME" and "X-Forwarded-Proto: https", to test a
                       production pod through a port-forward (DJANGO_ALLOWED_HOSTS,
                       HTTPS redirect); or SMOKE_HOST
  --country CODE       shipping country (default DE)
  --card NUMBER        sandbox card (default 4242424242424242, always approved)
  --skip-checkout      stop after the token (a shop whose gateway is not the sandbox:
                       no real payment is made); or SMOKE_SKIP_CHECKOUT=1
  --paid-timeout SEC   how long the order may take to turn "paid" (default 30; a
                       worker applies the payment event)
  --max-time SEC       per-request timeout (default 15)
  -h, --help           this help

The checkout places a real order (a few units of stock): run it against a shop where
the smoke customer's orders are expected.
USAGE
}

help_requested "$@"
need_cmd curl python3

email=${SMOKE_EMAIL:-}
password=${SMOKE_PASSWORD:-}
host_header=${SMOKE_HOST:-}
country=DE
card=4242424242424242
case ${SMOKE_SKIP_CHECKOUT:-0} in
  1 | true | yes) skip_checkout=1 ;;
  *) skip_checkout=0 ;;
esac
paid_timeout=30
max_time=15
base_url=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --email) need_value "$@"; email=$2; shift 2 ;;
    --password) need_value "$@"; password=$2; shift 2 ;;
    --host) need_value "$@"; host_header=$2; shift 2 ;;
    --country) need_value "$@"; country=$2; shift 2 ;;
    --card) need_value "$@"; card=$2; shift 2 ;;
    --skip-checkout) skip_checkout=1; shift ;;
    --paid-timeout) need_value "$@"; need_uint "$1" "$2"; paid_timeout=$2; shift 2 ;;
    --max-time) need_value "$@"; need_uint "$1" "$2"; max_time=$2; shift 2 ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [[ -z "$base_url" ]] || usage_error "one BASE_URL only"
      base_url=${1%/}
      shift
      ;;
  esac
done
[[ -n "$base_url" ]] || usage_error "give the BASE_URL"
[[ "$base_url" =~ ^https?:// ]] || usage_error "BASE_URL must start with http:// or https://"
[[ -n "$email" && -n "$password" ]] || usage_error "give the customer's --email and --password (or SMOKE_EMAIL, SMOKE_PASSWORD)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
body="$work/body.json"
status=""
access=""

# request METHOD PATH [JSON] [HEADER...]: the answer's body in $body, status in $status.
request() {
  local method=$1 path=$2 data=${3:-}
  shift 3 || shift $#
  local args=(--silent --show-error --max-time "$max_time" --output "$body"
    --write-out '%{http_code}' --request "$method" -H 'Accept: application/json')
  if [[ -n "$host_header" ]]; then
    args+=(-H "Host: $host_header" -H 'X-Forwarded-Proto: https')
  fi
  if [[ -n "$access" ]]; then
    args+=(-H "Authorization: Bearer $access")
  fi
  if [[ -n "$data" ]]; then
    args+=(-H 'Content-Type: application/json' --data-binary "$data")
  fi
  local header
  for header in "$@"; do
    args+=(-H "$header")
  done
  : >"$body"
  status=$(curl "${args[@]}" "$base_url$path") || status="000"
}

# expect STEP CODE...: fails the smoke test unless the last status is one of CODEs.
expect() {
  local step=$1 code
  shift
  for code in "$@"; do
    [[ "$status" == "$code" ]] && return 0
  done
  warn "FAIL $step: HTTP $status, expected $*"
  if [[ -s "$body" ]]; then
    head -c 2000 "$body" >&2
    echo >&2
  fi
  exit 1
}

field() { json_eval "$body" "$1" || die "FAIL: unexpected answer ($1)"; }
pass() { log "ok   $*"; }

request GET /healthz
expect healthz 200
pass "healthz"

request GET /readyz
expect readyz 200
pass "readyz: $(field 'd["status"]')"

request GET '/api/v1/products/?in_stock=true&page_size=5'
expect "catalog list" 200
slug=$(field 'd["results"][0]["slug"]')
request GET "/api/v1/products/$slug/"
expect "product detail" 200
variant=$(field 'next(v["id"] for v in d["variants"] if v["in_stock"] and v["quantity_available"] > 0)')
pass "catalog: product $slug, variant $variant"

request POST /api/v1/auth/token/ "$(json_object "email=$email" "password=$password")"
expect "customer token" 200
access=$(field 'd["access"]')
request GET /api/v1/me/
expect "me" 200
pass "token for $(field 'd["email"]')"

if [[ "$skip_checkout" == 1 ]]; then
  log "checkout skipped (--skip-checkout)"
  log "smoke test passed: $base_url"
  exit 0
fi

request POST /api/v1/carts/
expect "cart" 200 201
cart=$(field 'd["token"]')
request POST "/api/v1/carts/$cart/lines/" "$(json_object "variant:=$variant" "quantity:=1")"
expect "cart line" 201
request POST /api/v1/checkout/summary/ "$(json_object "cart=$cart" "country=$country")"
expect "checkout summary" 200
method=$(field 'd["shipping_methods"][0]["id"]')
pass "cart $cart, shipping method $method, total $(field 'd["total"]')"

address=$(json_object first_name=Smoke last_name=Test "line1=1 Smoke Street" city=Berlin \
  postal_code=10115 "country=$country")
request POST /api/v1/checkout/ \
  "$(json_object "cart=$cart" "shipping_address:=$address" "shipping_method:=$method")" \
  "Idempotency-Key: smoke-$(date +%s)-$RANDOM$RANDOM"
expect "checkout" 201
number=$(field 'd["number"]')
pass "order $number placed"

request POST "/api/v1/orders/$number/payments/" "$(json_object "payment_method=$card")"
expect "payment" 201
deadline=$((SECONDS + paid_timeout))
while true; do
  request GET "/api/v1/orders/$number/"
  expect "order" 200
  order_status=$(field 'd["status"]')
  [[ "$order_status" == paid ]] && break
  if ((SECONDS >= deadline)); then
    warn "FAIL payment: order $number is '$order_status', not paid after ${paid_timeout}s"
    exit 1
  fi
  sleep 1
done
pass "order $number paid"
log "smoke test passed: $base_url"
