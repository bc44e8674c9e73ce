"""The exportable resources, each tied to its staff list endpoint's filters and
permission, so that an export shows exactly what the list would."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from django_filters.utils import translate_validation
from rest_framework.exceptions import ValidationError

from nexus.accounts import selectors as accounts_selectors
from nexus.accounts.models import User
from nexus.api.rest.accounts.views import CustomerFilter
from nexus.api.rest.catalog.staff_views import StaffProductFilter
from nexus.api.rest.orders.staff_views import StaffOrderFilter
from nexus.catalog import staff_selectors as catalog_selectors
from nexus.exports.models import ExportKind
from nexus.exports.scopes import scope_register
from nexus.orders import selectors as orders_selectors


@dataclass(frozen=True)
class ExportResource:
    kind: ExportKind
    filterset_class: type[filters.FilterSet]
    queryset: Callable[[], QuerySet[Any]]
    # What the list endpoint requires (GET); exports show the same rows.
    permission: str

    def filtered(self, data: Mapping[str, str]) -> QuerySet[Any]:
        """The list endpoint's filters applied; invalid values are a 400."""
        filterset = self.filterset_class(data=data, queryset=self.queryset())
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        return cast("QuerySet[Any]", filterset.qs)

    def check_filter_names(self, data: Mapping[str, str]) -> None:
        unknown = sorted(set(data) - set(self.filterset_class.base_filters))
        if unknown:
            raise ValidationError({name: ["Not a filter of this export."] for name in unknown})


RESOURCES: dict[str, ExportResource] = {
    ExportKind.ORDERS: ExportResource(
        kind=ExportKind.ORDERS,
        filterset_class=StaffOrderFilter,
        queryset=orders_selectors.order_list,
        permission="orders.view_order",
    ),
    ExportKind.PRODUCTS: ExportResource(
        kind=ExportKind.PRODUCTS,
        filterset_class=StaffProductFilter,
        queryset=catalog_selectors.product_list,
        permission="catalog.view_product",
    ),
    ExportKind.CUSTOMERS: ExportResource(
        kind=ExportKind.CUSTOMERS,
        filterset_class=CustomerFilter,
        queryset=accounts_selectors.user_list,
        permission="accounts.view_user",
    ),
}

for _kind, _resource in RESOURCES.items():
    # An export job, run by a worker, resolves its stored filters through these.
    scope_register(kind=_kind, resolver=_resource.filtered)


def kinds_visible_to(user: User) -> list[str]:
    return [kind for kind, resource in RESOURCES.items() if user.has_perm(resource.permission)]
