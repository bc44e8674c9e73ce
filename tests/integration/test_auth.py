"""Registration, tokens, refresh rotation, logout, throttling — over HTTP."""

import base64
import json
import time
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from nexus.accounts.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REGISTER = "/api/v1/auth/register/"
TOKEN = "/api/v1/auth/token/"
REFRESH = "/api/v1/auth/token/refresh/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"


def fields_of(response):
    return {error["field"] for error in response.json().get("errors", [])}


# --- registration ------------------------------------------------------------


def test_register_creates_a_customer_with_an_argon2_password(api):
    response = api.post(
        REGISTER,
        {"email": "  Alice@Example.COM ", "password": "a-long-passphrase", "first_name": "Alice"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "alice@example.com"
    assert body["first_name"] == "Alice"
    assert body["is_staff"] is False
    assert "password" not in body
    user = User.objects.get(email="alice@example.com")
    assert user.password.startswith("argon2")
    assert list(user.groups.values_list("name", flat=True)) == ["Customers"]


def test_register_duplicate_email_any_case_is_a_conflict(api, customer):
    response = api.post(
        REGISTER, {"email": customer.email.upper(), "password": "a-long-passphrase"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "email_taken"
    assert fields_of(response) == {"email"}
    assert User.objects.filter(email=customer.email).count() == 1


@pytest.mark.parametrize(
    ("payload", "bad_fields"),
    [
        ({}, {"email", "password"}),
        ({"email": "not-an-email", "password": "a-long-passphrase"}, {"email"}),
        ({"email": "a@example.com", "password": "short"}, {"password"}),
        ({"email": "a@example.com", "password": "12345678901"}, {"password"}),
        ({"email": "a@example.com", "password": "password"}, {"password"}),
        ({"email": 42, "password": ["x"]}, {"email", "password"}),
        (
            {"email": "a@example.com", "password": "a-long-passphrase", "is_staff": True},
            {"is_staff"},
        ),
    ],
)
def test_register_bad_input_names_each_bad_field(api, payload, bad_fields):
    response = api.post(REGISTER, payload, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert fields_of(response) == bad_fields
    assert not User.objects.exists()


def test_register_body_must_be_an_object(api):
    response = api.post(REGISTER, data="[1, 2]", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "non_field_errors"


def test_malformed_json_is_a_400_that_says_so(api):
    response = api.post(REGISTER, data='{"email": "a@b.c",', content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "malformed_request"
    assert body["detail"].startswith("Malformed JSON")


def test_wrong_content_type_is_415(api):
    response = api.post(
        REGISTER, data="email=a@b.c", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_oversized_body_is_413_and_nothing_is_written(api, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"email": "big@example.com", "password": "x" * 2000})
    response = api.post(REGISTER, data=body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not User.objects.exists()


# --- tokens --------------------------------------------------------------------


def test_token_pair_for_valid_credentials_any_email_case(api, customer):
    response = api.post(
        TOKEN, {"email": customer.email.upper(), "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200
    tokens = response.json()
    assert set(tokens) == {"access", "refresh"}
    me = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    assert me.status_code == 200
    assert me.json()["email"] == customer.email


def test_access_token_is_short_lived_with_audience_and_issuer(api, customer):
    tokens = api.post(TOKEN, {"email": customer.email, "password": PASSWORD}, format="json").json()
    claims = jwt.decode(tokens["access"], options={"verify_signature": False})
    assert claims["aud"] == settings.SIMPLE_JWT["AUDIENCE"]
    assert claims["iss"] == settings.SIMPLE_JWT["ISSUER"]
    assert claims["exp"] - claims["iat"] <= 15 * 60
    assert jwt.get_unverified_header(tokens["access"])["alg"] == "HS256"


def test_unknown_email_and_wrong_password_get_the_same_answer(api, customer):
    wrong_password = api.post(
        TOKEN, {"email": customer.email, "password": "nope-nope-nope"}, format="json"
    )
    unknown_email = api.post(
        TOKEN, {"email": "ghost@example.com", "password": "nope-nope-nope"}, format="json"
    )
    assert wrong_password.status_code == unknown_email.status_code == 401

    def comparable(response):
        return {k: v for k, v in response.json().items() if k != "request_id"}

    assert comparable(wrong_password) == comparable(unknown_email)
    assert comparable(wrong_password)["code"] == "no_active_account"


def test_inactive_user_cannot_sign_in(api):
    user = UserFactory.create(is_active=False)
    response = api.post(TOKEN, {"email": user.email, "password": PASSWORD}, format="json")
    assert response.status_code == 401


def test_token_request_with_unknown_field_is_400(api, customer):
    response = api.post(
        TOKEN, {"email": customer.email, "password": PASSWORD, "remember": True}, format="json"
    )
    assert response.status_code == 400
    assert fields_of(response) == {"remember"}


# --- bad tokens ---------------------------------------------------------------


def _b64(part: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(part).encode()).rstrip(b"=").decode()


def _claims_for(user: User) -> dict[str, object]:
    now = int(time.time())
    return {
        "token_type": "access",
        "user_id": str(user.pk),
        "jti": "x" * 32,
        "iat": now,
        "exp": now + 300,
        "aud": settings.SIMPLE_JWT["AUDIENCE"],
        "iss": settings.SIMPLE_JWT["ISSUER"],
    }


def test_alg_none_token_is_rejected(api, customer):
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims_for(customer))}."
    response = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 401
    assert response.json()["code"] == "token_not_valid"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_forged_signature_is_rejected(api, customer):
    token = jwt.encode(
        _claims_for(customer), "a-forger-does-not-know-the-key" * 2, algorithm="HS256"
    )
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


# The development key is shorter than HS512 would like; irrelevant to what is tested.
@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_other_algorithm_with_the_right_key_is_rejected(api, customer):
    token = jwt.encode(_claims_for(customer), settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS512")
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_wrong_audience_is_rejected(api, customer):
    claims = {**_claims_for(customer), "aud": "another-service"}
    token = jwt.encode(claims, settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_correctly_signed_token_is_accepted(api, customer):
    # The control for the forgeries above: the same claims, properly signed, work.
    token = jwt.encode(_claims_for(customer), settings.SIMPLE_JWT["SIGNING_KEY"], algorithm="HS256")
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200


def test_expired_access_token_is_rejected(api, customer):
    token = AccessToken.for_user(customer)
    token.set_exp(lifetime=-timedelta(seconds=1))
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_garbage_authorization_header_is_401(api, db):
    for header in ("Bearer", "Bearer a b", "Bearer not.a.jwt", "Basic Zm9vOmJhcg=="):
        response = api.get(ME, HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header


def test_token_of_a_deleted_user_is_rejected(api, customer):
    token = AccessToken.for_user(customer)
    customer.delete()
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


# --- refresh rotation and logout -----------------------------------------------


def test_refresh_rotates_and_the_old_refresh_token_is_dead(api, customer):
    first = api.post(TOKEN, {"email": customer.email, "password": PASSWORD}, format="json").json()
    second = api.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert second.status_code == 200
    assert second.json()["refresh"] != first["refresh"]

    replay = api.post(REFRESH, {"refresh": first["refresh"]}, format="json")
    assert replay.status_code == 401
    assert replay.json()["code"] == "token_not_valid"
    assert (
        api.post(REFRESH, {"refresh": second.json()["refresh"]}, format="json").status_code == 200
    )


def test_access_token_cannot_be_used_as_refresh(api, customer):
    access = str(AccessToken.for_user(customer))
    assert api.post(REFRESH, {"refresh": access}, format="json").status_code == 401


def test_refresh_needs_a_token(api, db):
    response = api.post(REFRESH, {}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"refresh"}


def test_logout_revokes_the_refresh_token(api, client_for, customer):
    refresh = str(RefreshToken.for_user(customer))
    response = client_for(customer).post(LOGOUT, {"refresh": refresh}, format="json")
    assert response.status_code == 204
    assert api.post(REFRESH, {"refresh": refresh}, format="json").status_code == 401


def test_logout_with_another_users_token_changes_nothing(api, client_for, customer, other_customer):
    theirs = str(RefreshToken.for_user(other_customer))
    response = client_for(customer).post(LOGOUT, {"refresh": theirs}, format="json")
    assert response.status_code == 400
    assert fields_of(response) == {"refresh"}
    assert api.post(REFRESH, {"refresh": theirs}, format="json").status_code == 200


def test_logout_with_a_bad_token_is_400(client_for, customer):
    response = client_for(customer).post(LOGOUT, {"refresh": "garbage"}, format="json")
    assert response.status_code == 400


def test_logout_requires_sign_in(api, customer):
    refresh = str(RefreshToken.for_user(customer))
    assert api.post(LOGOUT, {"refresh": refresh}, format="json").status_code == 401


# --- throttling --------------------------------------------------------------------


def test_sign_in_is_throttled_per_account_across_ips(api, customer, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_account": "3/min"}
    payload = {"email": customer.email, "password": "wrong-wrong-wrong"}
    for n in range(3):
        response = api.post(TOKEN, payload, format="json", REMOTE_ADDR=f"10.0.0.{n}")
        assert response.status_code == 401
    blocked = api.post(TOKEN, payload, format="json", REMOTE_ADDR="10.0.0.99")
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    # Another account is not affected.
    other = api.post(TOKEN, {"email": "x@example.com", "password": "p"}, format="json")
    assert other.status_code == 401


def test_sign_in_and_registration_are_throttled_per_ip(api, db, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_ip": "2/min"}
    assert (
        api.post(TOKEN, {"email": "a@example.com", "password": "p"}, format="json").status_code
        == 401
    )
    assert api.post(REGISTER, {"email": "b@example.com"}, format="json").status_code == 400
    blocked = api.post(
        REGISTER, {"email": "c@example.com", "password": "a-long-passphrase"}, format="json"
    )
    assert blocked.status_code == 429
    assert not User.objects.exists()
    # A forged X-Forwarded-For does not reset the count: only REMOTE_ADDR is trusted.
    spoofed = api.post(
        TOKEN,
        {"email": "a@example.com", "password": "p"},
        format="json",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert spoofed.status_code == 429


@pytest.mark.parametrize(
    "payload", [{"email": 42, "password": "p"}, {"email": "a@b.c", "password": True}]
)
def test_token_request_with_wrong_types_is_400(api, db, payload):
    response = api.post(TOKEN, payload, format="json")
    assert response.status_code == 400
