"""Idempotent writes: a request sent again with the same ``Idempotency-Key`` gets
the first answer instead of doing the work twice.

The key is claimed by inserting its row in a transaction of its own before the work
starts; the unique (scope, key) constraint makes one of two concurrent requests
the owner and the other one learn that the first is still in flight. A request that
fails with an exception gives its key back, so a retry runs again.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from nexus.core.errors import IdempotencyKeyReused, IdempotencyRequestInFlight
from nexus.core.models import IdempotencyRecord

# A claim this old belongs to a process that died mid-request: the next one may take it.
STALE_CLAIM = timedelta(minutes=5)
# How long a finished request's answer is replayed (as payment providers do: a day).
RETENTION = timedelta(hours=24)


@dataclass(frozen=True)
class StoredResponse:
    status: int
    body: bytes
    content_type: str


def idempotency_claim(*, scope: str, key: str, fingerprint: str) -> StoredResponse | None:
    """Claim the key for this request (None: go ahead and do the work) or return
    the stored answer of the same request made before.

    Raises IdempotencyKeyReused for another request under the same key and
    IdempotencyRequestInFlight while the first one still runs.
    """
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.create(scope=scope, key=key, fingerprint=fingerprint)
    except IntegrityError:
        pass
    else:
        return None
    record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
    if record is None:  # given back between our insert and this read: try once more
        return idempotency_claim(scope=scope, key=key, fingerprint=fingerprint)
    if (
        record.state == IdempotencyRecord.State.DONE
        and record.created_at < timezone.now() - RETENTION
    ):
        IdempotencyRecord.objects.filter(pk=record.pk, state=record.State.DONE).delete()
        return idempotency_claim(scope=scope, key=key, fingerprint=fingerprint)
    if record.fingerprint != fingerprint:
        raise IdempotencyKeyReused()
    if record.state == IdempotencyRecord.State.IN_FLIGHT:
        stale = record.created_at < timezone.now() - STALE_CLAIM
        taken_over = stale and IdempotencyRecord.objects.filter(
            pk=record.pk, state=record.State.IN_FLIGHT, created_at=record.created_at
        ).update(created_at=timezone.now())
        if taken_over:
            return None
        raise IdempotencyRequestInFlight()
    return StoredResponse(
        status=record.response_status or 200,
        body=bytes(record.response_body or b""),
        content_type=record.response_content_type,
    )


def idempotency_complete(*, scope: str, key: str, response: StoredResponse) -> None:
    IdempotencyRecord.objects.filter(
        scope=scope, key=key, state=IdempotencyRecord.State.IN_FLIGHT
    ).update(
        state=IdempotencyRecord.State.DONE,
        response_status=response.status,
        response_body=response.body,
        response_content_type=response.content_type,
    )


def idempotency_release(*, scope: str, key: str) -> None:
    """Give the key back after a failure, so that a retry does the work."""
    IdempotencyRecord.objects.filter(
        scope=scope, key=key, state=IdempotencyRecord.State.IN_FLIGHT
    ).delete()


def idempotency_records_delete_expired() -> int:
    """Forget answers older than RETENTION and claims abandoned long ago."""
    deleted, _ = IdempotencyRecord.objects.filter(
        created_at__lt=timezone.now() - RETENTION
    ).delete()
    return deleted
