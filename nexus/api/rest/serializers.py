"""Base serializers shared by every REST view."""

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


class CharField(_ExactTypeMixin, serializers.CharField):
    json_types = (str,)


class EmailField(_ExactTypeMixin, serializers.EmailField):
    json_types = (str,)


class BooleanField(_ExactTypeMixin, serializers.BooleanField):
    json_types = (bool,)


# PostgreSQL's integer column; larger values would fail in the database, not here.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class IntegerField(_ExactTypeMixin, serializers.IntegerField):
    """A JSON integer: DRF would also take ``"7"`` and ``7.0``."""

    json_types = (int,)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", INT_MIN)
        kwargs.setdefault("max_value", INT_MAX)
        super().__init__(**kwargs)


class MoneyField(_ExactTypeMixin, serializers.DecimalField):
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
