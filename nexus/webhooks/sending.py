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
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

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


def _split(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddressRefused("Only http and https URLs with a host can receive webhooks.")
    return parts.scheme, parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def _check_addresses(host: str, addresses: Sequence[str], *, allow_private: bool) -> str:
    if not addresses:
        raise AddressRefused(f"{host} does not resolve.")
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not allow_private and (not ip.is_global or ip.is_multicast):
            raise AddressRefused(
                f"{host} resolves to {ip}, a loopback, private, link-local or reserved "
                "address; webhooks go to public addresses only."
            )
    return addresses[0]


def _addresses(infos: Sequence[tuple[object, ...]]) -> list[str]:
    return list(dict.fromkeys(str(info[4][0]) for info in infos))  # type: ignore[index]


def check_url(url: str, *, allow_private: bool) -> str:
    """The address the URL would be sent to, or ``AddressRefused`` saying why not."""
    _, host, port = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"{host} does not resolve ({exc.strerror}).") from exc
    return _check_addresses(host, _addresses(infos), allow_private=allow_private)


async def _pinned_request(
    outgoing: Outgoing, *, allow_private: bool
) -> tuple[httpx.URL, dict[str, str], dict[str, str]]:
    scheme, host, port = _split(outgoing.url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise AddressRefused(f"{host} does not resolve ({exc.strerror}).") from exc
    address = _check_addresses(host, _addresses(infos), allow_private=allow_private)
    url = httpx.URL(outgoing.url)
    headers = {"Host": url.netloc.decode("ascii")}
    extensions = {"sni_hostname": host} if scheme == "https" else {}
    return url.copy_with(host=address), headers, extensions


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
            response_excerpt=excerpt[:_EXCERPT_BYTES].decode("utf-8", errors="replace"),
        )
    except TimeoutError:
        return Outcome(outgoing.delivery_id, elapsed(), error=f"No answer within {timeout:g} s.")
    except AddressRefused as exc:
        return Outcome(outgoing.delivery_id, elapsed(), error=str(exc))
    except httpx.HTTPError as exc:
        return Outcome(outgoing.delivery_id, elapsed(), error=f"{type(exc).__name__}: {exc}")


async def _send_all(
    batch: Sequence[Outgoing], *, timeout: float, allow_private: bool
) -> list[Outcome]:
    async with httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT, "Content-Type": "application/json"},
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
