"""scripts/check-migrations-compat.sh tells an expand from a breaking change.

A scratch worktree of HEAD gets one more migration, and is checked against HEAD: the
code of HEAD is then the old release, and the migration one it does not know. A NOT
NULL column with only Django's one-off default (which HEAD's code never fills) must
fail the check; nullable columns, a column with a database default and a new table
referring to an old one must pass it. Each runs a few old tests that write the
altered table, to stay quick; the whole check runs in CI.
"""

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = "postgres://postgres@127.0.0.1:5432"
CHECK = "scripts/check-migrations-compat.sh"
OUTBOX_TESTS = "tests/integration/test_outbox.py::"
WRITES_AN_EVENT = OUTBOX_TESTS + "test_an_event_is_written_with_its_change_or_not_at_all"
# Transactional: the tables are emptied after it, the new one included.
NOTIFIES_THE_RELAY = OUTBOX_TESTS + "test_the_relay_is_notified_at_commit_and_not_on_rollback"
# The check's own files, as they are in this working tree (not as committed).
CHECK_FILES = (
    CHECK,
    "scripts/lib.sh",
    "tests/migrations_compat_plugin.py",
)
MIGRATION = """\
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("core", "{latest}"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [{operations}
    ]
"""
BREAKING = """
        migrations.AddField(
            "outboxevent", "tenant", models.CharField(max_length=20, default="main"),
            preserve_default=False,
        ),"""
EXPANDING = """
        migrations.AddField("outboxevent", "tenant", models.CharField(max_length=20, null=True)),
        migrations.AddField(
            "outboxevent", "priority", models.IntegerField(default=0, db_default=0),
        ),
        migrations.CreateModel(
            "OutboxNote",
            [
                ("id", models.BigAutoField(primary_key=True)),
                ("event", models.ForeignKey("core.outboxevent", models.CASCADE)),
                ("author", models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE)),
            ],
        ),"""

pytestmark = pytest.mark.e2e


def _git(*args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True, timeout=60
    ).stdout


@pytest.fixture
def scratch_tree(tmp_path: Path) -> Iterator[Path]:
    """HEAD in a detached worktree, sharing this tree's .venv (only dependencies)."""
    tree = tmp_path / "scratch"
    _git("worktree", "add", "--quiet", "--detach", str(tree), "HEAD")
    try:
        (tree / ".venv").symlink_to(ROOT / ".venv")
        for name in CHECK_FILES:
            shutil.copy2(ROOT / name, tree / name)
        yield tree
    finally:
        _git("worktree", "remove", "--force", str(tree))


def _database_exists(name: str) -> bool:
    found = subprocess.run(
        ["psql", f"{POSTGRES}/postgres", "-X", "-A", "-t", f"--set=name={name}"],
        input="SELECT count(*) FROM pg_database WHERE datname = :'name'",
        capture_output=True, text=True, check=True, timeout=30,
    ).stdout.strip()  # fmt: skip
    return found == "1"


def _check(tree: Path, operations: str, *old_tests: str) -> subprocess.CompletedProcess[str]:
    migrations = tree / "nexus" / "core" / "migrations"
    latest = max(p.stem for p in migrations.glob("0*.py"))
    (migrations / "0999_scratch.py").write_text(
        MIGRATION.format(latest=latest, operations=operations)
    )
    env = {k: v for k, v in os.environ.items() if k not in {"CACHE_KEY_PREFIX", "PYTEST_ADDOPTS"}}
    env["DATABASE_URL"] = f"{POSTGRES}/nexus"
    result = subprocess.run(
        [str(tree / CHECK), "--base", "HEAD", "--", *old_tests],
        cwd=tree, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "A  nexus/core/migrations/0999_scratch.py" in result.stderr
    assert "core.0999_scratch" in result.stderr  # a row HEAD's code does not know
    assert "its migrate plans nothing" in result.stderr
    assert "migration table unchanged" in result.stderr
    # Nothing left behind: the database is dropped, the worktree removed.
    database = re.search(r"migrated (\S+) with this tree's migrations", result.stderr)
    worktree = re.search(r"with its dependencies in (\S+) ", result.stderr)
    assert database
    assert worktree
    assert not _database_exists(database[1])
    assert not Path(worktree[1]).exists()
    assert worktree[1] not in _git("worktree", "list")
    return result


def test_a_not_null_column_without_a_database_default_fails_the_check(scratch_tree: Path) -> None:
    result = _check(scratch_tree, BREAKING, WRITES_AN_EVENT)

    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    verdict = result.stdout.strip().splitlines()[-1]
    assert verdict.startswith("migrations-compat: FAIL (the tests of HEAD"), verdict
    assert 'null value in column "tenant"' in output
    assert "1 failed" in output


def test_expanding_migrations_pass_the_check(scratch_tree: Path) -> None:
    result = _check(scratch_tree, EXPANDING, WRITES_AN_EVENT, NOTIFIES_THE_RELAY)

    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    verdict = result.stdout.strip().splitlines()[-1]
    assert verdict.startswith("migrations-compat: PASS (the tests of HEAD"), verdict
    assert "2 passed" in output
