#!/usr/bin/env bash
# Blue-green release of a new image: migrate, idle colour, smoke test, switch.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME --image IMAGE [options] [-- SMOKE_OPTIONS...]

Releases IMAGE (e.g. registry.example.com/nexus-commerce:1.4.0) with the manifests of
deploy/k8s (an overlay) already applied:
  1. the live colour: the "colour" of the Service web's selector (or --live)
  2. the migration Job for IMAGE (deploy/k8s/base/migrate-job.yaml rendered as
     nexus-migrate-<tag>), applied and waited for; a failed Job stops the release
  3. IMAGE on the idle colour's Deployment, scaled to the live colour's replicas,
     waited for until its pods are ready (readiness: /readyz)
  4. smoke.sh through the Service web-preview (a kubectl port-forward to it, or
     --smoke-url), given SMOKE_OPTIONS after "--"; it also reads SMOKE_EMAIL,
     SMOKE_PASSWORD, SMOKE_HOST and SMOKE_SKIP_CHECKOUT from the environment (a
     production shop needs SMOKE_HOST, one of DJANGO_ALLOWED_HOSTS, and with Stripe
     as its gateway SMOKE_SKIP_CHECKOUT=1)
  5. the Service web switched to the new colour, web-preview to the old one
  6. worker, relay and beat moved to IMAGE
The old colour keeps running, unchanged: rollback.sh switches back to it.

Options:
  --image IMAGE         image to release (required)
  --namespace NS        namespace (default: \$NEXUS_NAMESPACE or nexus)
  --context NAME        kubectl context (default: the current one)
  --live COLOUR         the live colour, blue or green, instead of asking the cluster
  --replicas N          replicas for the new colour (default: the live colour's; 2 in
                        a dry run)
  --timeout SECONDS     for the Job and each rollout (default 600)
  --manifests DIR       manifests (default: deploy/k8s/base of this repository)
  --smoke-url URL       smoke-test this URL (a preview Ingress) instead of a port-forward
  --skip-smoke          no smoke test (not recommended)
  --skip-workers        leave worker, relay and beat on their image
  --dry-run             print the kubectl commands (stdout) instead of running them;
                        with --live (and --replicas) it asks the cluster nothing
  -h, --help            this help

Migrations must work with the release still live (expand now, contract a release
later), and tasks a new release sends must already be known to the workers it still
has until step 6: the old colour keeps serving on the new schema until the switch and
after a rollback.
USAGE
}

help_requested "$@"

namespace=${NEXUS_NAMESPACE:-nexus}
context=""
image=""
live=""
replicas=""
timeout=600
manifests="$NEXUS_ROOT/deploy/k8s/base"
smoke_url=""
skip_smoke=0
skip_workers=0
smoke_args=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --image) need_value "$@"; image=$2; shift 2 ;;
    --namespace) need_value "$@"; namespace=$2; shift 2 ;;
    --context) need_value "$@"; context=$2; shift 2 ;;
    --live) need_value "$@"; live=$2; shift 2 ;;
    --replicas) need_value "$@"; need_uint "$1" "$2"; replicas=$2; shift 2 ;;
    --timeout) need_value "$@"; need_uint "$1" "$2"; timeout=$2; shift 2 ;;
    --manifests) need_value "$@"; manifests=$2; shift 2 ;;
    --smoke-url) need_value "$@"; smoke_url=$2; shift 2 ;;
    --skip-smoke) skip_smoke=1; shift ;;
    --skip-workers) skip_workers=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    --) shift; smoke_args=("$@"); break ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[[ -n "$image" ]] || usage_error "give the --image to release"
[[ "$image" == *:* || "$image" == *@* ]] || usage_error "--image needs a tag or digest: $image"
[[ -z "$live" || "$live" == blue || "$live" == green ]] || usage_error "--live is blue or green"
[[ -f "$manifests/migrate-job.yaml" ]] || usage_error "no migrate-job.yaml in $manifests"
[[ "$DRY_RUN" == 1 ]] || need_cmd kubectl curl

kubectl_for "$context" "$namespace"

# 1. Colours.
live=$(live_colour "$live")
idle=$(other_colour "$live")
if [[ -z "$replicas" ]]; then
  if [[ "$DRY_RUN" == 1 ]]; then
    replicas=2
  else
    replicas=$(kq get deployment "web-$live" -o 'jsonpath={.spec.replicas}')
  fi
fi
((replicas >= 1)) || replicas=2
log "live colour: $live; releasing $image on $idle ($replicas replicas)"

# 2. Migrations, once, before the new pods take traffic.
tag=${image##*[:@]}
slug=$(printf '%s' "$tag" | tr '[:upper:]' '[:lower:]' | tr -c 'a-z0-9-' '-' | cut -c1-40)
slug=${slug%-}
job="nexus-migrate-$slug"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rendered="$work/migrate-job.yaml"
sed -e "s|^  name: nexus-migrate$|  name: $job|" \
  -e "s|image: [^ ]*:IMAGE_TAG|image: $image|" \
  -e "s|namespace: nexus$|namespace: $namespace|" \
  "$manifests/migrate-job.yaml" >"$rendered"
if ! grep -q "name: $job" "$rendered" || ! grep -qF "image: $image" "$rendered"; then
  die "could not render the migration Job from $manifests/migrate-job.yaml"
fi

if [[ "$DRY_RUN" == 1 ]]; then
  log "rendered migration Job ($rendered, removed on exit):"
  cat "$rendered" >&2
fi
# A Job of this name from an earlier attempt goes first: a Job's template is immutable.
k delete job "$job" --ignore-not-found --wait=true
k apply -f "$rendered"
# Complete or Failed, whichever comes first (kubectl wait watches for one condition).
wait_job() {
  local deadline=$((SECONDS + timeout)) failed
  if [[ "$DRY_RUN" == 1 ]]; then
    k wait --for=condition=complete "job/$job" "--timeout=${timeout}s"
    return 0
  fi
  while ((SECONDS < deadline)); do
    if kq wait --for=condition=complete "job/$job" --timeout=10s >/dev/null 2>&1; then
      log "migration Job $job complete"
      return 0
    fi
    failed=$(kq get job "$job" -o 'jsonpath={.status.conditions[?(@.type=="Failed")].status}') || true
    [[ "$failed" != True ]] || return 1
  done
  return 1
}
wait_job || {
  warn "migration Job $job did not complete; its log:"
  kq logs "job/$job" --tail=100 >&2 || true
  die "release stopped before any traffic moved (live is still $live)"
}

# 3. The new release on the idle colour.
k set image "deployment/web-$idle" "web=$image"
k scale "deployment/web-$idle" "--replicas=$replicas"
k rollout status "deployment/web-$idle" "--timeout=${timeout}s" \
  || die "web-$idle did not become ready; live is still $live (rollout undo: kubectl -n $namespace rollout undo deployment/web-$idle)"

# 4. Smoke test through web-preview (it selects the idle colour).
if [[ "$skip_smoke" == 1 ]]; then
  warn "smoke test skipped (--skip-smoke)"
elif [[ -n "$smoke_url" ]]; then
  run "$NEXUS_SCRIPTS_DIR/smoke.sh" "${smoke_args[@]}" "$smoke_url" \
    || die "smoke test failed on $idle; live is still $live"
else
  port=${SMOKE_LOCAL_PORT:-18080}
  if [[ "$DRY_RUN" == 1 ]]; then
    printf '%s &\n' "$(shell_quote "${KUBECTL[@]}" port-forward service/web-preview "$port:80")"
    run "$NEXUS_SCRIPTS_DIR/wait-for.sh" "127.0.0.1:$port" 30
    run "$NEXUS_SCRIPTS_DIR/smoke.sh" "${smoke_args[@]}" "http://127.0.0.1:$port"
  else
    log "port-forward service/web-preview to 127.0.0.1:$port"
    "${KUBECTL[@]}" port-forward service/web-preview "$port:80" >"$work/port-forward.log" 2>&1 &
    forward=$!
    trap 'kill "$forward" 2>/dev/null || true; rm -rf "$work"' EXIT
    "$NEXUS_SCRIPTS_DIR/wait-for.sh" "127.0.0.1:$port" 30 || die "port-forward did not start: $(cat "$work/port-forward.log")"
    run "$NEXUS_SCRIPTS_DIR/smoke.sh" "${smoke_args[@]}" "http://127.0.0.1:$port" \
      || die "smoke test failed on $idle; live is still $live"
    kill "$forward" 2>/dev/null || true
  fi
fi

# 5. The switch: web to the new colour, web-preview to the old one.
switch_colour "$idle" "$live" "nexus-commerce/live-image=$image"
log "web now serves $idle ($image); $live kept running for rollback.sh"

# 6. The background processes.
if [[ "$skip_workers" == 1 ]]; then
  warn "worker, relay and beat left on their image (--skip-workers)"
else
  k set image deployment/worker "worker=$image"
  k set image deployment/relay "relay=$image"
  k set image deployment/beat "beat=$image"
  for name in worker relay beat; do
    k rollout status "deployment/$name" "--timeout=${timeout}s" || die "deployment/$name did not roll out"
  done
fi
log "released $image: live colour $idle (previous: $live)"
