"""Load and report for the blue-green rehearsal (scripts/rehearse-blue-green.sh).

``run`` keeps CLIENTS HTTP/1.1 clients busy against a shop until SIGTERM or SIGINT.
Each client holds one keep-alive connection at a time and cycles through catalog reads
(product lists, product details) and writes (a new guest cart, a line added to it,
the cart read back), writing one line per request to OUT:

    start_ms  end_ms  what  status  result  retried  detail

A request fails when it gets no 2xx answer: another status, a refused or reset
connection, a timeout, an answer cut short. One case is retried instead, once and on a
new connection, as browsers do: a reused keep-alive connection that the server closed
before sending any byte of the answer. nginx closes its idle keep-alive connections
when a reload retires its old workers, without reading them, so a request sent at that
instant was never seen and is safe to send again, even a POST. Such retries are
counted apart, and the rehearsal checks that no write was applied twice: the carts and
cart lines in the database are exactly the writes answered.

``report`` joins the requests with the phases the rehearsal marked (and nginx's access
log, for which colour answered) into a table, a JSON summary and an exit status: 0
when no request failed and the writes match the database.
"""

import argparse
import asyncio
import contextlib
import json
import signal
import statistics
import sys
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import h11

TIMEOUT_SECONDS = 10.0
READ_SIZE = 65536
WRITES = ("cart", "line")


def now_ms() -> int:
    return time.time_ns() // 1_000_000


# --- HTTP/1.1 over one connection ------------------------------------------------------


class ConnectionLostError(Exception):
    """The connection ended before a whole answer came."""

    def __init__(self, detail: str, *, answered: bool) -> None:
        super().__init__(detail)
        self.detail = detail
        self.answered = answered  # whether any byte of the answer arrived


@dataclass(frozen=True)
class Request:
    what: str
    method: str
    target: str
    body: bytes = b""


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.http = h11.Connection(h11.CLIENT)
        self.used = False  # an answer came on it: the next request reuses it

    @classmethod
    async def open(cls, host: str, port: int) -> "Connection":
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    def closed_by_server(self) -> bool:
        """The server's FIN has been seen: the connection cannot carry another request."""
        return self.reader.at_eof()

    def reusable(self) -> bool:
        return self.http.our_state is h11.IDLE and not self.closed_by_server()

    def close(self) -> None:
        self.writer.close()

    async def exchange(self, request: Request, host: str) -> tuple[int, bytes]:
        headers = [("Host", host), ("Accept", "application/json"), ("User-Agent", "rehearsal")]
        if request.method == "POST":
            headers += [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(request.body))),
            ]
        out = self.http.send(
            h11.Request(method=request.method, target=request.target, headers=headers)
        )
        if request.body:
            out = (out or b"") + (self.http.send(h11.Data(data=request.body)) or b"")
        out = (out or b"") + (self.http.send(h11.EndOfMessage()) or b"")
        received = 0
        status = 0
        body: list[bytes] = []
        try:
            self.writer.write(out)
            await self.writer.drain()
            while True:
                event = self.http.next_event()
                if event is h11.NEED_DATA:
                    data = await self.reader.read(READ_SIZE)
                    received += len(data)
                    self.http.receive_data(data)
                elif isinstance(event, h11.Response):
                    status = event.status_code
                elif isinstance(event, h11.Data):
                    body.append(bytes(event.data))
                elif isinstance(event, h11.EndOfMessage):
                    break
                elif isinstance(event, h11.ConnectionClosed):
                    raise ConnectionLostError("closed before the answer", answered=received > 0)
        except (OSError, h11.ProtocolError) as exc:
            detail = f"{type(exc).__name__}: {exc}".strip(": ")
            raise ConnectionLostError(detail, answered=received > 0) from exc
        self.used = True
        if self.http.our_state is h11.DONE and self.http.their_state is h11.DONE:
            self.http.start_next_cycle()  # kept alive; otherwise MUST_CLOSE: not reusable
        return status, b"".join(body)


# --- What the clients ask ----------------------------------------------------------------


@dataclass
class Catalog:
    slugs: list[str]
    variants: list[int]


def catalog_load(base_url: str) -> Catalog:
    """Product slugs and in-stock variant ids, read once before the load starts."""

    def get(path: str) -> Any:
        with urllib.request.urlopen(base_url + path, timeout=30) as answer:  # noqa: S310
            return json.load(answer)

    products = get("/api/v1/products/?in_stock=true&page_size=50")["results"]
    slugs = [product["slug"] for product in products]
    variants: list[int] = []
    for slug in slugs[:10]:
        detail = get(f"/api/v1/products/{slug}/")
        variants += [v["id"] for v in detail["variants"] if v["in_stock"]]
    if not slugs or not variants:
        raise SystemExit("the catalog has no product in stock: seed the demo data first")
    return Catalog(slugs=slugs, variants=variants)


LISTS = (
    "/api/v1/products/?page_size=20",
    "/api/v1/products/?page_size=10&ordering=price",
    "/api/v1/products/?in_stock=true&ordering=-price",
    "/api/v1/products/?page_size=30&ordering=name",
)


@dataclass
class Plan:
    """One client's cycle: list, product, new cart, list, the cart, a line in the cart."""

    index: int
    catalog: Catalog
    step: int = 0
    cart: str = ""

    def next(self) -> Request:
        self.step += 1
        n = self.index + self.step
        match self.step % 6:
            case 2:
                return Request("cart", "POST", "/api/v1/carts/")
            case 4 if self.cart:
                return Request("cart-read", "GET", f"/api/v1/carts/{self.cart}/")
            case 5 if self.cart:
                variant = self.catalog.variants[n % len(self.catalog.variants)]
                body = json.dumps({"variant": variant, "quantity": 1}).encode()
                return Request("line", "POST", f"/api/v1/carts/{self.cart}/lines/", body)
            case 1 | 3:
                return Request("product", "GET", f"/api/v1/products/{self.product(n)}/")
            case _:
                return Request("list", "GET", LISTS[n % len(LISTS)])

    def product(self, n: int) -> str:
        return self.catalog.slugs[n % len(self.catalog.slugs)]

    def answered(self, request: Request, status: int, body: bytes) -> None:
        if request.what == "cart":
            self.cart = json.loads(body)["token"] if status == 201 else ""
        elif request.what == "line" and status == 201:
            self.cart = ""  # one line per cart: a duplicate would show as quantity 2


# --- The load ---------------------------------------------------------------------------


@dataclass
class Load:
    host: str
    port: int
    out: Any
    stop: asyncio.Event = field(default_factory=asyncio.Event)

    async def client(self, plan: Plan) -> None:
        connection: Connection | None = None
        try:
            while not self.stop.is_set():
                request = plan.next()
                connection = await self.one(request, plan, connection)
        finally:
            if connection is not None:
                connection.close()

    async def one(
        self, request: Request, plan: Plan, connection: Connection | None
    ) -> Connection | None:
        start = now_ms()
        retried = False
        status, body, detail = 0, b"", ""
        while True:
            if connection is not None and not connection.reusable():
                connection.close()
                connection = None
            reused = connection is not None
            try:
                if connection is None:
                    connection = await asyncio.wait_for(
                        Connection.open(self.host, self.port), TIMEOUT_SECONDS
                    )
                status, body = await asyncio.wait_for(
                    connection.exchange(request, f"{self.host}:{self.port}"), TIMEOUT_SECONDS
                )
            except ConnectionLostError as exc:
                connection = self.drop(connection)
                if reused and not exc.answered and not retried:
                    retried = True
                    continue
                detail = ("reused connection: " if reused else "") + exc.detail
            except (OSError, TimeoutError) as exc:
                connection = self.drop(connection)
                detail = f"{type(exc).__name__}: {exc}".strip(": ")
            break
        ok = 200 <= status < 300
        if status and not ok:
            detail = f"HTTP {status}"
        self.out.write(
            f"{start}\t{now_ms()}\t{request.what}\t{status}\t{'ok' if ok else 'fail'}"
            f"\t{int(retried)}\t{detail}\n"
        )
        if ok:
            plan.answered(request, status, body)
        return connection

    @staticmethod
    def drop(connection: Connection | None) -> None:
        if connection is not None:
            connection.close()


async def load_run(
    base_url: str, clients: int, out_path: Path, duration: float, mark: tuple[Path, str] | None
) -> None:
    url = urlsplit(base_url)
    catalog = catalog_load(base_url)
    with out_path.open("w", encoding="utf-8") as out:
        if mark is not None:  # the first phase starts with the first request
            with mark[0].open("a", encoding="utf-8") as phases:
                phases.write(f"{now_ms()}\tphase\t{mark[1]}\n")
        load = Load(host=url.hostname or "127.0.0.1", port=url.port or 80, out=out)
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, load.stop.set)
        if duration:
            loop.call_later(duration, load.stop.set)
        # Every client finishes the request it has begun: stopping loses no answer.
        await asyncio.gather(*(load.client(Plan(i, catalog)) for i in range(clients)))


# --- The report -------------------------------------------------------------------------


@dataclass
class Record:
    start: int
    end: int
    what: str
    status: int
    ok: bool
    retried: bool
    detail: str


def records_read(path: Path) -> list[Record]:
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        start, end, what, status, result, retried, detail = line.split("\t", 6)
        records.append(
            Record(int(start), int(end), what, int(status), result == "ok", retried == "1", detail)
        )
    return records


def phases_read(path: Path) -> list[tuple[int, str, list[str]]]:
    """(start_ms, name, notes) per phase, from lines "MS<TAB>phase|note<TAB>TEXT"."""
    phases: list[tuple[int, str, list[str]]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        ms, kind, text = line.split("\t", 2)
        if kind == "phase":
            phases.append((int(ms), text, []))
        elif phases:
            phases[-1][2].append(text)
    return phases


def served_read(path: Path | None, colours: dict[str, str]) -> list[tuple[int, str]]:
    """(start_ms, colour) per request in nginx's access log ("msec|status|upstream|time")."""
    if path is None or not path.exists():
        return []
    served = []
    for line in path.read_text(encoding="utf-8").splitlines():
        msec, _, upstream, seconds = line.split("|", 3)
        started = int((float(msec) - float(seconds)) * 1000)
        served.append((started, colours.get(upstream, upstream or "-")))
    return served


def percentile(values: list[int], fraction: float) -> int:
    if not values:
        return 0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def phase_row(name: str, records: list[Record], served: Counter[str]) -> dict[str, Any]:
    latencies = [r.end - r.start for r in records]
    return {
        "phase": name,
        "requests": len(records),
        "failed": sum(not r.ok for r in records),
        "retried": sum(r.retried for r in records),
        "p50_ms": int(statistics.median(latencies)) if latencies else 0,
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies, default=0),
        "served_by": dict(sorted(served.items())),
    }


def report_build(
    records: list[Record],
    phases: list[tuple[int, str, list[str]]],
    served: list[tuple[int, str]],
    database: dict[str, int] | None,
) -> dict[str, Any]:
    bounds = [start for start, _, _ in phases[1:]] + [sys.maxsize]
    rows = []
    for (start, name, notes), end in zip(phases, bounds, strict=True):
        inside = [r for r in records if start <= r.start < end]
        by_colour = Counter(colour for ms, colour in served if start <= ms < end)
        rows.append({**phase_row(name, inside, by_colour), "notes": notes})
    first = phases[0][0]
    total = phase_row(
        "all",
        [r for r in records if r.start >= first],
        Counter(colour for ms, colour in served if ms >= first),
    )
    answered = {
        "carts": sum(r.ok and r.what == "cart" for r in records),
        "lines": sum(r.ok and r.what == "line" for r in records),
    }
    failures = [
        {"at_ms": r.start - first, "what": r.what, "detail": r.detail} for r in records if not r.ok
    ]
    return {
        "phases": rows,
        "total": total,
        "writes_answered": answered,
        "writes_in_database": database,
        "writes_match": database is None or database == answered,
        "failures": failures[:20],
    }


def report_text(report: dict[str, Any]) -> str:
    head = "| phase | requests | failed | retried | p50 ms | p99 ms | max ms | answered by |"
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---|"]
    for row in [*report["phases"], report["total"]]:
        served = ", ".join(f"{colour} {n}" for colour, n in row["served_by"].items()) or "-"
        name = row["phase"] if row["phase"] != "all" else "**all**"
        lines.append(
            f"| {name} | {row['requests']} | {row['failed']} | {row['retried']}"
            f" | {row['p50_ms']} | {row['p99_ms']} | {row['max_ms']} | {served} |"
        )
    lines.append("")
    lines += [f"- {row['phase']}: {note}" for row in report["phases"] for note in row["notes"]]
    answered, stored = report["writes_answered"], report["writes_in_database"]
    writes = f"writes answered: {answered['carts']} carts, {answered['lines']} cart lines"
    if stored is not None:
        verdict = "match" if report["writes_match"] else "DO NOT MATCH"
        writes += (
            f"; in the database: {stored['carts']} carts, {stored['lines']} cart lines ({verdict})"
        )
    lines.append(f"- {writes}")
    lines += [
        f"- FAILED at +{f['at_ms']} ms: {f['what']}: {f['detail']}" for f in report["failures"]
    ]
    return "\n".join(lines) + "\n"


# --- Command line -----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="send load until SIGTERM (or --duration)")
    run.add_argument("url", help="base URL, e.g. http://127.0.0.1:8080")
    run.add_argument("--clients", type=int, default=8)
    run.add_argument("--out", type=Path, required=True, help="one line per request")
    run.add_argument("--duration", type=float, default=0, help="seconds (0: until SIGTERM)")
    run.add_argument(
        "--mark", nargs=2, metavar=("PHASES", "NAME"), help="append the first phase's start"
    )
    report = commands.add_parser("report", help="the per-phase table of a run")
    report.add_argument("--requests", type=Path, required=True)
    report.add_argument("--phases", type=Path, required=True)
    report.add_argument("--access-log", type=Path, help="nginx's, as msec|status|upstream|time")
    report.add_argument("--colour", action="append", default=[], help="NAME=HOST:PORT")
    report.add_argument("--db-carts", type=int, help="guest carts the database gained")
    report.add_argument("--db-lines", type=int, help="cart line units it gained")
    report.add_argument("--json", type=Path, help="also write the summary as JSON here")
    args = parser.parse_args(argv)

    if args.command == "run":
        mark = (Path(args.mark[0]), args.mark[1]) if args.mark else None
        asyncio.run(load_run(args.url, args.clients, args.out, args.duration, mark))
        return 0
    colours = {address: name for name, _, address in (c.partition("=") for c in args.colour)}
    database = None
    if args.db_carts is not None and args.db_lines is not None:
        database = {"carts": args.db_carts, "lines": args.db_lines}
    summary = report_build(
        records_read(args.requests),
        phases_read(args.phases),
        served_read(args.access_log, colours),
        database,
    )
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    sys.stdout.write(report_text(summary))
    return 0 if summary["total"]["failed"] == 0 and summary["writes_match"] else 1


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
