"""The application's URLs plus /bench/baseline/: a bare Django view through the same
middleware, answering a pre-rendered body of the size of a product list page."""

import functools
import os
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.urls import path

from nexus.config.urls import urlpatterns as application_urls


@functools.cache
def _body() -> bytes:
    return Path(os.environ["BENCH_BASELINE_BODY"]).read_bytes()


def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(_body(), content_type="application/json")


urlpatterns = [path("bench/baseline/", baseline), *application_urls]
