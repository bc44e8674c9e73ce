"""A pytest plugin for the previous release's test run in scripts/check-migrations-compat.sh.

Not a test module of this tree: the script copies it out and loads it into the old
release's pytest (``-p migrations_compat_plugin``), whose database has the schema of
newer migrations.

Between transactional tests Django empties the tables the old code knows, in one
TRUNCATE. A table added since then that references one of them (a new model with a
foreign key to an old one: an ordinary expand) makes PostgreSQL refuse it unless it
cascades. Cascading empties the new tables as well, as emptying the whole database
would: the old tests start each test from the same clean database as on their own
schema, and the check fails only where the old code itself does.
"""

from collections.abc import Sequence

import pytest
from django.core.management.color import Style


def pytest_configure(config: pytest.Config) -> None:
    from django.db.backends.postgresql.operations import DatabaseOperations  # noqa: PLC0415

    sql_flush = DatabaseOperations.sql_flush

    def sql_flush_cascading(
        self: DatabaseOperations,
        style: Style,
        tables: Sequence[str],
        *,
        reset_sequences: bool = False,
        allow_cascade: bool = False,  # always cascades
    ) -> list[str]:
        return sql_flush(self, style, tables, reset_sequences=reset_sequences, allow_cascade=True)

    DatabaseOperations.sql_flush = sql_flush_cascading  # type: ignore[method-assign,assignment]


def pytest_report_header(config: pytest.Config) -> str:
    return "database: migrated by newer code (migrations compatibility check)"
