"""Starting the shop's real processes against this test run's database: a RabbitMQ
virtual host of their own, web server, Celery worker, outbox relay, and a TCP proxy
that can cut the way to RabbitMQ."""

import email
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from email.message import Message
from pathlib import Path
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
RABBITMQ = ("127.0.0.1", 5672)


def run_database_url() -> str:
    """The database this test run made, for the processes it starts."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@contextmanager
def smtp_inbox() -> Iterator[Inbox]:
    """A real SMTP server on a free local port, keeping what it receives."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.port = controller.port
    try:
        yield handler
    finally:
        controller.stop()


def wait_for(condition: Callable[[], object], *, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)  # polling another process's progress; bounded by the deadline


def ready(base_url: str) -> bool:
    """Whether the web server at the URL answers its readiness probe with 200."""
    try:
        return httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _rabbitmqctl(*args: str) -> str:
    return subprocess.run(
        ["rabbitmqctl", "--quiet", *args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def _management() -> httpx.Client | None:
    """RabbitMQ's management API, where rabbitmqctl is out of reach (a broker in a
    container, as in GitHub Actions): ``RABBITMQ_MANAGEMENT_URL`` with credentials."""
    url = os.environ.get("RABBITMQ_MANAGEMENT_URL")
    if not url:
        return None
    parts = httpx.URL(url)
    return httpx.Client(
        base_url=str(parts.copy_with(username=None, password=None)),
        auth=(parts.username, parts.password),
        timeout=30,
    )


@contextmanager
def rabbitmq_vhost() -> Iterator[str]:
    """A virtual host of this test's own: its queues are not shared with other runs."""
    name = f"nexus-test-{uuid.uuid4().hex[:12]}"
    api = _management()
    if api is not None:
        api.put(f"/api/vhosts/{name}").raise_for_status()
        permissions = {"configure": ".*", "write": ".*", "read": ".*"}
        api.put(f"/api/permissions/{name}/guest", json=permissions).raise_for_status()
    else:
        _rabbitmqctl("add_vhost", name)
        _rabbitmqctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
    try:
        yield name
    finally:
        if api is not None:
            api.delete(f"/api/vhosts/{name}").raise_for_status()
            api.close()
        else:
            _rabbitmqctl("delete_vhost", name)


def queued_messages(vhost: str) -> int:
    """Messages ready or being worked on in every queue of the virtual host."""
    api = _management()
    if api is not None:
        with api:
            queues = api.get(f"/api/queues/{vhost}").raise_for_status().json()
        return sum(int(queue.get("messages", 0)) for queue in queues)
    lines = _rabbitmqctl("list_queues", "-p", vhost, "--no-table-headers", "messages")
    return sum(int(line) for line in lines.split() if line.strip())


def broker_url(vhost: str, port: int = RABBITMQ[1]) -> str:
    return f"amqp://guest:guest@127.0.0.1:{port}/{vhost}"


def service_env(**overrides: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexus.config.settings.test",
        "DATABASE_URL": run_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "OUTGOING_WEBHOOK_ALLOW_PRIVATE_URLS": "true",
        "LOG_LEVEL": "INFO",
        **overrides,
    }


class Process:
    """A child process in its own process group, its output kept in a log file."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name, self.argv, self.env = name, argv, env
        self.log_path = log_dir / f"{name}.log"
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Signal the whole group (a prefork worker's children too) and reap it."""
        if self.popen is None or self.popen.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self.popen.pid, sig)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=30)

    def stop(self) -> None:
        self.kill(signal.SIGTERM)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def worker(env: dict[str, str], log_dir: Path, *, name: str = "worker", **options: str) -> Process:
    argv = [
        str(BIN / "celery"), "-A", "nexus.config", "worker",
        "--queues", "default,email,webhooks,payments", "--pool", "prefork",
        "--concurrency", "2", "--without-mingle", "--without-gossip",
        "--hostname", f"{name}-{uuid.uuid4().hex[:8]}@%h", "--loglevel", "INFO",
    ]  # fmt: skip
    for option, value in options.items():
        argv += [f"--{option}", value]
    return Process(name, argv, env, log_dir)


def relay(env: dict[str, str], log_dir: Path, *, name: str = "relay") -> Process:
    argv = [sys.executable, "manage.py", "relay_outbox", "--interval", "0.5"]
    return Process(name, argv, env, log_dir)


def web_server(env: dict[str, str], log_dir: Path, port: int, *, workers: int = 1) -> Process:
    argv = [
        str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1",
        "--port", str(port), "--workers", str(workers), "--blocking-threads", "8", "--no-ws",
        "nexus.config.wsgi:application",
    ]  # fmt: skip
    return Process("web", argv, env, log_dir)


class TcpProxy:
    """Forwards a local port to RabbitMQ; ``cut`` drops every connection and refuses new
    ones (RabbitMQ unreachable), ``restore`` lets them through again."""

    def __init__(self, upstream: tuple[str, int] = RABBITMQ) -> None:
        self.upstream = upstream
        self.port = free_port()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None

    def restore(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=True)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        if self._listener is not None:
            with suppress(OSError):  # wakes the thread blocked in accept(); close alone won't
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            for sock in self._sockets:
                with suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self._sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection(self.upstream)
            with self._lock:
                self._sockets |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        try:
            while True:
                readable, _, _ = select.select(list(peers), [], [], 1.0)
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    peers[sock].sendall(data)
        except (OSError, ValueError):
            return  # cut, or one side closed
        finally:
            for sock in (a, b):
                with suppress(OSError):
                    sock.close()
