"""Posting GraphQL documents to /graphql/ as a client would."""

from typing import Any

from django.test import Client
from rest_framework_simplejwt.tokens import RefreshToken

from nexus.accounts.models import User


def gql(
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    user: User | None = None,
    token: str | None = None,
    status: int = 200,
) -> dict[str, Any]:
    """The response body; ``user`` signs in with a fresh access token."""
    headers = {}
    if user is not None:
        token = str(RefreshToken.for_user(user).access_token)
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = Client().post(
        "/graphql/",
        {"query": query, "variables": variables or {}},
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    return body


def data(query: str, variables: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
    """The ``data`` of a response that must have no errors."""
    body = gql(query, variables, **options)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def error_codes(body: dict[str, Any]) -> list[str]:
    return [error.get("extensions", {}).get("code", "") for error in body.get("errors", [])]
