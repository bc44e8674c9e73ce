"""Export jobs: a large or scheduled export written to storage by a worker.

The file holds personal data (emails, addresses, spending), so it is kept under a
private name in ``default_storage`` and handed out only through the staff API,
never through a public media URL.
"""

from typing import ClassVar

from django.conf import settings
from django.db import models


class ExportKind(models.TextChoices):
    ORDERS = "orders", "Orders"
    PRODUCTS = "products", "Products"
    CUSTOMERS = "customers", "Customers"


class ExportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    NDJSON = "ndjson", "NDJSON"


class ExportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=ExportKind.choices)
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    # The query parameters of the staff list endpoint, as validated when the job started.
    filters = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    # Records written so far: orders, products or customers (not CSV lines).
    rows_written = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(null=True, blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done, 0-100.")
    file_name = models.CharField(max_length=255, blank=True, help_text="Name in default_storage.")
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Touched after every chunk: a running job that stops touching it lost its worker.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["kind", "-created_at"], name="export_job_by_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} export {self.pk} ({self.status})"
