"""Base serializers shared by every REST view."""

import re
from decimal import Decimal
from typing import Any

from rest_framework import serializers


class RejectUnknownFieldsMixin:
    """Reject input keys the serializer does not declare.

    DRF silently drops unknown keys, so a misspelt field would be ignored while the
    client believes it was applied; here it is a 400 naming the field.
    """

    fields: Any
    initial_data: Any

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}, code="unknown_field"
                )
        return super().to_internal_value(data)  # type: ignore[misc]


class _ExactTypeMixin:
    """JSON input must already have the right type: DRF would turn ``7`` into ``"7"``
    and ``"yes"`` into ``True``, hiding a client's bug."""

    json_types: tuple[type, ...]

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) and bool not in self.json_types:
            self.fail("invalid")  # type: ignore[attr-defined]
        if not isinstance(data, self.json_types):
            self.fail("invalid")  # type: ignore[attr-defined]
        return super().to_internal_value(data)  # type: ignore[misc]


class _SentLengthMixin(_ExactTypeMixin):
    """The longest text is counted as sent, as the schema's ``maxLength`` counts it:
    DRF counts after trimming surrounding whitespace, so 201 characters starting with
    a newline passed a limit of 200."""

    max_length: int | None

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and self.max_length is not None and len(data) > self.max_length:
            self.fail("max_length", max_length=self.max_length)  # type: ignore[attr-defined]
        return super().to_internal_value(data)


class CharField(_SentLengthMixin, serializers.CharField):
    json_types = (str,)


class EmailField(_SentLengthMixin, serializers.EmailField):
    json_types = (str,)


class SlugField(_SentLengthMixin, serializers.SlugField):
    json_types = (str,)


class BooleanField(_ExactTypeMixin, serializers.BooleanField):
    json_types = (bool,)


class FormBooleanField(serializers.BooleanField):
    """A boolean in a multipart form, where every value is text: ``true`` or ``false``
    (DRF would also read ``1``, ``on``, ``yes``…)."""

    def to_internal_value(self, data: Any) -> bool:
        if isinstance(data, str) and data in ("true", "false"):
            return data == "true"
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)
        raise AssertionError  # fail() raises


class UUIDField(_ExactTypeMixin, serializers.UUIDField):
    """A UUID as a JSON string: DRF would also make one of ``5``, or of ``false``."""

    json_types = (str,)


# PostgreSQL's integer column; larger values would fail in the database, not here.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class IntegerField(_ExactTypeMixin, serializers.IntegerField):
    """A JSON integer: DRF would also take ``"7"`` and ``7.0``."""

    json_types = (int,)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(**kwargs)


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The plain decimal strings a field takes, as the schema states them: ASCII digits,
    at most its whole and decimal places, a sign only when it may be negative."""
    places = field.decimal_places
    whole = (
        field.max_digits - places if field.max_digits is not None and places is not None else None
    )
    digits = f"[0-9]{{1,{whole}}}" if whole is not None else "[0-9]+"
    fraction = f"[0-9]{{1,{places}}}" if places is not None else "[0-9]+"
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    return rf"^{sign}{digits}(?:\.{fraction})?$"


_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")


class PlainDecimalField(serializers.DecimalField):
    """A decimal whose strings are plain ones, as the schema's pattern states them:
    nothing else Python's ``Decimal`` reads (``1e3``, `` 5``, ``٣``, ``.5``) is taken,
    nor more digits than the pattern allows written as leading zeros. Too many digits
    or decimal places, or a value below the minimum, keep DRF's own error codes."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pattern = re.compile(decimal_pattern(self))

    def validate_empty_values(self, data: Any) -> tuple[bool, Any]:
        # DRF's DecimalField reads "" as null when null is allowed; here it is refused
        # like any other string that is not a decimal (null is JSON's null).
        return serializers.Field.validate_empty_values(self, data)

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            return super().to_internal_value(data)
        if not _PLAIN_DECIMAL.fullmatch(data):
            self.fail("invalid")
        value = super().to_internal_value(data)
        below_minimum = self.min_value is not None and value < self.min_value
        if not below_minimum and not self.pattern.fullmatch(data):  # the minimum says why
            self.fail("invalid")
        return value


class MoneyField(_ExactTypeMixin, PlainDecimalField):
    """An amount of at least 0 as a decimal string: a JSON number would pass through a
    float and could arrive changed."""

    json_types = (str,)
    default_error_messages = {"invalid": 'Give the amount as a decimal string, e.g. "19.99".'}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal(0), **kwargs)


class InputSerializer(RejectUnknownFieldsMixin, serializers.Serializer[Any]):
    """Validates a request body; the view passes ``validated_data`` to a service."""


class ProblemFieldErrorSerializer(serializers.Serializer[Any]):
    field = serializers.CharField(help_text="Path of the field, dotted for nested ones.")
    code = serializers.CharField()
    detail = serializers.CharField()


class ProblemSerializer(serializers.Serializer[Any]):
    """RFC 9457 problem details, as every error response of this API."""

    type = serializers.CharField(help_text="URI naming the problem type.")
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    code = serializers.CharField(help_text="Stable, machine-readable error code.")
    instance = serializers.CharField(required=False)
    request_id = serializers.CharField(required=False)
    # DRF's metaclass moves declared fields off the class: this does not shadow .errors.
    errors = ProblemFieldErrorSerializer(many=True, required=False)  # type: ignore[assignment]
