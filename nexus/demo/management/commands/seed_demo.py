from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from nexus.demo.services import DEMO_CUSTOMER, DEMO_STAFF, demo_data_load


class Command(BaseCommand):
    help = "Load the demo shop into an empty database and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("Demo data is never loaded in production (NEXUS_ENV=production).")
        loaded = demo_data_load()
        self.stdout.write("Demo data loaded." if loaded else "Database not empty: demo data kept.")
        for account in (DEMO_STAFF, DEMO_CUSTOMER):
            self.stdout.write(
                f"  demo {account.role:<8} email: {account.email}  password: {account.password}"
            )
