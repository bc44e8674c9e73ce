"""Cached public GET responses with ETags, keyed by the catalog version.

A hit is answered from Redis without touching the view or the database; a
matching ``If-None-Match`` gets a 304 without even the body. Responses are the
same for every caller, so only views whose output does not depend on the user
may use this.

Two layers: ``cached_catalog_response`` on the DRF view method does the whole
job; ``answer_cached_hits`` in front of the view answers the common case — an
anonymous GET whose response is cached — before DRF builds its request,
negotiates content and runs its throttles (about a third of a hit's CPU), and
hands every other request to DRF with the cache lookup already done.
"""

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotModified
from django.utils.http import parse_etags
from rest_framework.request import Request
from rest_framework.response import Response

from nexus.api.rest.renderers import dumps
from nexus.api.rest.throttles import AnonRateThrottle
from nexus.catalog.cache import read_with_version

ViewMethod = Callable[..., Response]


_LOOKUP_ATTRIBUTE = "_catalog_cache_lookup"


def _cache_key(request: HttpRequest) -> str:
    query = "&".join(f"{k}={v}" for k, values in sorted(request.GET.lists()) for v in values)
    digest = hashlib.sha256(f"{request.path}?{query}".encode()).hexdigest()
    return f"catalog:response:{digest}"


def _answer(request: HttpRequest, etag: str, body: bytes, *, hit: bool) -> HttpResponseBase:
    headers = {
        "ETag": etag,
        "Cache-Control": f"public, max-age={settings.CATALOG_CLIENT_MAX_AGE}",
        "X-Cache": "hit" if hit else "miss",
    }
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        return HttpResponseNotModified(headers=headers)
    return HttpResponse(body, content_type="application/json", headers=headers)


def _lookup(request: HttpRequest) -> tuple[str, int, Any]:
    """Key, current catalog version and cached entry (None on a miss), once per request."""
    done: tuple[str, int, Any] | None = getattr(request, _LOOKUP_ATTRIBUTE, None)
    if done is None:
        key = _cache_key(request)
        # The entry carries the catalog version it was made under; entry and current
        # version come back in one round trip, and an entry of an older version is
        # a miss (and is overwritten).
        version, entry = read_with_version(key)
        done = (key, version, entry if entry is not None and entry[0] == version else None)
        setattr(request, _LOOKUP_ATTRIBUTE, done)
    return done


def cached_catalog_response(view: ViewMethod) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    def wrapper(self: Any, request: Request, *args: Any, **kwargs: Any) -> HttpResponseBase:
        key, version, entry = _lookup(request._request)
        if entry is not None:
            _, etag, body = entry
            return _answer(request, etag, body, hit=True)
        response = view(self, request, *args, **kwargs)
        if response.status_code != 200:
            return response
        body = dumps(response.data)
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        cache.set(key, (version, etag, body), timeout=settings.CATALOG_CACHE_SECONDS)
        return _answer(request, etag, body, hit=False)

    return wrapper


def answer_cached_hits(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap a DRF view function (``as_view()``) whose method uses
    ``cached_catalog_response``: answer anonymous cached GETs here."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method != "GET" or "HTTP_AUTHORIZATION" in request.META:
            return view(request, *args, **kwargs)
        _, _, entry = _lookup(request)
        # Over the limit: DRF answers the 429 in its usual shape.
        if entry is None or not AnonRateThrottle().allow_anonymous(request):
            return view(request, *args, **kwargs)
        _, etag, body = entry
        return _answer(request, etag, body, hit=True)

    return wrapper
