"""Kernel tables shared by every domain."""

from typing import ClassVar

from django.db import models


class IdempotencyRecord(models.Model):
    """A write request made with an ``Idempotency-Key``, and the answer it got.

    The row is inserted before the work starts (so a concurrent duplicate finds it
    in flight) and completed with the response; replays return that response.
    """

    class State(models.TextChoices):
        IN_FLIGHT = "in_flight", "In flight"
        DONE = "done", "Done"

    # Who sent it ("user:<id>" or "anonymous") and their key: keys are the client's.
    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=255)
    # SHA-256 of method, path and body: the same key with another request is refused.
    fingerprint = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.IN_FLIGHT)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.BinaryField(null=True, blank=True)
    response_content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["scope", "key"], name="idempotency_scope_key"),
        ]

    def __str__(self) -> str:
        return f"{self.scope}/{self.key}"


class OutboxEvent(models.Model):
    """A domain event, written in the same transaction as the change it reports.

    The relay publishes unsent rows to the broker and marks them sent; a row is never
    lost between the commit and the publish, and may be published twice after a crash,
    so consumers are idempotent (they key on the row's id).
    """

    topic = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # The request that wrote it, for the logs of the work it starts. The default is the
    # database's too: the release before this column inserts rows without it.
    request_id = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        indexes: ClassVar = [
            models.Index(
                fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_unsent"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pk} {self.topic}"


class ProcessedEvent(models.Model):
    """Which consumer has handled which outbox event: the second delivery is skipped."""

    event_id = models.BigIntegerField()
    consumer = models.CharField(max_length=100)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["event_id", "consumer"], name="processed_once"),
        ]

    def __str__(self) -> str:
        return f"{self.consumer}:{self.event_id}"
