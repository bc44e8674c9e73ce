#!/usr/bin/env bash
# Expand/contract check: the previous release's tests, run on the schema this tree's
# migrations build.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
  cat <<USAGE
Usage: $NEXUS_SCRIPT_NAME [--base REF] [--database-url URL] [--always] [--keep] [-- PYTEST_ARGS...]

During a release the old colour keeps serving on the schema the new release's
migrations built (docs/operations.md, "Migrations: expand, then contract"). This
checks it before the release: the tests of REF, the release before, run against a
database migrated by this tree.
  1. REF is checked out into a temporary git worktree, with its own locked
     dependencies (uv sync --locked, from the uv cache).
  2. A fresh database is migrated with this tree's migrations (working tree, so
     migrations not yet committed count too).
  3. REF's code is asked what it makes of that database: every migration it knows
     must be recorded as applied, the newer rows are ones it does not know and
     ignores, and its migrate must plan nothing; otherwise the check fails.
  4. REF's pytest runs on that database with --reuse-db: its test setup keeps it and
     its migrate applies nothing (the migration table is compared before and after).
     One plugin of this tree is loaded (tests/migrations_compat_plugin.py): emptying
     the tables between transactional tests cascades to tables newer than REF.
  5. The worktree and the database are removed, whatever happened (unless --keep).
The verdict is the last line on stdout; the exit status is 0 when REF's tests pass
(or nothing was to be checked), 1 when they fail or the check could not run.

Which tests: the unit and integration suites (-m "not e2e" --ignore=tests/graphql),
in-process: they run REF's web requests, tasks (eagerly) and relay through the same
ORM queries as in production. Left out, to keep CI short (with them the check takes
about twice as long):
  - the GraphQL tests: another entry point over the same services and selectors, with
    no SQL of its own; the ORM reads and writes the same whole rows whichever API
    calls it, so they add time (some 550 tests), not queries;
  - the e2e tests: they start web, worker and relay as processes (the same code paths
    again, with minutes of process and broker choreography), test deployment files
    and scripts, and run the embedded mode on SQLite, whose database REF's own
    migrations build.
Arguments after -- replace the selection: "-- -m 'not e2e'" adds the GraphQL tests
(before tagging a release, say), "-- tests/integration/test_outbox.py" runs one file.

REF defaults to the previous release: the newest tag matching v* reachable from HEAD.
Before the first release there is no tag, and the default is the parent of the newest
commit that changed a */migrations/* file, so the check still tests the newest
migrations against the code just before them; with migrations changed in the working
tree (and no tag), HEAD.

When no file under */migrations/* (nor migration_tools.py) differs between REF and
the working tree, REF's code would run on exactly its own schema: the check says so
and passes without running anything, unless --always.

Options:
  --base REF          the release to test against: a tag, branch or commit (default above)
  --database-url URL  the PostgreSQL server to use (default: \$DATABASE_URL, or
                      postgres://postgres@127.0.0.1:5432/nexus); its database name is
                      replaced by a fresh one, test_nexus_compat_<pid>, so a test run
                      on the same server is not disturbed
  --always            run even when no migration changed since REF
  --keep              keep the worktree and the database afterwards, for a look
  -h, --help          this help

Needs git, psql and uv (or python3 -m uv), this tree's .venv (make install), and the
PostgreSQL, Redis and RabbitMQ that REF's tests use (REDIS_URL, CELERY_BROKER_URL
are passed through). CI needs the whole history and the tags (a full clone).
USAGE
}

help_requested "$@"

database_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/nexus}
base=""
always=0
keep=0
pytest_args=(-m "not e2e" --ignore=tests/graphql)
while [[ $# -gt 0 ]]; do
  case $1 in
    --base) need_value "$@"; base=$2; shift 2 ;;
    --database-url) need_value "$@"; database_url=$2; shift 2 ;;
    --always) always=1; shift ;;
    --keep) keep=1; shift ;;
    --) shift; [[ $# -eq 0 ]] || pytest_args=("$@"); break ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
need_cmd git psql python3
maintenance_url=$(pg_url "$database_url" postgres) || usage_error "--database-url is not a PostgreSQL URL"
if command -v uv >/dev/null 2>&1; then
  UV=(uv)
else
  UV=(python3 -m uv)
fi
current_python="$NEXUS_ROOT/.venv/bin/python"
[[ -x "$current_python" ]] || die "no $current_python: run make install first"

# Migrations and what they import: a difference here is a difference in schema.
MIGRATION_PATHS=('*/migrations/*' '*/migration_tools.py')
# REF's settings for its tests (its pytest configuration names the same).
TEST_SETTINGS=nexus.config.settings.test

git_() { git -C "$NEXUS_ROOT" "$@"; }
# psql_ URL ARG...: quiet, stops at the first error, no notices ("does not exist, skipping").
psql_() {
  PGOPTIONS="-c client_min_messages=warning" psql "$1" -X -q -v ON_ERROR_STOP=1 "${@:2}"
}

# --- Which release -----------------------------------------------------------------

if [[ -z "$base" ]]; then
  if [[ "$(git_ rev-parse --is-shallow-repository)" == true ]]; then
    warn "this is a shallow clone: tags and older commits may be missing (fetch the whole history)"
  fi
  if base=$(git_ describe --tags --abbrev=0 --match 'v*' HEAD 2>/dev/null); then
    why="the newest v* tag reachable from HEAD"
  elif [[ -n "$(git_ status --porcelain --untracked-files=all -- "${MIGRATION_PATHS[@]}")" ]]; then
    base=HEAD
    why="no v* tag; migrations changed in the working tree"
  else
    newest=$(git_ log -1 --format=%H -- "${MIGRATION_PATHS[@]}")
    [[ -n "$newest" ]] || die "no v* tag and no commit changed a migration: give --base"
    base="$(git_ rev-parse --short "$newest")^"
    why="no v* tag; the parent of the newest commit that changed a migration"
  fi
else
  why="given"
fi
base_sha=$(git_ rev-parse --verify --quiet "$base^{commit}") \
  || usage_error "--base $base is not a commit here (a shallow clone? fetch the history and tags)"
base_label="$base ($(git_ rev-parse --short "$base_sha"))"
log "previous release: $base_label, $why"

# Added (A), changed (M) or removed (D) since REF; untracked files are new ones.
mapfile -t changes < <(
  git_ diff --name-status --no-renames "$base_sha" -- "${MIGRATION_PATHS[@]}"
  git_ ls-files --others --exclude-standard -- "${MIGRATION_PATHS[@]}" | sed 's/^/A\t/'
)
if [[ ${#changes[@]} -eq 0 ]]; then
  if [[ "$always" != 1 ]]; then
    log "no migration differs from $base_label: its code would run on its own schema"
    printf 'migrations-compat: PASS (nothing to check: no migration changed since %s; --always runs it anyway)\n' "$base_label"
    exit 0
  fi
  log "no migration differs from $base_label; running anyway (--always)"
else
  log "migrations since $base_label:"
  for change in "${changes[@]}"; do
    log "  ${change//$'\t'/  }"
    if [[ "$change" == [MD]$'\t'*/migrations/* ]]; then
      warn "${change#?$'\t'} was released in $base_label and is changed or gone here:" \
        "databases that applied it keep what it did then"
    fi
  done
fi

# --- Worktree, database, cleanup ------------------------------------------------------

tmp=$(mktemp -d "${TMPDIR:-/tmp}/migrations-compat.XXXXXX")
worktree="$tmp/ref"
test_db=""
db_created=0
# shellcheck disable=SC2329  # run by the EXIT trap
cleanup() {
  local status=$?
  if [[ "$keep" == 1 ]]; then
    log "kept: worktree $worktree, database ${test_db:-none} (remove with" \
      "git worktree remove --force $worktree; dropdb $test_db)"
    return "$status"
  fi
  if [[ "$db_created" == 1 ]]; then
    psql_ "$maintenance_url" -c "DROP DATABASE IF EXISTS \"$test_db\" WITH (FORCE)" \
      || warn "could not drop database $test_db"
  fi
  if [[ -e "$worktree" ]]; then
    git_ worktree remove --force "$worktree" || warn "could not remove worktree $worktree"
  fi
  rm -rf "$tmp"
  git_ worktree prune || true
  return "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$(now_ms)
step=$started
lap() {  # lap WHAT: log how long the step took
  local now
  now=$(now_ms)
  log "$1 ($(((now - step) / 1000)) s)"
  step=$now
}

git_ worktree add --quiet --detach "$worktree" "$base_sha" || die "cannot check out $base_label"
(cd "$worktree" && env -u VIRTUAL_ENV -u UV_PROJECT_ENVIRONMENT "${UV[@]}" sync --locked --quiet) \
  || die "cannot install $base_label's locked dependencies"
ref_python="$worktree/.venv/bin/python"
lap "checked out $base_label with its dependencies in $worktree"

# Only the name is pytest-django's to choose: ask REF's code what it will use for
# this (never created) database name.
compat_url=$(pg_url "$database_url" "nexus_compat_$$")
test_db=$(cd "$worktree" && DATABASE_URL=$compat_url DJANGO_SETTINGS_MODULE=$TEST_SETTINGS \
  "$ref_python" -c 'import django; django.setup(); from django.db import connection; print(connection.creation._get_test_db_name())') \
  || die "cannot ask $base_label's code for its test database name"
[[ "$test_db" =~ ^[A-Za-z0-9_]+$ ]] || die "unexpected test database name '$test_db'"
test_url=$(pg_url "$database_url" "$test_db")

psql_ "$maintenance_url" -c "DROP DATABASE IF EXISTS \"$test_db\" WITH (FORCE)" \
  -c "CREATE DATABASE \"$test_db\"" || die "cannot create database $test_db"
db_created=1
(cd "$NEXUS_ROOT" && DATABASE_URL=$test_url DJANGO_SETTINGS_MODULE=$TEST_SETTINGS \
  "$current_python" manage.py migrate --noinput --verbosity 0) \
  || die "this tree's migrations fail on a fresh database"
lap "migrated $test_db with this tree's migrations"

# --- What REF's code sees ---------------------------------------------------------------

# The migration table's fingerprint: a database re-created or re-migrated by REF's
# test setup would change it, and the check would have tested nothing.
migration_rows() {
  psql_ "$test_url" -A -t \
    -c "SELECT count(*) || ' rows, last ' || max(id) || ' at ' || max(applied) FROM django_migrations"
}
rows_before=$(migration_rows)

(cd "$worktree" && DATABASE_URL=$test_url DJANGO_SETTINGS_MODULE=$TEST_SETTINGS "$ref_python" - <<'PY'
import sys

import django

django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

executor = MigrationExecutor(connection)
loader = executor.loader
loader.check_consistent_history(connection)
graph = set(loader.graph.nodes)
applied = set(loader.applied_migrations)
unknown = sorted(applied - graph)
missing = sorted(graph - applied)
plan = executor.migration_plan(loader.graph.leaf_nodes())
print(f"its {len(graph)} migrations: {len(graph) - len(missing)} recorded as applied", file=sys.stderr)
print(f"{len(unknown)} newer ones it does not know:", file=sys.stderr)
for app, name in unknown:
    print(f"  {app}.{name}", file=sys.stderr)
if missing or plan:
    print("its migrate would apply:", file=sys.stderr)
    for migration, _ in plan:
        print(f"  {migration.app_label}.{migration.name}", file=sys.stderr)
    sys.exit(3)
print("its migrate plans nothing", file=sys.stderr)
PY
) || {
  status=$?
  if [[ "$status" == 3 ]]; then
    printf 'migrations-compat: FAIL (%s has migrations this tree does not: a released migration was removed or renamed)\n' "$base_label"
  else
    printf 'migrations-compat: FAIL (%s'"'"'s code cannot read the migration history of %s)\n' "$base_label" "$test_db"
  fi
  exit 1
}

# --- REF's tests ------------------------------------------------------------------------

# The plugin lets REF's flush between transactional tests cascade to tables newer
# than REF (see the module); it comes from this tree, outside REF's import path.
mkdir "$tmp/plugin"
cp "$NEXUS_ROOT/tests/migrations_compat_plugin.py" "$tmp/plugin/"
log "running $base_label's tests on $test_db: pytest $(shell_quote "${pytest_args[@]}")"
set +e
(cd "$worktree" && env -u DJANGO_SETTINGS_MODULE DATABASE_URL="$compat_url" \
  PYTHONPATH="$tmp/plugin${PYTHONPATH:+:$PYTHONPATH}" \
  "$ref_python" -m pytest -p no:cacheprovider -p migrations_compat_plugin \
  --ds "$TEST_SETTINGS" --reuse-db -q "${pytest_args[@]}")
tests_status=$?
set -e
lap "$base_label's tests finished with status $tests_status"

rows_after=$(migration_rows)
if [[ "$rows_after" != "$rows_before" ]]; then
  printf 'migrations-compat: FAIL (the check proved nothing: %s'"'"'s test setup re-created or re-migrated %s: migration table %s before, %s after)\n' \
    "$base_label" "$test_db" "$rows_before" "$rows_after"
  exit 1
fi
log "migration table unchanged: $rows_after"
log "total $((($(now_ms) - started) / 1000)) s"
if [[ "$tests_status" == 0 ]]; then
  printf 'migrations-compat: PASS (the tests of %s pass on the schema of this tree'"'"'s migrations)\n' "$base_label"
  exit 0
fi
printf 'migrations-compat: FAIL (the tests of %s fail on the schema of this tree'"'"'s migrations: the old colour would break during a release; see docs/operations.md, "Migrations: expand, then contract")\n' "$base_label"
exit 1
