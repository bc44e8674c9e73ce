"""Bulk imports started over the API, run as background jobs."""

from typing import ClassVar

from django.conf import settings
from django.db import models


class ImportJob(models.Model):
    """An uploaded file and what importing it did, row counts and bad rows."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"  # every row was handled; ``failed`` says how many were bad
        FAILED = "failed"  # the file could not be read at all; ``detail`` says why

    class FileFormat(models.TextChoices):
        CSV = "csv"
        NDJSON = "ndjson"

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=10, choices=FileFormat.choices)
    atomic = models.BooleanField(default=False)
    warehouse = models.CharField(max_length=200, blank=True, help_text="For a 'stock' column.")
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    rolled_back = models.BooleanField(default=False)
    rows_handled = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent of the file read.")
    error_report = models.FileField(upload_to="imports/errors/%Y/%m/", max_length=300, blank=True)
    detail = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"import {self.pk} ({self.status})"
