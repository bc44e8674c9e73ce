"""A real HTTP server that receives webhooks, checks their signatures and says what it
was told to say. Each path has a behaviour: a list of status codes to answer in turn
(the last repeats), an optional pause, an optional barrier to meet other requests at."""

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool | None  # None: no secret registered for the path


@dataclass
class Behaviour:
    statuses: list[int] = field(default_factory=lambda: [200])
    pause: float = 0.0
    barrier: threading.Barrier | None = None
    secret: str | None = None
    body: bytes = b"ok"


class Receiver:
    def __init__(self) -> None:
        self.received: list[Received] = []
        self.behaviours: dict[str, Behaviour] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def at(self, path: str, **behaviour: Any) -> str:
        """Set how ``path`` answers; returns its URL."""
        self.behaviours[path] = Behaviour(**behaviour)
        return self.base_url + path

    def on(self, path: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path == path]

    def start(self) -> "Receiver":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                behaviour = receiver.behaviours.get(self.path, Behaviour())
                headers = {k.lower(): v for k, v in self.headers.items()}
                valid = None
                if behaviour.secret:
                    try:
                        Webhook(behaviour.secret).verify(body, headers)
                        valid = True
                    except WebhookVerificationError:
                        valid = False
                with receiver._lock:
                    receiver.received.append(Received(self.path, headers, body, valid))
                    answered = len([r for r in receiver.received if r.path == self.path])
                status = behaviour.statuses[min(answered, len(behaviour.statuses)) - 1]
                if behaviour.barrier is not None:
                    try:
                        behaviour.barrier.wait()
                    except threading.BrokenBarrierError:
                        status = 504  # the other request never came while this one waited
                if behaviour.pause:
                    threading.Event().wait(behaviour.pause)  # a slow receiver
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(behaviour.body)))
                    self.end_headers()
                    self.wfile.write(behaviour.body)
                except OSError:
                    pass  # the sender gave up waiting: that is the point of a pause

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler
