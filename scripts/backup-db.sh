#!/usr/bin/env bash
# Dump the shop's PostgreSQL database to a dated custom-format file and rotate old ones.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME [--database-url URL] [--dir DIR] [--keep N] [--prefix NAME]

Writes pg_dump's custom format (compressed, restorable with restore-db.sh or
pg_restore, table by table if need be) to DIR/NAME-YYYYMMDDTHHMMSSZ.dump, checks the
file reads back (pg_restore --list), then deletes all but the newest N dumps of that
NAME in DIR. Prints the new file's path on stdout.

Options:
  --database-url URL  database to dump (default: \$DATABASE_URL), postgres://user:pass@host:port/db
  --dir DIR           where dumps go (default: \$BACKUP_DIR or ./backups)
  --keep N            dumps of this NAME to keep, newest first (default 7; at least 1)
  --prefix NAME       file name prefix (default: the database's name)
  -h, --help          this help

The password may come in the URL, PGPASSWORD or ~/.pgpass. The dump is written to a
temporary name and renamed when complete, so a failed run never leaves a file that
looks like a backup and never rotates a good one away.
USAGE
}

help_requested "$@"

database_url=${DATABASE_URL:-}
dir=${BACKUP_DIR:-./backups}
keep=7
prefix=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --database-url) need_value "$@"; database_url=$2; shift 2 ;;
    --dir) need_value "$@"; dir=$2; shift 2 ;;
    --keep) need_value "$@"; need_uint "$1" "$2"; keep=$2; shift 2 ;;
    --prefix) need_value "$@"; prefix=$2; shift 2 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
[[ -n "$database_url" ]] || usage_error "give --database-url or set DATABASE_URL"
((keep >= 1)) || usage_error "--keep must be at least 1"
need_cmd pg_dump pg_restore python3

url=$(pg_url "$database_url") || usage_error "--database-url is not a PostgreSQL URL"
dbname=$(pg_url_dbname "$database_url")
[[ -n "$dbname" ]] || usage_error "the URL names no database"
prefix=${prefix:-$dbname}
[[ "$prefix" =~ ^[A-Za-z0-9_.-]+$ ]] || usage_error "--prefix may hold letters, digits, _ . - only"

mkdir -p "$dir"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
file="$dir/$prefix-$stamp.dump"
[[ ! -e "$file" ]] || die "$file exists already (two backups in one second?)"
partial="$file.partial"
trap 'rm -f "$partial"' EXIT

log "dumping database $dbname to $file"
pg_dump --format=custom --compress=6 --no-password --dbname="$url" --file="$partial" \
  || die "pg_dump failed; no backup written"
pg_restore --list "$partial" >/dev/null || die "the dump does not read back; not kept"
mv "$partial" "$file"
log "wrote $file ($(du -h "$file" | cut -f1))"

# Rotation: the names sort by time; keep the newest $keep of this prefix.
mapfile -t dumps < <(find "$dir" -maxdepth 1 -type f -name "$prefix-*.dump" -print | sort)
excess=$((${#dumps[@]} - keep))
for ((i = 0; i < excess; i++)); do
  log "rotating out ${dumps[i]}"
  rm -f -- "${dumps[i]}"
done
printf '%s\n' "$file"
