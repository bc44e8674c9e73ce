#!/usr/bin/env bash
# Housekeeping: old export/import files, old backups, and the shop's clean-up tasks once.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME [options]

1. Deletes export and import files (MEDIA_DIR/exports, MEDIA_DIR/imports, including
   imports/errors) not modified for DAYS days. Product images are never touched.
2. With --backup-dir, deletes backup dumps (*.dump) there older than BACKUP_DAYS days
   (backup-db.sh --keep rotates by count; this bounds them by age as well).
3. Runs the shop's periodic clean-ups once, in this process, as Celery beat would send
   them: expired stock reservations, unpaid orders past ORDER_UNPAID_CANCEL_MINUTES
   (cancelled, stock given back), abandoned carts past CART_ABANDONED_DAYS, expired
   idempotency records. There is no management command for them, so they are called
   through "manage.py shell -c". Needs the shop's environment (DATABASE_URL ...).

Options:
  --media-dir DIR     media root (default: \$MEDIA_ROOT, else \$NEXUS_DATA_DIR/media,
                      else ./var/media)
  --days N            age in days of export/import files to delete (default 30)
  --backup-dir DIR    also delete old dumps in DIR
  --backup-days N     age in days of dumps to delete (default 30)
  --no-tasks          skip step 3
  --python PATH       Python with the shop installed (default: .venv/bin/python when
                      present, else python3)
  --dry-run           list what would be deleted and the tasks that would run; change
                      nothing
  -h, --help          this help

Export jobs whose file was deleted still list in the staff API; their file is gone
(run the job again for a new one).
USAGE
}

help_requested "$@"

media_dir=${MEDIA_ROOT:-${NEXUS_DATA_DIR:+$NEXUS_DATA_DIR/media}}
media_dir=${media_dir:-./var/media}
days=30
backup_dir=""
backup_days=30
tasks=1
python=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --media-dir) need_value "$@"; media_dir=$2; shift 2 ;;
    --days) need_value "$@"; need_uint "$1" "$2"; days=$2; shift 2 ;;
    --backup-dir) need_value "$@"; backup_dir=$2; shift 2 ;;
    --backup-days) need_value "$@"; need_uint "$1" "$2"; backup_days=$2; shift 2 ;;
    --no-tasks) tasks=0; shift ;;
    --python) need_value "$@"; python=$2; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
if [[ -z "$python" ]]; then
  if [[ -x "$NEXUS_ROOT/.venv/bin/python" ]]; then
    python="$NEXUS_ROOT/.venv/bin/python"
  else
    python=python3
  fi
fi

# delete_older DIR DAYS PATTERN: files under DIR matching PATTERN, modified more than
# DAYS days ago, deleted (listed only in a dry run); the count on stdout.
delete_older() {
  local dir=$1 age=$2 pattern=$3 file count=0
  [[ -d "$dir" ]] || { echo 0; return 0; }
  while IFS= read -r -d '' file; do
    if [[ "$DRY_RUN" == 1 ]]; then
      log "would delete $file"
    else
      rm -f -- "$file"
      log "deleted $file"
    fi
    count=$((count + 1))
  done < <(find "$dir" -type f -name "$pattern" -mmin "+$((age * 1440))" -print0)
  echo "$count"
}

total=0
for sub in exports imports; do
  n=$(delete_older "$media_dir/$sub" "$days" '*')
  total=$((total + n))
done
log "export/import files older than $days days under $media_dir: $total"

if [[ -n "$backup_dir" ]]; then
  n=$(delete_older "$backup_dir" "$backup_days" '*.dump')
  log "backups older than $backup_days days in $backup_dir: $n"
fi

if [[ "$tasks" == 1 ]]; then
  # The tasks' own functions, called directly (a Celery task object called like a
  # function runs in this process): the same cut-offs as the beat schedule uses.
  code='
from nexus.checkout.tasks import purge_abandoned_carts
from nexus.core.tasks import delete_expired_idempotency_records
from nexus.inventory.tasks import sweep_expired_reservations
from nexus.orders.tasks import cancel_unpaid_orders

for name, task in [
    ("expired reservations deleted", sweep_expired_reservations),
    ("unpaid orders cancelled", cancel_unpaid_orders),
    ("abandoned carts deleted", purge_abandoned_carts),
    ("expired idempotency records deleted", delete_expired_idempotency_records),
]:
    print(f"{name}: {task()}")
'
  if [[ "$DRY_RUN" == 1 ]]; then
    log "would run the clean-up tasks: sweep_expired_reservations, cancel_unpaid_orders, purge_abandoned_carts, delete_expired_idempotency_records"
  else
    log "running the shop's clean-up tasks"
    (cd "$NEXUS_ROOT" && "$python" manage.py shell --no-imports -c "$code") || die "the clean-up tasks failed"
  fi
fi
log "clean-up done"
