"""The request id travels with the work a request starts, so a task's log lines (the
email it sends, the webhook it posts) can be traced back to the request.

A task published while a request id is bound carries it in a message header; the worker
binds it for the task's run. Events go through the outbox: the row keeps the id of the
request that wrote it, and the relay publishes with it bound.
"""

from typing import Any

import structlog
from celery import Task
from celery.signals import before_task_publish, task_postrun, task_prerun

HEADER = "nexus_request_id"
_BOUND_HERE = "_nexus_bound_request_id"


def current_request_id() -> str:
    return str(structlog.contextvars.get_contextvars().get("request_id") or "")


@before_task_publish.connect
def carry_request_id(headers: dict[str, Any] | None = None, **_: Any) -> None:
    request_id = current_request_id()
    if request_id and headers is not None and HEADER not in headers:
        headers[HEADER] = request_id


@task_prerun.connect
def bind_request_id(task: "Task[Any, Any] | None" = None, **_: Any) -> None:
    """In a worker: the id the message carried. A task run inline (the embedded mode)
    keeps the context it runs in."""
    if task is None:
        return
    request_id = task.request.get(HEADER)
    if request_id:
        structlog.contextvars.bind_contextvars(request_id=request_id)
        setattr(task.request, _BOUND_HERE, True)


@task_postrun.connect
def unbind_request_id(task: "Task[Any, Any] | None" = None, **_: Any) -> None:
    if task is not None and getattr(task.request, _BOUND_HERE, False):
        structlog.contextvars.unbind_contextvars("request_id")
