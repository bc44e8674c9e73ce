from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from nexus.core.migration_tools import grant_app_permissions


def grant(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    # The models added since 0002 (reservations, movements, thresholds).
    grant_app_permissions(apps, group_name="Staff", app_label="inventory")


class Migration(migrations.Migration):
    dependencies = [("inventory", "0004_stock_audit_and_thresholds"), ("accounts", "0002_roles")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
