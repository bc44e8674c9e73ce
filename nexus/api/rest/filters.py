"""Filter building blocks shared by list endpoints."""

from typing import Any

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField


class BooleanFilter(filters.TypedChoiceFilter):
    """``true`` or ``false`` only: django-filter's own ignores any other value,
    so a typo would silently return the unfiltered list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", (("true", "true"), ("false", "false")))
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)


class _BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value: Any) -> Any:
        parsed = super().to_python(value)
        if parsed is not None and not 1000 <= parsed.year <= 9998:
            raise forms.ValidationError("Give a date between the years 1000 and 9998.")
        return parsed


class DateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time within years 1000 to 9998.

    Outside that range converting to UTC can overflow (year 9999 at -10:00), which
    the database adapter turned into a 500 instead of a clear 400.
    """

    field_class = _BoundedIsoDateTimeField
