#!/usr/bin/env bash
# Restore a custom-format dump (backup-db.sh) into a named database.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME --database NAME [--database-url URL] --yes DUMP_FILE

Restores DUMP_FILE (pg_dump custom format, as backup-db.sh writes) into database NAME
on the server of URL. A missing database is created; an existing one has the dumped
objects dropped and recreated (pg_restore --clean --if-exists). All in one
transaction: on any error nothing is changed. Ownership and grants are not restored
(--no-owner --no-acl): objects belong to the connecting user.

Refuses to do anything without --yes: restoring overwrites data.

Options:
  --database NAME     database to restore into (required)
  --database-url URL  server and credentials (default: \$DATABASE_URL); its database
                      name is replaced by NAME
  --yes               really restore
  -h, --help          this help

Restore into a new name and check it before pointing the shop at it, e.g.:
  $NEXUS_SCRIPT_NAME --database nexus_restored --yes backups/nexus-20260101T030000Z.dump
USAGE
}

help_requested "$@"

database_url=${DATABASE_URL:-}
target=""
confirmed=0
file=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --database) need_value "$@"; target=$2; shift 2 ;;
    --database-url) need_value "$@"; database_url=$2; shift 2 ;;
    --yes) confirmed=1; shift ;;
    -*) usage_error "unknown option: $1" ;;
    *)
      [[ -z "$file" ]] || usage_error "one DUMP_FILE only"
      file=$1
      shift
      ;;
  esac
done
[[ -n "$file" ]] || usage_error "give the DUMP_FILE"
[[ -n "$target" ]] || usage_error "give the --database to restore into"
[[ -n "$database_url" ]] || usage_error "give --database-url or set DATABASE_URL"
[[ -f "$file" ]] || usage_error "no such file: $file"
need_cmd pg_restore psql python3
if [[ "$confirmed" != 1 ]]; then
  die "refusing to restore into database '$target' without --yes (it overwrites data)" 3
fi

target_url=$(pg_url "$database_url" "$target") || usage_error "--database-url is not a PostgreSQL URL"
admin_url=$(pg_url "$database_url" postgres)

pg_restore --list "$file" >/dev/null || die "$file is not a readable pg_dump custom-format file"

exists=$(psql --no-password --dbname="$admin_url" --tuples-only --no-align \
  --set=ON_ERROR_STOP=1 --set=name="$target" \
  <<<"SELECT 1 FROM pg_database WHERE datname = :'name';") || die "cannot reach the server"
if [[ "$exists" != 1 ]]; then
  log "creating database $target"
  psql --no-password --dbname="$admin_url" --quiet --set=ON_ERROR_STOP=1 --set=name="$target" \
    <<<'CREATE DATABASE :"name";' || die "could not create database $target"
fi

log "restoring $file into $target"
pg_restore --no-password --dbname="$target_url" --clean --if-exists --no-owner --no-acl \
  --single-transaction --exit-on-error "$file" || die "pg_restore failed; $target is unchanged"
log "restored $file into $target"
