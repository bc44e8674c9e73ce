"""Webhook endpoints, and the deliveries made to them.

An event becomes one delivery row per subscribed endpoint, written in the transaction
that marks the event handled (so it is fanned out once). Senders take due rows under
``FOR UPDATE SKIP LOCKED`` and hold them with a lease while the requests are out, so
two senders never post the same delivery at once; a failed attempt is retried with
exponential backoff and jitter until ``OUTGOING_WEBHOOK_MAX_ATTEMPTS``. Receivers see each
message at least once and recognise a repeat by its ``webhook-id``.
"""

import base64
import json
import random
import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

import structlog
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from nexus.core.errors import ValidationFailed
from nexus.core.rows import lock_current
from nexus.webhooks.errors import (
    WebhookDeliveryInFlight,
    WebhookEndpointNotFound,
    WebhookUrlRefused,
)
from nexus.webhooks.models import EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint
from nexus.webhooks.sending import AddressRefused, Outcome, Outgoing, check_url, send_all

logger = structlog.get_logger(__name__)
_MAX_BACKOFF = timedelta(hours=6)


def _new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _validated(changes: Mapping[str, Any]) -> dict[str, Any]:
    changes = dict(changes)
    if "url" in changes:
        try:
            check_url(changes["url"], allow_private=settings.OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS)
        except AddressRefused as exc:
            raise WebhookUrlRefused(str(exc), field_errors={"url": [str(exc)]}) from exc
    if "event_types" in changes:
        unknown = sorted(set(changes["event_types"]) - set(EVENT_TYPES))
        if unknown or not changes["event_types"]:
            message = f"Unknown event types: {', '.join(unknown)}." if unknown else "Choose one."
            raise ValidationFailed(message, field_errors={"event_types": [message]})
        changes["event_types"] = sorted(set(changes["event_types"]))
    return changes


def endpoint_create(
    *, url: str, event_types: Sequence[str], description: str = "", is_active: bool = True
) -> WebhookEndpoint:
    fields = _validated({"url": url, "event_types": event_types})
    return WebhookEndpoint.objects.create(
        **fields, description=description, is_active=is_active, secret=_new_secret()
    )


def endpoint_update(*, endpoint: WebhookEndpoint, changes: Mapping[str, Any]) -> WebhookEndpoint:
    fields = _validated(changes)  # outside the transaction: it may wait on DNS
    with transaction.atomic():
        lock_current(endpoint, gone=WebhookEndpointNotFound())  # save() would bring it back
        for name, value in fields.items():
            setattr(endpoint, name, value)
        endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret from the next attempt on; the old one stops verifying at once."""
    lock_current(endpoint, gone=WebhookEndpointNotFound())
    endpoint.secret = _new_secret()
    endpoint.save(update_fields=["secret", "updated_at"])
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()  # its deliveries and their log go with it


def event_fan_out(*, event_id: int, event_type: str, payload: Mapping[str, Any]) -> int:
    """One pending delivery per active endpoint subscribed to the type; returns how many."""
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(is_active=True)
        if event_type in endpoint.event_types
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    body = json.dumps(
        {"type": event_type, "timestamp": now.isoformat(), "data": dict(payload)},
        separators=(",", ":"),
    )
    WebhookDelivery.objects.bulk_create(
        [
            WebhookDelivery(
                endpoint=endpoint,
                event_id=event_id,
                event_type=event_type,
                body=body,
                next_attempt_at=now,
            )
            for endpoint in endpoints
        ],
        ignore_conflicts=True,  # a second fan-out of one event adds nothing
    )
    return len(endpoints)


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send again now, with a fresh set of attempts (the log keeps the earlier ones);
    the sending starts after the commit (at once in the embedded mode)."""
    from nexus.webhooks.tasks import send_webhooks  # noqa: PLC0415 — tasks import this module

    now = timezone.now()
    with transaction.atomic():
        reset = WebhookDelivery.objects.filter(pk=delivery.pk).exclude(leased_until__gt=now)
        if not reset.update(status=WebhookDelivery.Status.PENDING, attempts=0, next_attempt_at=now):
            raise WebhookDeliveryInFlight()
        delivery.refresh_from_db()
        pk = delivery.pk
        transaction.on_commit(lambda: send_webhooks.delay(delivery_ids=[pk]), robust=True)
    return delivery


def _claim_due(
    *, event_id: int | None, delivery_ids: Iterable[int] | None, limit: int
) -> tuple[UUID, list[WebhookDelivery]]:
    now = timezone.now()
    lease = timedelta(seconds=settings.OUTGOING_WEBHOOK_TIMEOUT_SECONDS + 60)
    claim = uuid4()
    with transaction.atomic():
        due = (
            WebhookDelivery.objects.filter(
                Q(leased_until__isnull=True) | Q(leased_until__lt=now),
                status=WebhookDelivery.Status.PENDING,
                next_attempt_at__lte=now,
                endpoint__is_active=True,
            )
            .select_related("endpoint")
            .order_by("next_attempt_at", "pk")
        )
        if event_id is not None:
            due = due.filter(event_id=event_id)
        if delivery_ids is not None:
            due = due.filter(pk__in=list(delivery_ids))
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        claimed = list(due[:limit])
        # Held for the time the requests may take; a sender that dies lets it go then.
        WebhookDelivery.objects.filter(pk__in=[d.pk for d in claimed]).update(
            claim=claim, leased_until=now + lease
        )
    return claim, claimed


def _backoff(attempts: int) -> timedelta:
    base = settings.OUTGOING_WEBHOOK_RETRY_BASE_SECONDS * 4.0 ** min(attempts - 1, 30)
    delay = timedelta(seconds=min(base, _MAX_BACKOFF.total_seconds()))
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 — jitter, not a secret


def _record(delivery: WebhookDelivery, outcome: Outcome, *, claim: UUID) -> None:
    """Keep the attempt's outcome, if this sender still holds the delivery (it may have
    been deleted with its endpoint meanwhile)."""
    now = timezone.now()
    attempts = delivery.attempts + 1
    if outcome.ok:
        status, next_attempt_at = WebhookDelivery.Status.SUCCEEDED, None
    elif attempts >= settings.OUTGOING_WEBHOOK_MAX_ATTEMPTS:
        status, next_attempt_at = WebhookDelivery.Status.FAILED, None
    else:
        status, next_attempt_at = WebhookDelivery.Status.PENDING, now + _backoff(attempts)
    error = outcome.error or ("" if outcome.ok else f"The receiver answered {outcome.status_code}.")
    delivered = {"delivered_at": now} if outcome.ok else {}
    with transaction.atomic():
        held = WebhookDelivery.objects.filter(pk=delivery.pk, claim=claim).update(
            **delivered,
            attempts=F("attempts") + 1,
            status=status,
            next_attempt_at=next_attempt_at,
            last_status_code=outcome.status_code,
            last_latency_ms=outcome.latency_ms,
            last_error=error.replace("\x00", "\ufffd"),
            claim=None,
            leased_until=None,
        )
        if held:
            WebhookAttempt.objects.create(
                delivery_id=delivery.pk,
                status_code=outcome.status_code,
                latency_ms=outcome.latency_ms,
                error=error.replace("\x00", "\ufffd"),
                response_excerpt=outcome.response_excerpt,
            )


def deliveries_send_due(
    *,
    event_id: int | None = None,
    delivery_ids: Iterable[int] | None = None,
    limit: int = 100,
) -> int:
    """Post the due deliveries (of one event, or the given ones, or any); returns how
    many were attempted."""
    claim, claimed = _claim_due(event_id=event_id, delivery_ids=delivery_ids, limit=limit)
    if not claimed:
        return 0
    outcomes = send_all(
        [Outgoing(d.pk, d.endpoint.url, d.endpoint.secret, d.message_id, d.body) for d in claimed],
        timeout=settings.OUTGOING_WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS,
    )
    by_id = {d.pk: d for d in claimed}
    for outcome in outcomes:
        try:
            _record(by_id[outcome.delivery_id], outcome, claim=claim)
        except DatabaseError:
            # One row that cannot be written must not leave the others unrecorded (and
            # sent again when the lease ends); this one is retried when its lease ends.
            logger.exception("webhook_outcome_not_recorded", delivery_id=outcome.delivery_id)
    return len(claimed)
