"""The real server, started as `make run` starts it: embedded mode, over real HTTP."""

import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from nexus.demo.services import DEMO_CUSTOMER

ROOT = Path(__file__).resolve().parents[2]
# The embedded mode is what a machine with no configuration gets.
SERVICE_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "DJANGO_SETTINGS_MODULE",
    "NEXUS_ENV",
    "CACHE_KEY_PREFIX",
    "LOG_LEVEL",
)

pytestmark = pytest.mark.e2e


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("embedded")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in SERVICE_VARIABLES}
    env.update({"HOST": "127.0.0.1", "PORT": str(port), "NEXUS_DATA_DIR": str(data_dir)})
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen(
        ["make", "run", "WEB_WORKERS=1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited: {(data_dir / 'server.log').read_text()}")
            try:
                if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"server not ready: {(data_dir / 'server.log').read_text()}")
            time.sleep(0.25)  # polling the new server for readiness; bounded by the deadline
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
        log.close()
    assert (data_dir / "nexus.sqlite3").exists()  # it really ran on the embedded SQLite file


def test_register_sign_in_and_read_me(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        registered = http.post(
            "/api/v1/auth/register/",
            json={"email": "e2e@example.com", "password": "an-e2e-passphrase", "first_name": "E"},
        )
        assert registered.status_code == 201, registered.text
        tokens = http.post(
            "/api/v1/auth/token/",
            json={"email": "e2e@example.com", "password": "an-e2e-passphrase"},
        )
        assert tokens.status_code == 200, tokens.text
        me = http.get("/api/v1/me/", headers={"Authorization": f"Bearer {tokens.json()['access']}"})
        assert me.status_code == 200
        assert me.json()["email"] == "e2e@example.com"
        assert me.json()["first_name"] == "E"
        assert me.headers["X-Request-ID"]


def test_demo_customer_and_swagger_are_there(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        tokens = http.post(
            "/api/v1/auth/token/",
            json={"email": DEMO_CUSTOMER.email, "password": DEMO_CUSTOMER.password},
        )
        assert tokens.status_code == 200, tokens.text
        docs = http.get("/api/docs/")
        assert docs.status_code == 200
        assert "swagger-ui" in docs.text
        bundle = http.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
        assert bundle.status_code == 200
        assert http.get("/api/v1/nothing/").headers["Content-Type"] == "application/problem+json"


def test_demo_catalog_is_browsable(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        products = http.get("/api/v1/products/", params={"page_size": 5})
        assert products.status_code == 200, products.text
        results = products.json()["results"]
        assert len(results) == 5
        detail = http.get(f"/api/v1/products/{results[0]['slug']}/")
        assert detail.status_code == 200
        assert detail.json()["variants"]
        word = results[0]["name"].split()[-1]
        found = http.get("/api/v1/products/", params={"search": word}).json()["results"]
        assert found
        facets = http.get("/api/v1/products/facets/", params={"category": "clothing"}).json()
        assert facets["categories"]
        assert http.get("/api/v1/categories/").json()


def test_a_guest_buys_something_and_the_customer_sees_their_order(server: str) -> None:
    """The demo flow end to end: browse, cart, summary, sign in, checkout, pay, orders."""
    with httpx.Client(base_url=server, timeout=10) as http:
        product = http.get("/api/v1/products/", params={"in_stock": "true"}).json()["results"][0]
        variant = http.get(f"/api/v1/products/{product['slug']}/").json()["variants"][0]
        token = http.post("/api/v1/carts/").json()["token"]
        added = http.post(
            f"/api/v1/carts/{token}/lines/", json={"variant": variant["id"], "quantity": 2}
        )
        assert added.status_code == 201, added.text
        held = http.post(f"/api/v1/carts/{token}/reservation/")
        assert held.json()["reserved_until"]
        summary = http.post(
            "/api/v1/checkout/summary/",
            json={"cart": token, "country": "DE", "voucher": "welcome10"},
        )
        assert summary.status_code == 200, summary.text
        method = summary.json()["shipping_methods"][0]
        tokens = http.post(
            "/api/v1/auth/token/",
            json={"email": DEMO_CUSTOMER.email, "password": DEMO_CUSTOMER.password, "cart": token},
        ).json()
        signed_in = {"Authorization": f"Bearer {tokens['access']}"}
        address = http.get("/api/v1/me/addresses/", headers=signed_in).json()["results"][0]
        cart = http.post("/api/v1/carts/", headers=signed_in).json()  # merged at sign-in
        assert [line["variant"]["id"] for line in cart["lines"]] == [variant["id"]]
        placed = http.post(
            "/api/v1/checkout/",
            json={
                "cart": cart["token"],
                "shipping_address_id": address["id"],
                "shipping_method": method["id"],
            },
            headers={**signed_in, "Idempotency-Key": "e2e-order-1"},
        )
        assert placed.status_code == 201, placed.text
        order = placed.json()
        assert order["status"] == "unpaid"
        assert order["shipping_method_name"] == method["name"]
        paid = http.post(
            f"/api/v1/orders/{order['number']}/payments/",
            json={"payment_method": "4242424242424242"},
            headers=signed_in,
        )
        assert paid.status_code == 201, paid.text
        orders = http.get("/api/v1/orders/", headers=signed_in).json()["results"]
        mine = next(o for o in orders if o["number"] == order["number"])
        assert mine["status"] == "paid"  # the sandbox's signed event arrived and was applied


def test_more_open_connections_than_request_threads_are_all_served(server: str) -> None:
    """Keep-alive clients beyond the thread count must wait their turn, not be shut out
    (granian's backpressure counts open connections: capped at the thread count, the
    41st keep-alive client of 40 threads was never answered)."""
    from concurrent.futures import ThreadPoolExecutor  # noqa: PLC0415

    clients = [httpx.Client(base_url=server, timeout=10) for _ in range(40)]
    try:
        for client in clients:  # every connection opened and kept alive
            assert client.get("/healthz").status_code == 200
        with ThreadPoolExecutor(max_workers=len(clients)) as pool:
            statuses = list(pool.map(lambda c: c.get("/api/v1/categories/").status_code, clients))
        assert statuses == [200] * len(clients)
    finally:
        for client in clients:
            client.close()


def test_graphql_serves_the_demo_catalog(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        response = http.post(
            "/graphql/",
            json={"query": "{ products(first: 3) { edges { node { slug priceMin } } } }"},
        )
        assert response.status_code == 200, response.text
        edges = response.json()["data"]["products"]["edges"]
        assert len(edges) == 3
        slug = edges[0]["node"]["slug"]
        product = http.post(
            "/graphql/",
            json={
                "query": "query($s: String!) { product(slug: $s) { name variants { sku } } }",
                "variables": {"s": slug},
            },
        ).json()["data"]["product"]
        assert product["variants"]
        ide = http.get("/graphql/", headers={"Accept": "text/html"})
        assert ide.status_code == 200  # GraphiQL, outside production
