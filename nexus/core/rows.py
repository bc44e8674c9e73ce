"""Writing to rows read earlier in the request, while another request may delete them."""

from typing import Any

from django.db import IntegrityError, models

from nexus.core.errors import DomainError


def lock_current(instance: models.Model, *, gone: DomainError) -> None:
    """Lock the row of an object read earlier, to the end of the transaction; raise
    ``gone`` when it was deleted meanwhile. Saved anyway, a deleted row changes nothing
    (Django then raises a bare ``DatabaseError``) or, with ``save()``, comes back."""
    manager: Any = type(instance)._default_manager
    if (
        manager.select_for_update().filter(pk=instance.pk).values_list("pk", flat=True).first()
        is None
    ):
        raise gone


def is_foreign_key_violation(exc: IntegrityError) -> bool:
    """Whether a commit failed because a row written refers to one deleted meanwhile
    (foreign keys are checked at commit)."""
    sqlstate = getattr(exc.__cause__, "sqlstate", None)
    return sqlstate == "23503" or "FOREIGN KEY constraint failed" in str(exc)
