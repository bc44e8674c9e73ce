#!/usr/bin/env bash
# Blue-green rollback: point the Service web back at the other (previous) colour.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME [options]

Switches the Service web's selector from the live colour to the other one (the
release before, which deploy-blue-green.sh leaves running), and web-preview to the
colour being left. Then moves worker, relay and beat back to the image of the colour
now live, unless --selector-only. The database is not touched: migrations of the
release rolled back stay (they were written to work with the release before).

Options:
  --namespace NS     namespace (default: \$NEXUS_NAMESPACE or nexus)
  --context NAME     kubectl context (default: the current one)
  --live COLOUR      the colour live now, blue or green, instead of asking the cluster
  --image IMAGE      image for worker, relay and beat (default: the image of the
                     colour switched to)
  --selector-only    switch the Services only; leave worker, relay and beat alone
  --force            switch even when the other colour has no ready pod
  --dry-run          print the kubectl commands (stdout) instead of running them; with
                     --live it asks the cluster nothing
  -h, --help         this help
USAGE
}

help_requested "$@"

namespace=${NEXUS_NAMESPACE:-nexus}
context=""
live=""
image=""
selector_only=0
force=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --namespace) need_value "$@"; namespace=$2; shift 2 ;;
    --context) need_value "$@"; context=$2; shift 2 ;;
    --live) need_value "$@"; live=$2; shift 2 ;;
    --image) need_value "$@"; image=$2; shift 2 ;;
    --selector-only) selector_only=1; shift ;;
    --force) force=1; shift ;;
    --dry-run) DRY_RUN=1; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[[ -z "$live" || "$live" == blue || "$live" == green ]] || usage_error "--live is blue or green"
[[ "$DRY_RUN" == 1 ]] || need_cmd kubectl

kubectl_for "$context" "$namespace"

live=$(live_colour "$live")
target=$(other_colour "$live")
# Asks web-$target first: no such Deployment, or no ready pod in it, stops here.
rollback_colour "$live" "$force"
log "web now serves $target; $live is on web-preview"

if [[ "$selector_only" == 1 ]]; then
  log "worker, relay and beat left as they are (--selector-only)"
  exit 0
fi
if [[ -z "$image" && "$DRY_RUN" == 1 ]]; then
  image="IMAGE_OF_web-$target"
  log "dry run: the workers' image would be read from deployment/web-$target ($image below)"
elif [[ -z "$image" ]]; then
  image=$(kq get deployment "web-$target" -o 'jsonpath={.spec.template.spec.containers[?(@.name=="web")].image}') || true
fi
[[ -n "$image" ]] || die "could not read the image of web-$target; use --image"
k set image deployment/worker "worker=$image"
k set image deployment/relay "relay=$image"
k set image deployment/beat "beat=$image"
for name in worker relay beat; do
  k rollout status "deployment/$name" --timeout=600s || die "deployment/$name did not roll out"
done
log "rolled back to $target ($image)"
