import io
import logging
import logging.config

import orjson
import structlog
from django.http import HttpResponse
from django.test import RequestFactory

from nexus.core.logging import configure_logging
from nexus.core.middleware import RequestContextMiddleware


def test_log_lines_inside_a_request_carry_its_id_as_json(settings):
    stream = io.StringIO()
    config = configure_logging("json", "INFO")
    config["handlers"]["stderr"]["stream"] = stream
    logging.config.dictConfig(config)
    try:

        def view(request):
            structlog.get_logger("nexus.test").info("inside_view", answer=42)
            return HttpResponse("ok")

        response = RequestContextMiddleware(view)(
            RequestFactory().get("/x", HTTP_X_REQUEST_ID="abc-123")
        )
    finally:
        logging.config.dictConfig(configure_logging(settings.LOG_FORMAT, settings.LOG_LEVEL))

    lines = [orjson.loads(line) for line in stream.getvalue().splitlines()]
    inside = next(line for line in lines if line["event"] == "inside_view")
    finished = next(line for line in lines if line["event"] == "request_finished")
    assert response["X-Request-ID"] == "abc-123"
    assert inside["request_id"] == finished["request_id"] == "abc-123"
    assert inside["answer"] == 42
    assert finished["status"] == 200
    assert finished["level"] == "info"
    # Nothing of the request leaks into work done after it.
    assert structlog.contextvars.get_contextvars() == {}
