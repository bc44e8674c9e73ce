"""Tracing: off by default; switched on, spans reach an OTLP/HTTP receiver.

The traced process is a child process: instrumenting Django, psycopg and Redis is
for a whole process's life, and this test run's own process must stay untraced.
"""

import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from nexus.core.tracing import configure_tracing
from tests import system

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

# A request through the whole middleware stack, then the spans flushed before exit.
TRACED_REQUEST = """
import django
from nexus.config.wsgi import application  # sets up tracing, then Django
from django.test import Client
from opentelemetry import trace
response = Client().get("/api/v1/products/", HTTP_HOST="localhost")
assert response.status_code == 200, response.status_code
Client().get("/healthz", HTTP_HOST="localhost")
getattr(trace.get_tracer_provider(), "shutdown", lambda: None)()  # flush, when tracing
"""


class OtlpReceiver(BaseHTTPRequestHandler):
    received: list[ExportTraceServiceRequest]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        request = ExportTraceServiceRequest()
        request.ParseFromString(body)
        self.server.received.append((self.path, self.headers["Content-Type"], request))  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[HTTPServer]:
    server = HTTPServer(("127.0.0.1", 0), OtlpReceiver)
    server.received = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def _run_traced(receiver: HTTPServer, **env: str) -> None:
    child_env = system.service_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{receiver.server_port}",
        OTEL_SERVICE_NAME="nexus-test",
        **env,
    )
    if "NEXUS_TRACING_ENABLED" not in env:
        child_env.pop("NEXUS_TRACING_ENABLED", None)
    done = subprocess.run(
        [sys.executable, "-c", TRACED_REQUEST],
        cwd=ROOT, env=child_env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_spans_of_a_request_reach_the_otlp_endpoint(receiver: HTTPServer) -> None:
    _run_traced(receiver, NEXUS_TRACING_ENABLED="true")

    exports = receiver.received  # type: ignore[attr-defined]
    assert exports, "no spans were exported"
    assert {(path, content_type) for path, content_type, _ in exports} == {
        ("/v1/traces", "application/x-protobuf")
    }
    spans, services = [], set()
    for _, _, request in exports:
        for resource_spans in request.resource_spans:
            attributes = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            services.add(attributes["service.name"])
            spans += [span for scope in resource_spans.scope_spans for span in scope.spans]
    assert services == {"nexus-test"}
    by_name = {span.name: span for span in spans}
    request_span = by_name["GET api/v1/products/"]
    assert request_span.kind == request_span.SPAN_KIND_SERVER
    # Database and cache calls made for the request are its children, in its trace.
    children = [span for span in spans if span.parent_span_id == request_span.span_id]
    assert any(span.name.split()[0] in {"SELECT", "nexus_test"} for span in children), [
        span.name for span in children
    ]
    assert any(
        {a.key: a.value.string_value for a in span.attributes}.get("db.system") == "redis"
        for span in children
    )
    assert all(span.trace_id == request_span.trace_id for span in children)
    # Probes are not traced.
    assert not any("healthz" in span.name for span in spans)


def test_tracing_is_off_unless_switched_on(receiver: HTTPServer) -> None:
    assert configure_tracing("nexus-web") is False  # this test process: no variable
    _run_traced(receiver)
    assert receiver.received == []  # type: ignore[attr-defined]
