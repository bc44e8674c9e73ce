"""Sending webhook requests: signed in the Standard Webhooks style, all of a batch at
once with a timeout each, and only to public addresses unless settings allow others.

The address check is done on the address the request then connects to (the URL's
host is resolved once, checked, and the connection made to that address with the
name kept for ``Host`` and TLS), so a name that re-resolves to an inside address
between the check and the connect is no way around it.
"""

import asyncio
import ipaddress
import socket
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from standardwebhooks.webhooks import Webhook

USER_AGENT = "NexusCommerce-Webhooks/1"
_EXCERPT_BYTES = 500


class AddressRefused(Exception):
    """The URL cannot be sent to: bad scheme, no such host, or an inside address."""


@dataclass(frozen=True)
class Outgoing:
    delivery_id: int
    url: str
    secret: str
    message_id: str
    body: str


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    latency_ms: int
    status_code: int | None = None
    error: str = ""
    response_excerpt: str = ""

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def signature_headers(*, secret: str, message_id: str, body: str, at: datetime) -> dict[str, str]:
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id=message_id, timestamp=at, data=body),
    }


@dataclass(frozen=True)
class _Target:
    url: httpx.URL
    scheme: str
    host: str  # ASCII (IDNA-encoded as httpx sends it): resolved, sent as Host and SNI
    port: int


def _target(url: str) -> _Target:
    try:
        parsed = httpx.URL(url)
        host = parsed.raw_host.decode("ascii")
        port = parsed.port
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:
        raise AddressRefused(f"The URL cannot be used: {exc}") from exc
    if parsed.scheme not in ("http", "https") or not host:
        raise AddressRefused("Only http and https URLs with a host can receive webhooks.")
    if port is not None and not 0 < port < 65536:
        raise AddressRefused(f"The URL cannot be used: port {port} does not exist.")
    return _Target(parsed, parsed.scheme, host, port or (443 if parsed.scheme == "https" else 80))


# Address blocks that carry an IPv4 address in their last 32 bits: NAT64 (well-known and
# local-use) and the deprecated IPv4-compatible form. The IPv4 inside is checked too.
_EMBEDDING_IPV4 = tuple(
    ipaddress.IPv6Network(block) for block in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96")
)


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if not ip.is_global or ip.is_multicast:
        return False
    if isinstance(ip, ipaddress.IPv4Address):
        return True
    if ip.is_site_local:
        return False
    inside = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in block for block in _EMBEDDING_IPV4):
        inside.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return all(_is_public(v4) for v4 in inside if v4 is not None)


def _check_addresses(host: str, addresses: Sequence[str], *, allow_private: bool) -> str:
    if not addresses:
        raise AddressRefused(f"{host} does not resolve.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not allow_private and not _is_public(ip):
            raise AddressRefused(
                f"{host} resolves to {ip}, a loopback, private, link-local or reserved "
                "address; webhooks go to public addresses only."
            )
    return addresses[0]


def _resolve(target: _Target) -> list[str]:
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise AddressRefused(f"{target.host} does not resolve ({exc}).") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def check_url(url: str, *, allow_private: bool) -> str:
    """The address the URL would be sent to, or ``AddressRefused`` saying why not."""
    target = _target(url)
    return _check_addresses(target.host, _resolve(target), allow_private=allow_private)


# Name lookups run here rather than in asyncio's default executor, which ``asyncio.run``
# waits for at the end: a lookup that outlives its request's timeout must not hold the
# batch back.
_resolver = ThreadPoolExecutor(max_workers=16, thread_name_prefix="webhook-dns")


async def _pinned_request(
    outgoing: Outgoing, *, allow_private: bool
) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    target = _target(outgoing.url)
    loop = asyncio.get_running_loop()
    addresses = await loop.run_in_executor(_resolver, _resolve, target)
    address = _check_addresses(target.host, addresses, allow_private=allow_private)
    headers = {"Host": target.url.netloc.decode("ascii")}  # without userinfo
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    return target.url.copy_with(host=address), headers, extensions


async def _send(
    client: httpx.AsyncClient, outgoing: Outgoing, *, timeout: float, allow_private: bool
) -> Outcome:
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        async with asyncio.timeout(timeout):  # the whole attempt, name lookup included
            url, headers, extensions = await _pinned_request(outgoing, allow_private=allow_private)
            headers |= signature_headers(
                secret=outgoing.secret,
                message_id=outgoing.message_id,
                body=outgoing.body,
                at=datetime.now(UTC),
            )
            async with client.stream(
                "POST", url, content=outgoing.body.encode(), headers=headers, extensions=extensions
            ) as response:
                excerpt = bytearray()
                async for chunk in response.aiter_bytes():
                    excerpt += chunk
                    if len(excerpt) >= _EXCERPT_BYTES:
                        break  # the rest is the receiver's business, not our log's
        return Outcome(
            outgoing.delivery_id,
            elapsed(),
            status_code=response.status_code,
            # PostgreSQL text holds no NUL, and a binary answer may well have some.
            response_excerpt=excerpt[:_EXCERPT_BYTES]
            .decode("utf-8", errors="replace")
            .replace("\x00", "\ufffd"),
        )
    except TimeoutError:
        return Outcome(outgoing.delivery_id, elapsed(), error=f"No answer within {timeout:g} s.")
    except AddressRefused as exc:
        return Outcome(outgoing.delivery_id, elapsed(), error=str(exc))
    except Exception as exc:  # noqa: BLE001 — any failure is this attempt's outcome, not the batch's
        return Outcome(outgoing.delivery_id, elapsed(), error=f"{type(exc).__name__}: {exc!r}")


async def _send_all(
    batch: Sequence[Outgoing], *, timeout: float, allow_private: bool
) -> list[Outcome]:
    async with httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Content-Type": "application/json"},
        timeout=httpx.Timeout(timeout),  # the whole attempt is bounded in _send as well
        follow_redirects=False,  # a redirect could point anywhere, the guard included
        trust_env=False,
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=0),
    ) as client:
        return await asyncio.gather(
            *(_send(client, o, timeout=timeout, allow_private=allow_private) for o in batch)
        )


def send_all(batch: Sequence[Outgoing], *, timeout: float, allow_private: bool) -> list[Outcome]:
    """POST every request of the batch concurrently: a slow receiver holds up no other."""
    return asyncio.run(_send_all(batch, timeout=timeout, allow_private=allow_private))
