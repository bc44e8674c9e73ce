"""``idempotencyKey`` for GraphQL mutations, on the same records as REST's
``Idempotency-Key`` (kept apart from REST's keys by their scope).

The first call's success is remembered and answered again to a repeat of the same
key with the same arguments; a failure (a domain error, bad input) is not remembered,
as over REST, so the client may fix what was wrong and try again with the key.
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from nexus.accounts.models import User
from nexus.api.graphql.errors import UserError, attempt
from nexus.core.errors import ValidationFailed
from nexus.core.idempotency import (
    StoredResponse,
    idempotency_claim,
    idempotency_complete,
    idempotency_release,
)

Result = TypeVar("Result")


@dataclass(frozen=True)
class Outcome(Generic[Result]):
    result: Result | None
    replayed: bool
    errors: list[UserError]


def _guard(user: User | None, key: str, operation: str, arguments: Any) -> tuple[str, str]:
    if not 1 <= len(key) <= 255 or not key.isascii() or not key.isprintable() or " " in key:
        raise ValidationFailed(
            field_errors={"idempotency_key": ["Give 1 to 255 printable ASCII characters."]}
        )
    body = json.dumps([operation, arguments], sort_keys=True, default=str).encode()
    scope = f"graphql:user:{user.pk}" if user else "graphql:anonymous"
    return scope, hashlib.sha256(body).hexdigest()


def once(
    *,
    user: User | None,
    key: str | None,
    operation: str,
    arguments: Any,
    action: Callable[[], Result],
    remember: Callable[[Result], str],
    recall: Callable[[str], Result],
) -> Outcome[Result]:
    """Run ``action`` at most once per key; ``remember`` turns its result into text
    kept with the key, ``recall`` turns that text back into the result for a repeat."""
    if key is None:
        result, errors = attempt(action)
        return Outcome(result, replayed=False, errors=errors)
    guard, errors = attempt(lambda: _guard(user, key, operation, arguments))
    if guard is None:
        return Outcome(None, replayed=False, errors=errors)
    scope, fingerprint = guard
    stored, errors = attempt(
        lambda: idempotency_claim(scope=scope, key=key, fingerprint=fingerprint)
    )
    if errors:  # the key with other arguments, or its first call still running
        return Outcome(None, replayed=False, errors=errors)
    if stored is not None:
        return Outcome(recall(bytes(stored.body).decode()), replayed=True, errors=[])
    try:
        result, errors = attempt(action)
    except BaseException:
        idempotency_release(scope=scope, key=key)
        raise
    if result is None:
        idempotency_release(scope=scope, key=key)
        return Outcome(None, replayed=False, errors=errors)
    idempotency_complete(
        scope=scope,
        key=key,
        response=StoredResponse(200, remember(result).encode(), "text/plain"),
    )
    return Outcome(result, replayed=False, errors=[])
