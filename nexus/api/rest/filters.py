"""Filter building blocks shared by list endpoints."""

from typing import Any

from django_filters import rest_framework as filters


class BooleanFilter(filters.TypedChoiceFilter):
    """``true`` or ``false`` only: django-filter's own ignores any other value,
    so a typo would silently return the unfiltered list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", (("true", "true"), ("false", "false")))
        kwargs.setdefault("coerce", lambda value: value == "true")
        super().__init__(*args, **kwargs)
