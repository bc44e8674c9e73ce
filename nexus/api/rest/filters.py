"""Filter building blocks shared by list endpoints, and how the schema states them."""

from typing import Any

from django import forms
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField, ModelChoiceField
from drf_spectacular.contrib.django_filters import DjangoFilterExtension


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
            raise forms.ValidationError(
                "Give a date between the years 1000 and 9998.", code="date_out_of_range"
            )
        return parsed


class DateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 date-time within years 1000 to 9998.

    Outside that range converting to UTC can overflow (year 9999 at -10:00), which
    the database adapter turned into a 500 instead of a clear 400.
    """

    field_class = _BoundedIsoDateTimeField


class _ObjectIdField(ModelChoiceField):
    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError as exc:
            if exc.code != "invalid_choice":
                raise
            raise forms.ValidationError("No such object.", code="does_not_exist") from exc


class ObjectFilter(filters.ModelChoiceFilter):
    """The id of an existing object; another id is a 400 saying there is no such object
    (django-filter calls it an invalid choice, as if the ids were a fixed list)."""

    field_class = _ObjectIdField


class FilterSchemaExtension(DjangoFilterExtension):  # type: ignore[no-untyped-call]
    """django-filter's query parameters as these filters take them.

    - An empty value is the same as leaving the parameter out (``allowEmptyValue``).
    - A text filter's ``max_length`` is stated (longer values are a 400), and so is a
      number filter's maximum (django-filter's guard against overflow: 1e50).
    - ``BooleanFilter`` takes the strings ``true`` and ``false`` (drf-spectacular
      says "a boolean, one of the strings", which nothing satisfies).
    """

    priority = 1

    def resolve_filter_field(
        self, auto_schema: Any, model: Any, filterset_class: Any, field_name: str, filter_field: Any
    ) -> list[dict[str, Any]]:
        parameters: list[dict[str, Any]] = super().resolve_filter_field(  # type: ignore[no-untyped-call]
            auto_schema, model, filterset_class, field_name, filter_field
        )
        for parameter in parameters:
            schema = parameter["schema"]
            if isinstance(filter_field, BooleanFilter):
                schema["type"] = "string"
            max_length = filter_field.extra.get("max_length")
            if max_length is not None and schema.get("type") == "string":
                schema["maxLength"] = max_length
            if isinstance(filter_field, filters.NumberFilter):
                limit = filter_field.get_max_validator()
                if limit is not None:
                    schema["maximum"] = limit.limit_value
            parameter["allowEmptyValue"] = True
        return parameters
