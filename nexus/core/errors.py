"""The domain error tree.

Domain code raises these; each API maps them to its own error shape in one place
(REST: ``nexus.api.rest.errors``). A subclass names a stable ``code`` that clients
may branch on; the category (not found, conflict, ...) decides the HTTP status.
"""

from collections.abc import Mapping, Sequence
from typing import ClassVar


class DomainError(Exception):
    """A rule of the domain was broken by the caller's request."""

    code: ClassVar[str] = "domain_error"
    default_message: ClassVar[str] = "The request breaks a rule of the shop."

    def __init__(
        self,
        message: str | None = None,
        *,
        field_errors: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.message = message or self.default_message
        self.field_errors: dict[str, list[str]] = {
            field: list(messages) for field, messages in (field_errors or {}).items()
        }
        super().__init__(self.message)


class ValidationFailed(DomainError):
    """Input is well-formed but not acceptable (400)."""

    code = "invalid"
    default_message = "The input is not valid."


class NotFound(DomainError):
    """The object does not exist, or is not the caller's to see (404)."""

    code = "not_found"
    default_message = "Not found."


class Conflict(DomainError):
    """The request conflicts with the current state of an object (409)."""

    code = "conflict"
    default_message = "The request conflicts with the current state."


class ServiceUnavailable(DomainError):
    """Something the request needs outside the process is down; retry later (503)."""

    code = "service_unavailable"
    default_message = "A service this needs is not available; try again shortly."


class Unauthenticated(DomainError):
    """The caller's credentials are missing, wrong or no longer valid (401)."""

    code = "not_authenticated"
    default_message = "Valid credentials are required."


class Forbidden(DomainError):
    """The caller is known but may not do this (403)."""

    code = "forbidden"
    default_message = "You do not have permission to do this."


class IdempotencyKeyReused(DomainError):
    """The key was used before with a different request (422)."""

    code = "idempotency_key_reused"
    default_message = "This Idempotency-Key was already used with a different request."


class IdempotencyRequestInFlight(Conflict):
    code = "idempotency_in_flight"
    default_message = "A request with this Idempotency-Key is still being processed; retry later."
