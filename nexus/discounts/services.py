"""Voucher use: quoted for a summary, claimed (under a row lock) when an order is placed."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from nexus.discounts.errors import VoucherInvalid, VoucherNotApplicable, VoucherUsedUp
from nexus.discounts.models import Voucher

CENT = Decimal("0.01")


@dataclass(frozen=True)
class VoucherQuote:
    voucher_id: int
    code: str
    discount: Decimal


def _discount(voucher: Voucher, subtotal: Decimal) -> Decimal:
    if voucher.kind == Voucher.Kind.PERCENTAGE:
        off = (subtotal * voucher.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        off = voucher.value
    return min(off, subtotal)


def _check(
    voucher: Voucher | None, subtotal: Decimal, uses_by_customer: Callable[[int], int]
) -> Voucher:
    now = timezone.now()
    if (
        voucher is None
        or (voucher.starts_at and voucher.starts_at > now)
        or (voucher.ends_at and voucher.ends_at <= now)
    ):
        raise VoucherInvalid(field_errors={"voucher": ["This code is unknown or not valid now."]})
    if voucher.min_spend is not None and subtotal < voucher.min_spend:
        raise VoucherNotApplicable(
            field_errors={"voucher": [f"Needs a subtotal of at least {voucher.min_spend}."]}
        )
    if voucher.usage_limit is not None and voucher.used_count >= voucher.usage_limit:
        raise VoucherUsedUp(field_errors={"voucher": ["This code has been used up."]})
    if voucher.per_customer_limit is not None and (
        uses_by_customer(voucher.pk) >= voucher.per_customer_limit
    ):
        raise VoucherUsedUp(field_errors={"voucher": ["You have used this code already."]})
    return voucher


def voucher_quote(
    *, code: str, subtotal: Decimal, uses_by_customer: Callable[[int], int]
) -> VoucherQuote:
    """The discount the code would give now; raises a voucher error when it would not."""
    voucher = _check(
        Voucher.objects.filter(code=code.strip().upper()).first(), subtotal, uses_by_customer
    )
    return VoucherQuote(voucher.pk, voucher.code, _discount(voucher, subtotal))


@transaction.atomic
def voucher_claim(
    *, code: str, subtotal: Decimal, uses_by_customer: Callable[[int], int]
) -> VoucherQuote:
    """Use the voucher once, inside the caller's transaction.

    The voucher row is locked first, so concurrent checkouts with one code take
    turns: each sees the uses committed before it (limits hold exactly), and the
    CHECK constraint on ``used_count`` is the backstop.
    """
    voucher = _check(
        Voucher.objects.select_for_update().filter(code=code.strip().upper()).first(),
        subtotal,
        uses_by_customer,
    )
    Voucher.objects.filter(pk=voucher.pk).update(used_count=F("used_count") + 1)
    return VoucherQuote(voucher.pk, voucher.code, _discount(voucher, subtotal))


def voucher_release(*, voucher_id: int) -> None:
    """Give a use back (its order was cancelled)."""
    Voucher.objects.filter(pk=voucher_id, used_count__gt=0).update(used_count=F("used_count") - 1)
