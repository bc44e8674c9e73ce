"""Schemathesis against the running server: every operation of its OpenAPI schema,
fuzzed with all checks, as a customer (the operations outside /api/v1/staff/) and as
staff (those inside), both at once. No request may get a 5xx, no response may stray
from the schema, no request the schema forbids may be accepted, and one it allows may
be refused only for a rule the schema cannot state.

The server runs as in production (granian, PostgreSQL, Redis, RabbitMQ) on this test's
database and a RabbitMQ virtual host of its own, with no worker or relay: nothing the
fuzzer sets off (emails, webhooks, exports, imports) leaves the host.
``schemathesis.toml`` beside this file holds the run's settings and says why each is
so; ``schemathesis_hooks.py`` holds the gate's own check and case filter.

What the run cannot take away from itself: its bearer tokens are access tokens, which
logout, a password change or a reset do not revoke (they revoke refresh tokens), and
each lives 10 minutes; the fuzzer does not know the passwords, so it cannot change
them; no operation deletes or demotes a user; and DELETE operations are not given the
seeded ids (schemathesis.toml). Left out, each with its reason where it is set: rate
limits (raised), NUL characters in text, generated webhook host names (DNS), all but a
sample of the 249 country codes in the coverage phase, and schemathesis's own
positive_data_acceptance (run in a stricter form). Staff operations are not fuzzed as
a customer; the first test checks that a customer gets a 403 from every one of them.

The GraphQL schema is fuzzed the same way, both roles at once on every operation
(``schemathesis-graphql.toml``): schemathesis has only its fuzzing phase there and no
seeded ids, so operations on one object mostly reach "not found"; the image upload, a
multipart request, is left out.
"""

import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.contrib.auth.models import Permission

from nexus.accounts.models import User
from nexus.core.models import OutboxEvent
from nexus.payments.models import PaymentEvent
from nexus.payments.services import payment_event_process
from nexus.shipping.models import ShippingMethod, ShippingZone
from nexus.taxes.models import TaxRate
from nexus.webhooks import services as webhooks
from nexus.webhooks.models import WebhookDelivery
from tests import system
from tests.catalog_data import Catalog, build_catalog
from tests.factories import PASSWORD, AddressFactory, StaffFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    # The server sees only committed rows. The Staff group and its permissions come
    # from data migrations, which an earlier transactional test's flush emptied.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CONFIG = Path(__file__).with_name("schemathesis.toml")
GRAPHQL_CONFIG = Path(__file__).with_name("schemathesis-graphql.toml")
GRAPHQL_SCHEMA = system.ROOT / "docs" / "schema.graphql"  # checked against the code by make lint
STAFF_PATHS = "^/api/v1/staff/"
TEST_CARD = "4242424242424242"
# Webhook endpoints point here: a literal address, so that creating one (which resolves
# the host) asks no DNS server; nothing listens, and no worker would send anyway.
WEBHOOK_URL = "http://127.0.0.1:9/fuzz"
# Fixed, so that the gate fails alike on every machine; NEXUS_FUZZ_SEED explores others.
SEED = os.environ.get("NEXUS_FUZZ_SEED", "20261126")


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[str]:
    """The web server on this run's database, the rate limits out of the fuzzer's way."""
    log_dir = tmp_path_factory.mktemp("fuzz-server")
    with django_db_blocker.unblock(), system.rabbitmq_vhost() as vhost:
        env = system.service_env(
            CELERY_BROKER_URL=system.broker_url(vhost),
            NEXUS_DATA_DIR=str(log_dir),  # uploads and export files
            # Thousands of requests a minute from one address and one account: at the
            # real limits nearly every case would get a 429.
            THROTTLE_AUTH_IP="100000/min",
            THROTTLE_AUTH_ACCOUNT="100000/min",
            THROTTLE_ANON="100000/min",
            THROTTLE_USER="100000/min",
            LOG_LEVEL="WARNING",
        )
        port = system.free_port()
        web = system.web_server(env, log_dir, port, workers=2).start()
        base_url = f"http://127.0.0.1:{port}"
        try:
            system.wait_for(lambda: system.ready(base_url), what="the web server")
            yield base_url
        finally:
            web.stop()


@pytest.fixture(scope="module")
def served_schema(server: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The server's own OpenAPI schema, fetched once for both runs (making it takes the
    server a few seconds)."""
    response = httpx.get(f"{server}/api/schema/", params={"format": "json"}, timeout=60)
    assert response.status_code == 200, response.text
    path = tmp_path_factory.mktemp("fuzz-schema") / "openapi.json"
    path.write_bytes(response.content)
    return path


@dataclass
class Shop:
    """Seeds data through the API as a customer and staff would."""

    http: httpx.Client
    catalog: Catalog = field(default_factory=build_catalog)

    def __post_init__(self) -> None:
        zone = ShippingZone.objects.create(name="Europe", countries="AT,DE,FR")
        self.shipping = ShippingMethod.objects.create(
            zone=zone, name="Standard", price=Decimal("4.90")
        )
        TaxRate.objects.create(country="DE", rate=Decimal(19))

    def sign_in(self, user: User) -> dict[str, str]:
        return self.sign_in_as(self.http, user)

    @staticmethod
    def sign_in_as(http: httpx.Client, user: User) -> dict[str, str]:
        """A bearer header from the real token endpoint."""
        response = http.post(
            "/api/v1/auth/token/", json={"email": user.email, "password": PASSWORD}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access']}"}

    def call(self, method: str, path: str, auth: dict[str, str], **kwargs: Any) -> Any:
        response = self.http.request(method, path, headers=auth, **kwargs)
        assert response.is_success, response.text
        return response.json()

    def cart_with_line(self, auth: dict[str, str]) -> str:
        token = str(self.call("POST", "/api/v1/carts/", auth)["token"])
        line = {"variant": self.catalog.headphones.variants.get().pk, "quantity": 1}
        self.call("POST", f"/api/v1/carts/{token}/lines/", auth, json=line)
        return token

    def order(self, auth: dict[str, str], address_id: int) -> str:
        body = {
            "cart": self.cart_with_line(auth),
            "shipping_address_id": address_id,
            "shipping_method": self.shipping.pk,
        }
        return str(self.call("POST", "/api/v1/checkout/", auth, json=body)["number"])

    def pay(self, auth: dict[str, str], number: str) -> int:
        body = {"payment_method": TEST_CARD}
        payment = self.call("POST", f"/api/v1/orders/{number}/payments/", auth, json=body)
        # What the worker on the payments queue does with the sandbox's event.
        for event in PaymentEvent.objects.filter(processed_at__isnull=True):
            payment_event_process(event_pk=event.pk)
        return int(payment["id"])


def seed(shop: Shop) -> tuple[dict[str, str], dict[str, str], dict[str, list[Any]]]:
    """A customer with an address, a cart, a paid order and an unpaid one; staff with
    the Staff group and the webhooks permissions (granted apart); one object of every
    kind staff manage. Returns both bearer headers and the ids, by dictionary name."""
    customer = UserFactory.create()
    address = AddressFactory.create(user=customer, country="DE")
    staff = StaffFactory.create()
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="webhooks"))
    as_customer, as_staff = shop.sign_in(customer), shop.sign_in(staff)

    paid = shop.order(as_customer, address.pk)
    payment = shop.pay(as_customer, paid)
    to_cancel = shop.order(as_customer, address.pk)
    export = shop.call(
        "POST", "/api/v1/staff/exports/jobs/", as_staff, json={"kind": "orders", "format": "csv"}
    )
    upload = {"file": ("catalog.csv", b"slug,name\n", "text/csv")}
    imported = shop.call("POST", "/api/v1/staff/imports/", as_staff, files=upload)
    endpoint = shop.call(
        "POST",
        "/api/v1/staff/webhooks/",
        as_staff,
        json={"url": WEBHOOK_URL, "event_types": ["order.placed"]},
    )
    placed = OutboxEvent.objects.filter(topic="order.placed").first()
    assert placed is not None
    webhooks.event_fan_out(event_id=placed.pk, event_type=placed.topic, payload=placed.payload)
    catalog = shop.catalog
    ids: dict[str, list[Any]] = {
        "cart": [shop.cart_with_line(as_customer)],
        "order": [paid],
        "order_to_cancel": [to_cancel],
        "payment": [payment],
        "product_slug": [catalog.headphones.slug],
        "category_slug": [catalog.audio.slug],
        "gateway": ["sandbox"],
        "attribute": [catalog.color.pk],
        "brand": [catalog.acme.pk],
        "category": [catalog.shirts.pk],
        "user": [customer.pk],
        "product_type": [catalog.gadget.pk],
        "product": [catalog.headphones.pk],
        "variant": [catalog.headphones.variants.get().pk],
        "warehouse": [catalog.warehouse.pk],
        "export_job": [export["id"]],
        "import_job": [imported["id"]],
        "webhook_endpoint": [endpoint["id"]],
        "webhook_delivery": [WebhookDelivery.objects.get(endpoint_id=endpoint["id"]).pk],
        "webhook_url": [WEBHOOK_URL],
    }
    return as_customer, as_staff, ids


def config_file(ids: dict[str, list[Any]], directory: Path) -> Path:
    """The settings with a ``[dictionaries.<name>]`` table of seeded ids appended."""
    tables = [
        f"\n[dictionaries.{name}]\nvalues = {json.dumps(values)}\n" for name, values in ids.items()
    ]
    path = directory / "schemathesis.toml"
    path.write_text(CONFIG.read_text() + "".join(tables))
    return path


def start_schemathesis(
    config: Path, schema: Path, url: str, auth: dict[str, str], report: Path, *options: str
) -> subprocess.Popen[bytes]:
    argv = [
        str(system.BIN / "schemathesis"), "--config-file", str(config), "run",
        str(schema), "--url", url, "--seed", SEED, "--no-color",
        "--header", f"Authorization: {auth['Authorization']}", *options,
    ]  # fmt: skip
    with report.open("wb") as output:
        return subprocess.Popen(argv, cwd=system.ROOT, stdout=output, stderr=subprocess.STDOUT)


def failed_runs(runs: dict[str, subprocess.Popen[bytes]], reports: dict[str, Path]) -> str:
    """Waits for the runs side by side; the reports of those that failed."""
    started = time.monotonic()
    try:
        for run in runs.values():
            run.wait(timeout=600)
    finally:
        for run in runs.values():
            run.kill()  # only if a run outlived the timeout; a finished one is left as is
            run.wait()
    texts = {role: report.read_text(errors="replace") for role, report in reports.items()}
    summaries = {role: text.strip().rsplit("\n", 1)[-1].strip("= ") for role, text in texts.items()}
    print(f"schemathesis: {time.monotonic() - started:.0f} s; {summaries}")  # noqa: T201
    failed = [role for role, run in runs.items() if run.returncode]
    return "\n".join(f"--- as {role} ---\n{texts[role]}" for role in failed)


def test_a_customer_is_refused_every_staff_operation(server: str, served_schema: Path) -> None:
    """Where fuzzing as staff looks for 5xx and strays from the schema, this asks the
    other side: a signed-in customer gets a 403 from each staff operation, whatever
    the body, before anything is read or looked up."""
    customer = UserFactory.create()
    operations = [
        (method.upper(), re.sub(r"\{[^}]+\}", "1", path))
        for path, methods in json.loads(served_schema.read_text())["paths"].items()
        if re.match(STAFF_PATHS, path)
        for method in methods
    ]
    assert len(operations) > 60
    with httpx.Client(base_url=server, timeout=30) as http:
        auth = Shop.sign_in_as(http, customer)
        answers = {
            (method, path): http.request(method, path, headers=auth, json={"x": 1})
            for method, path in operations
        }
    refused = {key: (r.status_code, r.json()["code"]) for key, r in answers.items()}
    assert set(refused.values()) == {(403, "permission_denied")}, refused


def test_the_api_holds_up_to_fuzzing_as_a_customer_and_as_staff(
    server: str, served_schema: Path, tmp_path: Path
) -> None:
    with httpx.Client(base_url=server, timeout=30) as http:
        as_customer, as_staff, ids = seed(Shop(http))
    config = config_file(ids, tmp_path)
    # Replaced by the gate's own check: see schemathesis_hooks.py.
    checks = ("--checks", "all", "--exclude-checks", "positive_data_acceptance")
    # Side by side: the customer's writes wait on row locks of one account, staff's
    # mostly not, and together they keep both cores busy.
    roles = {
        "customer": (as_customer, "--exclude-path-regex", STAFF_PATHS),
        "staff": (as_staff, "--include-path-regex", STAFF_PATHS),
    }
    reports = {role: tmp_path / f"schemathesis-{role}.txt" for role in roles}
    runs = {
        role: start_schemathesis(
            config, served_schema, server, auth, reports[role], *checks, *selection
        )
        for role, (auth, *selection) in roles.items()
    }
    failed = failed_runs(runs, reports)
    assert not failed, failed


def test_graphql_holds_up_to_fuzzing_as_a_customer_and_as_staff(
    server: str, tmp_path: Path
) -> None:
    """Every operation of the GraphQL schema, as a customer and as staff at once: no
    5xx, no error of the server's, no answer that breaks the schema, and a refused
    query says which rule refused it (schemathesis_hooks.py)."""
    with httpx.Client(base_url=server, timeout=30) as http:
        as_customer, as_staff, _ids = seed(Shop(http))
    checks = ("--checks", "response_schema_conformance,graphql_errors_name_their_rule")
    url = f"{server}/graphql/"
    roles = {"customer": as_customer, "staff": as_staff}
    reports = {role: tmp_path / f"schemathesis-graphql-{role}.txt" for role in roles}
    runs = {
        role: start_schemathesis(GRAPHQL_CONFIG, GRAPHQL_SCHEMA, url, auth, reports[role], *checks)
        for role, auth in roles.items()
    }
    failed = failed_runs(runs, reports)
    assert not failed, failed
