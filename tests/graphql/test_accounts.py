"""Accounts over GraphQL: the same serializers, services, rules and limits as REST."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from nexus.accounts import services
from nexus.accounts.models import Address, User
from nexus.checkout.models import Cart
from nexus.core.models import OutboxEvent
from tests.factories import PASSWORD, AddressFactory, UserFactory
from tests.graphql.client import data, error_codes, gql

pytestmark = pytest.mark.django_db

MASKED = "Unexpected error."

REGISTER = """
mutation Register($input: RegisterInput!) {
  register(input: $input) {
    user { id email firstName lastName isStaff dateJoined }
    errors { code message field }
  }
}
"""

TOKEN_CREATE = """
mutation TokenCreate($input: TokenCreateInput!) {
  tokenCreate(input: $input) {
    token { access refresh cartToken }
    errors { code message field }
  }
}
"""

TOKEN_REFRESH = """
mutation TokenRefresh($refresh: String!) {
  tokenRefresh(refresh: $refresh) { token { access refresh } errors { code field } }
}
"""

LOGOUT = """
mutation Logout($refresh: String!) { logout(refresh: $refresh) { ok errors { code field } } }
"""

PASSWORD_CHANGE = """
mutation PasswordChange($input: PasswordChangeInput!) {
  passwordChange(input: $input) { ok errors { code field } }
}
"""

RESET_REQUEST = """
mutation ResetRequest($email: String!) {
  passwordResetRequest(email: $email) { ok errors { code field } }
}
"""

RESET_CONFIRM = """
mutation ResetConfirm($input: PasswordResetConfirmInput!) {
  passwordResetConfirm(input: $input) { ok errors { code field } }
}
"""

PROFILE_UPDATE = """
mutation ProfileUpdate($input: ProfileUpdateInput!) {
  profileUpdate(input: $input) { user { firstName lastName email } errors { code field } }
}
"""

ME = "{ me { id email firstName lastName isStaff dateJoined } }"

ADDRESS_FIELDS = """
id firstName lastName company line1 line2 city postalCode region country phone
isDefaultShipping isDefaultBilling createdAt updatedAt
"""

ADDRESSES = f"""
query Addresses($first: Int, $after: String) {{
  addresses(first: $first, after: $after) {{
    edges {{ cursor node {{ {ADDRESS_FIELDS} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""

ADDRESS = f"query Address($id: Int!) {{ address(id: $id) {{ {ADDRESS_FIELDS} }} }}"

ADDRESS_CREATE = f"""
mutation AddressCreate($input: AddressCreateInput!) {{
  addressCreate(input: $input) {{ address {{ {ADDRESS_FIELDS} }} errors {{ code message field }} }}
}}
"""

ADDRESS_UPDATE = f"""
mutation AddressUpdate($id: Int!, $input: AddressUpdateInput!) {{
  addressUpdate(id: $id, input: $input) {{
    address {{ {ADDRESS_FIELDS} }} errors {{ code message field }}
  }}
}}
"""

ADDRESS_DELETE = """
mutation AddressDelete($id: Int!) {
  addressDelete(id: $id) { deletedId errors { code message field } }
}
"""

VALID_ADDRESS = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "line1": "12 St James's Square",
    "city": "London",
    "postalCode": "SW1Y 4JH",
    "country": "GB",
}


def fields_of(payload):
    return {error["field"] for error in payload["errors"]}


def codes_of(payload):
    return [error["code"] for error in payload["errors"]]


def assert_refused_by_graphql(body):
    """Ill-typed input: GraphQL's own validation error, never a masked server error."""
    assert body.get("data") is None, body
    assert body["errors"], body
    assert all(error["message"] != MASKED for error in body["errors"]), body


def post_from(remote_addr, query, variables):
    """A request from a given client address, as the per-IP limits see it."""
    response = Client().post(
        "/graphql/",
        {"query": query, "variables": variables},
        content_type="application/json",
        REMOTE_ADDR=remote_addr,
    )
    assert response.status_code == 200, response.content
    return response.json()


def refresh_works(refresh):
    return not data(TOKEN_REFRESH, {"refresh": refresh})["tokenRefresh"]["errors"]


def sign_in(email, password):
    return data(TOKEN_CREATE, {"input": {"email": email, "password": password}})["tokenCreate"]


# --- register -------------------------------------------------------------------------


def test_register_creates_a_customer(db):
    payload = data(
        REGISTER,
        {
            "input": {
                "email": "  Alice@Example.COM ",
                "password": "a-long-passphrase",
                "firstName": "Alice",
            }
        },
    )["register"]
    assert payload["errors"] == []
    assert payload["user"]["email"] == "alice@example.com"
    assert payload["user"]["firstName"] == "Alice"
    assert payload["user"]["lastName"] == ""
    assert payload["user"]["isStaff"] is False
    user = User.objects.get(email="alice@example.com")
    assert payload["user"]["id"] == user.pk
    assert user.password.startswith("argon2")
    assert list(user.groups.values_list("name", flat=True)) == ["Customers"]


def test_register_ignores_a_stale_access_token(customer):
    stale = AccessToken.for_user(customer)
    customer.delete()
    payload = data(
        REGISTER,
        {"input": {"email": "new@example.com", "password": "a-long-passphrase"}},
        token=str(stale),
    )["register"]
    assert payload["errors"] == []


def test_register_duplicate_email_any_case_is_refused(customer):
    payload = data(
        REGISTER, {"input": {"email": customer.email.upper(), "password": "a-long-passphrase"}}
    )["register"]
    assert payload["user"] is None
    assert codes_of(payload) == ["email_taken"]
    assert fields_of(payload) == {"email"}
    assert User.objects.filter(email=customer.email).count() == 1


@pytest.mark.parametrize(
    ("given", "bad_fields"),
    [
        ({"email": "not-an-email", "password": "a-long-passphrase"}, {"email"}),
        ({"email": "", "password": "a-long-passphrase"}, {"email"}),
        ({"email": "a@example.com", "password": "short"}, {"password"}),
        ({"email": "a@example.com", "password": "12345678901"}, {"password"}),
        ({"email": "a@example.com", "password": "password"}, {"password"}),
        (
            {"email": "a@example.com", "password": "a-long-passphrase", "firstName": None},
            {"firstName"},
        ),
        (
            {"email": "a@example.com", "password": "a-long-passphrase", "lastName": "x" * 151},
            {"lastName"},
        ),
    ],
)
def test_register_bad_values_name_each_bad_field(db, given, bad_fields):
    payload = data(REGISTER, {"input": given})["register"]
    assert payload["user"] is None
    assert fields_of(payload) == bad_fields
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"email": "a@example.com"},
        {"email": 42, "password": "a-long-passphrase"},
        {"email": "a@example.com", "password": ["x"]},
        {"email": "a@example.com", "password": "a-long-passphrase", "isStaff": True},
    ],
)
def test_register_ill_typed_input_is_a_graphql_error(db, given):
    assert_refused_by_graphql(gql(REGISTER, {"input": given}))
    assert not User.objects.exists()


# --- tokens ---------------------------------------------------------------------------


def test_token_create_for_valid_credentials_any_email_case(customer):
    payload = sign_in(customer.email.upper(), PASSWORD)
    assert payload["errors"] == []
    assert payload["token"]["cartToken"] is None
    me = data(ME, token=payload["token"]["access"])["me"]
    assert me["email"] == customer.email
    assert refresh_works(payload["token"]["refresh"])


def test_unknown_email_and_wrong_password_get_the_same_answer(customer):
    wrong_password = sign_in(customer.email, "nope-nope-nope")
    unknown_email = sign_in("ghost@example.com", "nope-nope-nope")
    assert wrong_password == unknown_email
    assert wrong_password["token"] is None
    assert codes_of(wrong_password) == ["no_active_account"]


def test_an_inactive_user_cannot_sign_in(db):
    user = UserFactory.create(is_active=False)
    assert codes_of(sign_in(user.email, PASSWORD)) == ["no_active_account"]


@pytest.mark.parametrize(
    ("given", "bad_field"),
    [({"email": "", "password": PASSWORD}, "email"), ({"password": ""}, "password")],
)
def test_token_create_blank_values_name_the_field(customer, given, bad_field):
    payload = data(TOKEN_CREATE, {"input": {"email": customer.email, **given}})["tokenCreate"]
    assert payload["token"] is None
    assert fields_of(payload) == {bad_field}


@pytest.mark.parametrize(
    "given",
    [
        {"email": 42, "password": "p"},
        {"email": "a@b.c", "password": True},
        {"email": "a@b.c", "password": "p", "cart": "not-a-uuid"},
        {"email": "a@b.c", "password": "p", "remember": True},
    ],
)
def test_token_create_ill_typed_input_is_a_graphql_error(db, given):
    assert_refused_by_graphql(gql(TOKEN_CREATE, {"input": given}))


def test_signing_in_with_a_guest_cart_merges_it(api, customer, catalog):
    shirt = catalog.red_shirt.variants.order_by("sku")[0]
    guest = api.post("/api/v1/carts/").json()["token"]
    added = api.post(
        f"/api/v1/carts/{guest}/lines/", {"variant": shirt.pk, "quantity": 2}, format="json"
    )
    assert added.status_code == 201

    payload = data(
        TOKEN_CREATE, {"input": {"email": customer.email, "password": PASSWORD, "cart": guest}}
    )["tokenCreate"]

    assert payload["errors"] == []
    merged_into = Cart.objects.get(token=payload["token"]["cartToken"])
    assert merged_into.user == customer
    assert [(line.variant_id, line.quantity) for line in merged_into.lines.all()] == [(shirt.pk, 2)]
    assert Cart.objects.get(token=guest).status == Cart.Status.MERGED


def test_a_wrong_password_merges_no_cart(api, customer, catalog):
    guest = api.post("/api/v1/carts/").json()["token"]
    payload = data(
        TOKEN_CREATE, {"input": {"email": customer.email, "password": "wrong-one", "cart": guest}}
    )["tokenCreate"]
    assert codes_of(payload) == ["no_active_account"]
    assert Cart.objects.get(token=guest).status == Cart.Status.OPEN
    assert not Cart.objects.filter(user=customer).exists()


def test_refresh_rotates_and_the_old_refresh_token_is_dead(customer):
    first = sign_in(customer.email, PASSWORD)["token"]
    second = data(TOKEN_REFRESH, {"refresh": first["refresh"]})["tokenRefresh"]
    assert second["errors"] == []
    assert second["token"]["refresh"] != first["refresh"]
    replay = data(TOKEN_REFRESH, {"refresh": first["refresh"]})["tokenRefresh"]
    assert replay["token"] is None
    assert codes_of(replay) == ["token_not_valid"]
    assert refresh_works(second["token"]["refresh"])


@pytest.mark.parametrize(
    ("refresh", "code", "field"),
    [("garbage", "token_not_valid", None), ("", "blank", "refresh")],
)
def test_refresh_with_a_bad_token_is_refused(db, refresh, code, field):
    payload = data(TOKEN_REFRESH, {"refresh": refresh})["tokenRefresh"]
    assert payload["token"] is None
    assert payload["errors"] == [{"code": code, "field": field}]


def test_an_access_token_cannot_be_used_as_refresh(customer):
    payload = data(TOKEN_REFRESH, {"refresh": str(AccessToken.for_user(customer))})
    assert codes_of(payload["tokenRefresh"]) == ["token_not_valid"]


def test_refresh_ill_typed_is_a_graphql_error(db):
    assert_refused_by_graphql(gql(TOKEN_REFRESH, {"refresh": 7}))
    assert_refused_by_graphql(gql("mutation { tokenRefresh { errors { code } } }"))


# --- logout ---------------------------------------------------------------------------


def test_logout_revokes_the_refresh_token(customer):
    refresh = str(RefreshToken.for_user(customer))
    payload = data(LOGOUT, {"refresh": refresh}, user=customer)["logout"]
    assert payload == {"ok": True, "errors": []}
    assert not refresh_works(refresh)


def test_logout_with_another_users_token_changes_nothing(customer, other_customer):
    theirs = str(RefreshToken.for_user(other_customer))
    payload = data(LOGOUT, {"refresh": theirs}, user=customer)["logout"]
    assert payload["ok"] is False
    assert fields_of(payload) == {"refresh"}
    assert refresh_works(theirs)


def test_logout_with_a_bad_token_names_the_field(customer):
    payload = data(LOGOUT, {"refresh": "garbage"}, user=customer)["logout"]
    assert payload["ok"] is False
    assert fields_of(payload) == {"refresh"}


def test_logout_requires_sign_in(customer):
    refresh = str(RefreshToken.for_user(customer))
    body = gql(LOGOUT, {"refresh": refresh})
    assert error_codes(body) == ["not_authenticated"]
    assert refresh_works(refresh)


# --- me and profile --------------------------------------------------------------------


def test_me_shows_only_the_signed_in_user(customer, other_customer):
    me = data(ME, user=customer)["me"]
    assert me["id"] == customer.pk
    assert me["email"] == customer.email
    assert me["isStaff"] is False


def test_me_requires_sign_in(db):
    body = gql(ME)
    assert body["data"] is None
    assert error_codes(body) == ["not_authenticated"]


@pytest.mark.parametrize("header", ["garbage", "not.a.jwt"])
def test_me_with_a_bad_token_is_an_authentication_error(db, header):
    assert error_codes(gql(ME, token=header)) == ["authentication_failed"]


def test_me_with_the_token_of_a_deleted_user_is_refused(customer):
    token = str(AccessToken.for_user(customer))
    customer.delete()
    assert error_codes(gql(ME, token=token)) == ["authentication_failed"]


def test_profile_update_changes_only_what_is_given(customer):
    payload = data(PROFILE_UPDATE, {"input": {"firstName": "Ada"}}, user=customer)
    assert payload["profileUpdate"]["errors"] == []
    assert payload["profileUpdate"]["user"]["firstName"] == "Ada"
    before_last_name = customer.last_name
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == ("Ada", before_last_name)


@pytest.mark.parametrize(
    ("given", "bad_field"),
    [({"firstName": "x" * 151}, "firstName"), ({"lastName": None}, "lastName")],
)
def test_profile_update_bad_values_change_nothing(customer, given, bad_field):
    before = (customer.first_name, customer.last_name)
    payload = data(PROFILE_UPDATE, {"input": given}, user=customer)["profileUpdate"]
    assert payload["user"] is None
    assert fields_of(payload) == {bad_field}
    customer.refresh_from_db()
    assert (customer.first_name, customer.last_name) == before


@pytest.mark.parametrize(
    "given", [{"email": "new@example.com"}, {"isStaff": True}, {"lastName": 7}]
)
def test_profile_update_cannot_touch_other_fields(customer, given):
    assert_refused_by_graphql(gql(PROFILE_UPDATE, {"input": given}, user=customer))
    customer.refresh_from_db()
    assert customer.is_staff is False


def test_profile_update_requires_sign_in(db):
    body = gql(PROFILE_UPDATE, {"input": {"firstName": "Ada"}})
    assert error_codes(body) == ["not_authenticated"]


# --- passwords -------------------------------------------------------------------------


def test_password_change_signs_out_everywhere(customer):
    old_refresh = str(RefreshToken.for_user(customer))
    payload = data(
        PASSWORD_CHANGE,
        {"input": {"currentPassword": PASSWORD, "newPassword": "a-brand-new-passphrase"}},
        user=customer,
    )["passwordChange"]
    assert payload == {"ok": True, "errors": []}
    assert not refresh_works(old_refresh)
    assert codes_of(sign_in(customer.email, PASSWORD)) == ["no_active_account"]
    assert sign_in(customer.email, "a-brand-new-passphrase")["errors"] == []


@pytest.mark.parametrize(
    ("given", "code", "field"),
    [
        (
            {"currentPassword": "not-it-at-all", "newPassword": "a-brand-new-passphrase"},
            "wrong_password",
            "currentPassword",
        ),
        ({"currentPassword": PASSWORD, "newPassword": "123"}, "weak_password", "newPassword"),
        ({"currentPassword": PASSWORD, "newPassword": ""}, "blank", "newPassword"),
    ],
)
def test_password_change_refusals_keep_the_password(customer, given, code, field):
    payload = data(PASSWORD_CHANGE, {"input": given}, user=customer)["passwordChange"]
    assert payload["ok"] is False
    assert {(e["code"], e["field"]) for e in payload["errors"]} == {(code, field)}
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_password_change_requires_sign_in(db):
    body = gql(PASSWORD_CHANGE, {"input": {"currentPassword": "a", "newPassword": "b"}})
    assert error_codes(body) == ["not_authenticated"]


def test_password_change_ill_typed_is_a_graphql_error(customer):
    body = gql(PASSWORD_CHANGE, {"input": {"currentPassword": PASSWORD}}, user=customer)
    assert_refused_by_graphql(body)


def test_password_reset_request_answers_the_same_for_any_email(customer):
    known = gql(RESET_REQUEST, {"email": customer.email})
    unknown = gql(RESET_REQUEST, {"email": "nobody@example.com"})
    assert known == unknown == {"data": {"passwordResetRequest": {"ok": True, "errors": []}}}
    requested = OutboxEvent.objects.filter(topic="user.password_reset_requested")
    assert [event.payload["user"] for event in requested] == [customer.pk]


def test_password_reset_request_needs_an_email(db):
    payload = data(RESET_REQUEST, {"email": "not-an-email"})["passwordResetRequest"]
    assert payload["ok"] is False
    assert fields_of(payload) == {"email"}
    assert_refused_by_graphql(gql(RESET_REQUEST, {"email": None}))


def test_password_reset_confirm_sets_the_password_once(customer):
    old_refresh = str(RefreshToken.for_user(customer))
    uid, token = services.password_reset_token(user=customer)
    given = {"uid": uid, "token": token, "newPassword": "a-brand-new-passphrase"}

    weak = data(RESET_CONFIRM, {"input": {**given, "newPassword": "123"}})
    assert set(codes_of(weak["passwordResetConfirm"])) == {"weak_password"}
    done = data(RESET_CONFIRM, {"input": given})["passwordResetConfirm"]
    assert done == {"ok": True, "errors": []}
    again = data(RESET_CONFIRM, {"input": given})["passwordResetConfirm"]
    assert again["errors"] == [{"code": "reset_token_invalid", "field": "token"}]

    assert not refresh_works(old_refresh)
    assert sign_in(customer.email, "a-brand-new-passphrase")["errors"] == []


@pytest.mark.parametrize(
    ("given", "bad_field"),
    [
        ({"uid": "bm9wZQ", "token": "nope"}, "token"),
        ({"uid": "x" * 65, "token": "nope"}, "uid"),
        ({"uid": "", "token": "nope"}, "uid"),
    ],
)
def test_password_reset_confirm_with_a_bad_link_is_refused(customer, given, bad_field):
    payload = data(RESET_CONFIRM, {"input": {**given, "newPassword": "a-brand-new-passphrase"}})
    assert fields_of(payload["passwordResetConfirm"]) == {bad_field}
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


# --- rate limits ------------------------------------------------------------------------


def test_sign_in_is_throttled_per_account_across_ips(customer, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_account": "3/min"}
    given = {"input": {"email": customer.email, "password": "wrong-wrong-wrong"}}
    for n in range(3):
        body = post_from(f"10.0.0.{n}", TOKEN_CREATE, given)
        assert codes_of(body["data"]["tokenCreate"]) == ["no_active_account"]
    blocked = post_from("10.0.0.99", TOKEN_CREATE, given)
    assert blocked["data"] is None
    assert error_codes(blocked) == ["throttled"]
    assert blocked["errors"][0]["extensions"]["retryAfter"] > 0
    # The right password is refused too while the account is throttled.
    right = {"input": {"email": customer.email, "password": PASSWORD}}
    assert error_codes(post_from("10.0.0.98", TOKEN_CREATE, right)) == ["throttled"]
    # Another account is not affected.
    other = post_from("10.0.0.99", TOKEN_CREATE, {"input": {"email": "x@ex.com", "password": "p"}})
    assert codes_of(other["data"]["tokenCreate"]) == ["no_active_account"]


def test_rest_and_graphql_attempts_share_the_per_ip_limit(api, db, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_ip": "3/min"}
    rest = api.post(
        "/api/v1/auth/token/", {"email": "a@example.com", "password": "p"}, format="json"
    )
    assert rest.status_code == 401
    register = {"input": {"email": "b@example.com", "password": "short"}}
    assert fields_of(post_from("127.0.0.1", REGISTER, register)["data"]["register"]) == {"password"}
    reset = post_from("127.0.0.1", RESET_REQUEST, {"email": "c@example.com"})
    assert reset["data"]["passwordResetRequest"]["ok"] is True

    blocked = post_from(
        "127.0.0.1", REGISTER, {"input": {"email": "d@example.com", "password": "a-long-pass"}}
    )
    assert error_codes(blocked) == ["throttled"]
    assert not User.objects.exists()
    assert error_codes(
        post_from(
            "127.0.0.1",
            RESET_CONFIRM,
            {"input": {"uid": "x", "token": "y", "newPassword": "a-long-passphrase"}},
        )
    ) == ["throttled"]
    # Another address still gets through.
    elsewhere = post_from("10.9.9.9", RESET_REQUEST, {"email": "c@example.com"})
    assert elsewhere["data"]["passwordResetRequest"]["ok"] is True


def test_password_change_is_throttled_per_account(customer, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_account": "2/min"}
    guess = {"input": {"currentPassword": "guess-guess", "newPassword": "a-brand-new-pass"}}
    for _ in range(2):
        payload = data(PASSWORD_CHANGE, guess, user=customer)["passwordChange"]
        assert codes_of(payload) == ["wrong_password"]
    assert error_codes(gql(PASSWORD_CHANGE, guess, user=customer)) == ["throttled"]


def test_aliases_do_not_escape_the_limit(customer, settings):
    settings.THROTTLE_RATES = {**settings.THROTTLE_RATES, "auth_account": "2/min"}
    attempt = f'tokenCreate(input: {{email: "{customer.email}", password: "wrong-pass"}})'
    document = (
        "mutation { "
        + " ".join(f"a{n}: {attempt} {{ errors {{ code }} }}" for n in range(3))
        + " }"
    )
    body = gql(document)
    assert error_codes(body) == ["throttled"]


# --- addresses ------------------------------------------------------------------------


def create_address(user, **overrides):
    payload = data(ADDRESS_CREATE, {"input": {**VALID_ADDRESS, **overrides}}, user=user)
    assert payload["addressCreate"]["errors"] == [], payload
    return payload["addressCreate"]["address"]


def test_first_address_becomes_both_defaults(customer):
    address = create_address(customer)
    assert address["country"] == "GB"
    assert (address["company"], address["line2"], address["region"]) == ("", "", "")
    assert address["isDefaultShipping"] is True
    assert address["isDefaultBilling"] is True
    assert Address.objects.get().user == customer


def test_a_new_default_replaces_the_old_one(customer):
    first = create_address(customer)
    second = create_address(customer, isDefaultShipping=True)
    assert (second["isDefaultShipping"], second["isDefaultBilling"]) == (True, False)
    first_now = data(ADDRESS, {"id": first["id"]}, user=customer)["address"]
    assert (first_now["isDefaultShipping"], first_now["isDefaultBilling"]) == (False, True)


def test_updating_a_default_flag_clears_it_elsewhere(customer):
    first = create_address(customer)
    second = create_address(customer)
    payload = data(
        ADDRESS_UPDATE, {"id": second["id"], "input": {"isDefaultBilling": True}}, user=customer
    )["addressUpdate"]
    assert payload["address"]["isDefaultBilling"] is True
    first_now = data(ADDRESS, {"id": first["id"]}, user=customer)["address"]
    assert (first_now["isDefaultShipping"], first_now["isDefaultBilling"]) == (True, False)


def test_deleting_the_default_hands_it_to_the_newest_other_address(customer):
    first = create_address(customer)
    second = create_address(customer)
    payload = data(ADDRESS_DELETE, {"id": first["id"]}, user=customer)["addressDelete"]
    assert payload == {"deletedId": first["id"], "errors": []}
    heir = data(ADDRESS, {"id": second["id"]}, user=customer)["address"]
    assert (heir["isDefaultShipping"], heir["isDefaultBilling"]) == (True, True)
    assert data(ADDRESS, {"id": first["id"]}, user=customer)["address"] is None


def test_update_changes_only_the_given_fields(customer):
    created = create_address(customer, company="Analytical Engines")
    payload = data(ADDRESS_UPDATE, {"id": created["id"], "input": {"city": "Bath"}}, user=customer)[
        "addressUpdate"
    ]
    assert payload["errors"] == []
    assert payload["address"]["city"] == "Bath"
    assert payload["address"]["line1"] == VALID_ADDRESS["line1"]
    assert payload["address"]["company"] == "Analytical Engines"
    nothing = data(ADDRESS_UPDATE, {"id": created["id"], "input": {}}, user=customer)
    assert nothing["addressUpdate"]["address"]["city"] == "Bath"


def test_the_address_matches_rest(client_for, customer):
    created = create_address(customer, phone="+44 20 7946 0000")
    rest = client_for(customer).get(f"/api/v1/me/addresses/{created['id']}/").json()
    assert {
        "id": rest["id"],
        "firstName": rest["first_name"],
        "line1": rest["line1"],
        "postalCode": rest["postal_code"],
        "country": rest["country"],
        "phone": rest["phone"],
        "isDefaultShipping": rest["is_default_shipping"],
    } == {
        key: created[key]
        for key in (
            "id",
            "firstName",
            "line1",
            "postalCode",
            "country",
            "phone",
            "isDefaultShipping",
        )
    }


@pytest.mark.parametrize(
    ("overrides", "bad_fields"),
    [
        ({"country": "XX"}, {"country"}),
        ({"country": ""}, {"country"}),
        ({"city": ""}, {"city"}),
        ({"line1": "x" * 201}, {"line1"}),
        ({"company": None}, {"company"}),
        ({"isDefaultShipping": None}, {"isDefaultShipping"}),
    ],
)
def test_bad_address_values_name_the_field_and_write_nothing(customer, overrides, bad_fields):
    payload = data(ADDRESS_CREATE, {"input": {**VALID_ADDRESS, **overrides}}, user=customer)
    assert payload["addressCreate"]["address"] is None
    assert fields_of(payload["addressCreate"]) == bad_fields
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    "given",
    [
        {**VALID_ADDRESS, "country": 49},
        {**VALID_ADDRESS, "isDefaultShipping": "perhaps"},
        {**VALID_ADDRESS, "user": 1},
        {key: value for key, value in VALID_ADDRESS.items() if key != "lastName"},
    ],
)
def test_ill_typed_address_input_is_a_graphql_error(customer, given):
    assert_refused_by_graphql(gql(ADDRESS_CREATE, {"input": given}, user=customer))
    assert not Address.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "bad_field"),
    [({"city": ""}, "city"), ({"country": "XX"}, "country"), ({"firstName": None}, "firstName")],
)
def test_bad_update_values_change_nothing(customer, overrides, bad_field):
    created = create_address(customer)
    payload = data(ADDRESS_UPDATE, {"id": created["id"], "input": overrides}, user=customer)
    assert fields_of(payload["addressUpdate"]) == {bad_field}
    assert Address.objects.get().city == VALID_ADDRESS["city"]


def test_address_ids_must_be_integers(customer):
    assert_refused_by_graphql(gql(ADDRESS, {"id": "abc"}, user=customer))
    assert_refused_by_graphql(gql(ADDRESS_DELETE, {"id": 2**40}, user=customer))


def test_an_unknown_address_is_null_or_not_found(customer):
    assert data(ADDRESS, {"id": 999999}, user=customer)["address"] is None
    updated = data(ADDRESS_UPDATE, {"id": 999999, "input": {"city": "Bath"}}, user=customer)
    assert codes_of(updated["addressUpdate"]) == ["address_not_found"]
    deleted = data(ADDRESS_DELETE, {"id": 999999}, user=customer)["addressDelete"]
    assert deleted["deletedId"] is None
    assert codes_of(deleted) == ["address_not_found"]


@pytest.mark.parametrize("who", ["other_customer", "staff"])
def test_someone_elses_address_is_indistinguishable_from_a_missing_one(request, customer, who):
    theirs = AddressFactory.create(user=customer, city="Paris")
    caller = request.getfixturevalue(who)
    assert data(ADDRESS, {"id": theirs.pk}, user=caller)["address"] is None
    missing = data(ADDRESS, {"id": 999999}, user=caller)["address"]
    assert missing is None
    updated = data(ADDRESS_UPDATE, {"id": theirs.pk, "input": {"city": "Rome"}}, user=caller)
    unknown = data(ADDRESS_UPDATE, {"id": 999999, "input": {"city": "Rome"}}, user=caller)
    assert updated["addressUpdate"] == unknown["addressUpdate"]
    deleted = data(ADDRESS_DELETE, {"id": theirs.pk}, user=caller)["addressDelete"]
    assert codes_of(deleted) == ["address_not_found"]
    theirs.refresh_from_db()
    assert theirs.city == "Paris"
    assert data(ADDRESSES, user=caller)["addresses"]["edges"] == []


@pytest.mark.parametrize(
    ("query", "variables"),
    [
        (ADDRESSES, {}),
        (ADDRESS, {"id": 1}),
        (ADDRESS_CREATE, {"input": VALID_ADDRESS}),
        (ADDRESS_UPDATE, {"id": 1, "input": {"city": "Bath"}}),
        (ADDRESS_DELETE, {"id": 1}),
    ],
)
def test_addresses_require_sign_in(db, query, variables):
    body = gql(query, variables)
    assert not any((body["data"] or {}).values())
    assert error_codes(body) == ["not_authenticated"]
    assert not Address.objects.exists()


def test_list_shows_only_own_addresses_newest_first(customer, other_customer):
    mine = AddressFactory.create_batch(3, user=customer)
    AddressFactory.create_batch(2, user=other_customer)
    page = data(ADDRESSES, user=customer)["addresses"]
    assert [edge["node"]["id"] for edge in page["edges"]] == [a.pk for a in reversed(mine)]
    assert page["pageInfo"]["hasNextPage"] is False


def test_cursor_pages_walk_the_whole_list_once(customer):
    ids = {a.pk for a in AddressFactory.create_batch(7, user=customer)}
    seen, after = [], None
    while True:
        page = data(ADDRESSES, {"first": 3, "after": after}, user=customer)["addresses"]
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == len(ids) == 7
    assert set(seen) == ids


@pytest.mark.parametrize(
    ("variables", "code"),
    [
        ({"first": 0}, "invalid_page_size"),
        ({"first": 101}, "invalid_page_size"),
        ({"after": "garbage"}, "invalid_cursor"),
        ({"after": "WyJ4Il0"}, "invalid_cursor"),  # ["x"]: decodes, but is no id
    ],
)
def test_bad_paging_arguments_are_request_errors(customer, variables, code):
    assert error_codes(gql(ADDRESSES, variables, user=customer)) == [code]


def test_the_address_list_costs_the_same_queries_at_any_page_size(customer):
    AddressFactory.create_batch(12, user=customer)
    # Not gql(user=...): that records a refresh token, a write inside the count.
    access = str(AccessToken.for_user(customer))
    counts = []
    for size in (2, 10):
        with CaptureQueriesContext(connection) as queries:
            page = data(ADDRESSES, {"first": size}, token=access)["addresses"]
        assert len(page["edges"]) == size
        counts.append(len(queries))
    assert counts == [2, 2], counts  # the user, the page
