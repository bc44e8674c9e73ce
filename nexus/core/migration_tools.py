"""Migration helpers."""

from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import ProjectState


class PostgreSQLOnly(migrations.operations.base.Operation):
    """Apply the wrapped operation on PostgreSQL only; keep it in the model state always.

    Full-text and trigram GIN indexes exist only on PostgreSQL. The embedded SQLite
    mode runs the same migrations and simply goes without them, while the migration
    state stays identical, so ``makemigrations --check`` holds on both.
    """

    reduces_to_sql = True
    reversible = True

    def __init__(self, operation: Any) -> None:
        self.operation = operation

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.operation], {})

    def state_forwards(self, app_label: str, state: ProjectState) -> None:
        self.operation.state_forwards(app_label, state)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: ProjectState,
        to_state: ProjectState,
    ) -> None:
        if schema_editor.connection.vendor == "postgresql":
            self.operation.database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self) -> str:
        return f"On PostgreSQL only: {self.operation.describe()}"


def grant_app_permissions(apps: Any, *, group_name: str, app_label: str) -> None:
    """Give a group every permission of one app, from inside a data migration.

    Django makes permissions after all migrations have run; they are made here
    first so that the group can hold them on a fresh database.
    """
    from django.contrib.auth.management import create_permissions  # noqa: PLC0415

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    group, _ = apps.get_model("auth", "Group").objects.get_or_create(name=group_name)
    permissions = apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label=app_label
    )
    group.permissions.add(*permissions)
