"""Hooks of the API fuzzing gate, loaded by schemathesis (see schemathesis.toml).

Its own check: schemathesis's ``positive_data_acceptance`` wants every request its
schema allows to be accepted, judging by the status alone. This API refuses some of
them on purpose, for rules no schema states: a password too weak, a cart over its
limits or empty, stock that ran out, a cursor or refresh token it never issued, an id
of nothing (``does_not_exist``), a maximum price below the minimum. Each such refusal
carries a code naming the rule (``weak_password``, ``cart_limit``, ``invalid_cursor``).
A refusal of a schema-valid request with a generic form code (``required``,
``max_length``, ``unknown_field``, ``invalid``…), though, means the schema does not
say what the server checks: that stays a failure. The test runs this check in place
of schemathesis's (``--exclude-checks positive_data_acceptance``).
"""

import ast
import json
import re
import threading
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.graphql import nodes
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.graphql.schemas import GraphQLSchema
from schemathesis.specs.openapi.checks import positive_data_acceptance

# DRF's own error codes for a value of the wrong form, and ours for unknown fields: a
# schema-valid request refused with one of these found something the schema omits.
FORM_CODES = frozenset({
    "invalid", "required", "null", "blank", "empty", "max_length", "min_length",
    "max_value", "min_value", "max_digits", "max_decimal_places", "max_whole_digits",
    "max_string_length", "invalid_choice", "not_a_list", "not_a_dict", "incorrect_type",
    "date", "datetime", "overflow", "make_aware", "unknown_field",
    "malformed_request", "bad_request", "unsupported_media_type",
})  # fmt: skip
# Refusals of a well-formed request for a rule of the shop (DomainError: 400, 422).
RULE_STATUSES = frozenset({400, 422})


def refusal_codes(response: Any) -> set[str]:
    """Every field error's code, or the problem's own code when it names no field."""
    try:
        problem = json.loads(response.content)
    except ValueError:
        return set()
    if not isinstance(problem, dict):
        return set()
    errors = [error for error in problem.get("errors") or () if isinstance(error, dict)]
    if errors:
        return {str(error.get("code")) for error in errors}
    return {str(problem.get("code"))}


@schemathesis.check
def positive_data_accepted_or_refused_by_a_rule(ctx: Any, response: Any, case: Any) -> Any:
    """Schema-valid input is accepted, or refused under a code naming a shop rule."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        codes = refusal_codes(response)
        if response.status_code in RULE_STATUSES and codes and not codes & FORM_CODES:
            return None
        raise


# The coverage phase sends one case per country code (249) for every operation that
# takes an address, and checkout takes two: some 1,500 cases down one code path, half
# of the customer's run. These stand for them: the shop's zones, and a few others.
COUNTRIES = frozenset({"AF", "AT", "AX", "DE", "FR", "GB", "JP", "US", "ZW"})


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    """Drop the coverage phase's country-code cases but for the sample above."""
    data = getattr(getattr(case.meta, "phase", None), "data", None)
    description = str(getattr(data, "description", ""))
    if getattr(data, "scenario", None) != "valid_object" or not description.endswith(
        "'country' value: Enum value"
    ):
        return True
    value: Any = case.body
    for name in re.findall(r"'(\w+)' value", description):
        value = value.get(name) if isinstance(value, dict) else None
    return not isinstance(value, str) or value in COUNTRIES


# --- GraphQL -------------------------------------------------------------------------
# A refused GraphQL request is a 200 with `errors`, each with `extensions.code` naming the
# rule (permission_denied, invalid_page_size, invalid_text…): schemathesis's own checks
# call every such error a failure. This one asks what the REST gate asks: no 5xx, no
# error of ours (the schema masks those as "Unexpected error.", with no code), and a
# query the schema allows refused only under a code.
MASKED_ERROR = "Unexpected error."

# Decimal arguments (prices, amounts) travel as strings of a decimal number.
schemathesis.graphql.scalar(
    "Decimal",
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False).map(
        lambda value: nodes.String(str(value))
    ),
)


@schemathesis.check
def graphql_errors_name_their_rule(ctx: Any, response: Any, case: Any) -> Any:
    """Every GraphQL error is the client's and says which rule refused it."""
    if not isinstance(case.operation.schema, GraphQLSchema):
        return None
    if response.status_code >= 500:
        raise AssertionError(f"{response.status_code} from the server")
    try:
        errors = json.loads(response.content).get("errors") or []
    except (ValueError, AttributeError):
        raise AssertionError("the response is not a JSON object") from None
    negative = case.meta is not None and case.meta.generation.mode.is_negative
    for error in errors:
        code = (error.get("extensions") or {}).get("code")
        if error.get("message") == MASKED_ERROR:
            raise AssertionError(f"an error of the server's: {error}")
        if not (code or negative):
            raise AssertionError(f"a query the schema allows, refused without a code: {error}")
    return None


# CPython before 3.11.8 keeps the AST constructor's recursion depth in state that all
# threads share (python/cpython#106905): two threads in ``ast.parse`` at once, or one
# whose conversion a garbage collection interrupts, can fail with "SystemError: AST
# constructor recursion depth mismatch". Hypothesis parses sources from several places
# (describing and rewriting filter lambdas, collecting constants), in each of
# schemathesis's worker threads, and this machine's Python is 3.11.7. Guarding one of
# those callers was not enough (CI failed on another): every ``ast.parse`` in this
# process takes one lock. Reentrant, so a parse inside a gc callback cannot deadlock.
_parsing = threading.RLock()
_ast_parse = ast.parse


def _one_parse_at_a_time(*args: Any, **kwargs: Any) -> Any:
    with _parsing:
        return _ast_parse(*args, **kwargs)


ast.parse = _one_parse_at_a_time
