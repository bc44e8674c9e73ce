from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from nexus.core.migration_tools import grant_app_permissions


def grant(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # Refunds came after 0002.
    grant_app_permissions(apps, group_name="Staff", app_label="payments")


class Migration(migrations.Migration):
    dependencies = [("payments", "0003_refunds"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
