"""The blue-green rehearsal, run as an operator runs it: no request may fail.

scripts/rehearse-blue-green.sh starts blue and green on a scratch database behind nginx,
switches, rolls back and releases again under load, and reports every failed request.
First its load generator is shown to count failures where there are some (a refused
connection, a connection closed unanswered, an error status) and to retry only a
reused keep-alive connection the server closed before answering, so that the 0 of the
rehearsal means something.
"""

import asyncio
import importlib.util
import io
import json
import socket
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "rehearse-blue-green.sh"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"

pytestmark = pytest.mark.e2e


def _load_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "rehearsal_load", SCRIPT.with_name("rehearsal_load.py")
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


load = _load_module()

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


def _requests_against(handler: Handler | None, count: int) -> list[list[str]]:
    """COUNT requests by one client against a server run by HANDLER (None: nothing listens);
    the generator's record of each, split into its fields."""

    async def scenario() -> str:
        out = io.StringIO()
        connections = 0

        async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            nonlocal connections
            connections += 1
            assert handler is not None
            await handler(reader, writer, connections)

        if handler is None:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            server = None
        else:
            server = await asyncio.start_server(serve, "127.0.0.1", 0)
            port = server.sockets[0].getsockname()[1]
        runner = load.Load(host="127.0.0.1", port=port, out=out)
        plan = load.Plan(index=0, catalog=load.Catalog(slugs=["lamp"], variants=[1]))
        connection = None
        for _ in range(count):
            connection = await runner.one(load.Request("list", "GET", "/"), plan, connection)
        if connection is not None:
            connection.close()
        if server is not None:
            server.close()
        return out.getvalue()

    return [line.split("\t") for line in asyncio.run(scenario()).splitlines()]


def test_the_load_counts_a_refused_connection_as_failed() -> None:
    [record] = _requests_against(None, 1)
    assert record[3:6] == ["0", "fail", "0"]
    assert record[6].startswith("ConnectionRefusedError")


def test_the_load_counts_an_error_status_and_a_fresh_connection_closed_unanswered() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await reader.readuntil(b"\r\n\r\n")
        if n == 1:
            writer.write(
                b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            await writer.drain()
        writer.close()  # the first after its answer, the second before any

    first, second = _requests_against(handler, 2)
    assert first[3:7] == ["502", "fail", "0", "HTTP 502"]
    # A new connection closed before the answer: a failure, never retried.
    assert second[3:6] == ["0", "fail", "0"]


def test_the_load_retries_a_reused_connection_closed_unanswered_once() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(ANSWER)
        await writer.drain()
        if n == 1:  # kept alive, then closed when the next request comes, as nginx's
            await reader.readuntil(b"\r\n\r\n")  # retiring workers do to idle connections
        writer.close()

    first, second = _requests_against(handler, 2)
    assert first[3:6] == ["200", "ok", "0"]
    assert second[3:6] == ["200", "ok", "1"]  # answered on a new connection, counted


def test_the_load_fails_a_reused_connection_closed_unanswered_twice() -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        if n == 1:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(ANSWER)
            await writer.drain()
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    first, second = _requests_against(handler, 2)
    assert first[4] == "ok"
    assert second[3:6] == ["0", "fail", "1"]


def test_the_rehearsal_switches_and_rolls_back_under_load_without_a_failed_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    summary_path = tmp_path / "rehearsal.json"
    # It installs nginx when missing (as root, or with sudo -n), or says how to.
    process = subprocess.Popen(
        [str(SCRIPT), "--json", str(summary_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        process.terminate()  # its clean-up stops what it started
        stdout, stderr = process.communicate(timeout=120)
        pytest.fail(f"the rehearsal took over 300 s: {stderr[-5000:]}")
    with capsys.disabled():  # the figures, in every run's output
        sys.stdout.write(f"\n{stdout}")
    assert process.returncode == 0, stderr[-5000:]

    summary: dict[str, Any] = json.loads(summary_path.read_text())
    phases = summary["phases"]
    assert [row["phase"] for row in phases] == [
        "blue live",
        "switch blue → green",
        "rollback green → blue, green stopped and started again",
        "switch blue → green (the new release)",
    ]
    for row in phases:
        assert row["requests"] > 0, row
        assert row["failed"] == 0, row
    assert summary["total"]["failed"] == 0
    # The switches happened: each colour answered, and after the last switch green did.
    assert set(summary["total"]["served_by"]) == {"blue", "green"}
    assert phases[0]["served_by"].keys() == {"blue"}
    assert phases[-1]["served_by"].get("green", 0) > phases[-1]["served_by"].get("blue", 0)
    # Writes went through, each once.
    assert summary["writes_answered"]["carts"] > 0
    assert summary["writes_match"], summary
    assert summary["failures"] == []
