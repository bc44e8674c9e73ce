from typing import Any

from django_countries.serializer_fields import CountryField
from rest_framework import serializers
from rest_framework_simplejwt.serializers import TokenObtainPairSerializer

from nexus.accounts.models import Address, User
from nexus.api.rest.serializers import (
    BooleanField,
    CharField,
    EmailField,
    InputSerializer,
    RejectUnknownFieldsMixin,
    UUIDField,
)

# --- input ---------------------------------------------------------------------


class RegisterInput(InputSerializer):
    email = EmailField(max_length=254)
    password = CharField(max_length=128, trim_whitespace=False)
    first_name = CharField(max_length=150, required=False, allow_blank=True)
    last_name = CharField(max_length=150, required=False, allow_blank=True)


class TokenObtainInput(RejectUnknownFieldsMixin, TokenObtainPairSerializer):
    """Email and password for a token pair (the email matches without case)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[self.username_field] = CharField(write_only=True, max_length=254)
        self.fields["password"] = CharField(
            write_only=True, max_length=128, trim_whitespace=False, style={"input_type": "password"}
        )
        self.fields["cart"] = UUIDField(
            write_only=True,
            required=False,
            help_text="A guest cart's token: its lines move into the customer's cart.",
        )
        self.guest_cart: Any = None

    def validate(self, attrs: dict[str, Any]) -> dict[str, str]:
        self.guest_cart = attrs.pop("cart", None)
        data: dict[str, str] = super().validate(attrs)
        return data


class RefreshInput(InputSerializer):
    refresh = CharField(help_text="The current refresh token; it works once.")


class TokenPairOutput(serializers.Serializer[Any]):
    access = CharField(help_text="Bearer token for API calls (short-lived).")
    refresh = CharField(help_text="Use once at /auth/token/refresh/; rotates.")


class LogoutInput(InputSerializer):
    refresh = CharField(help_text="The refresh token to revoke.", max_length=4096)


class ProfileUpdateInput(InputSerializer):
    first_name = CharField(max_length=150, required=False, allow_blank=True)
    last_name = CharField(max_length=150, required=False, allow_blank=True)


class PasswordResetRequestInput(InputSerializer):
    email = EmailField(max_length=254)


class PasswordResetConfirmInput(InputSerializer):
    uid = CharField(max_length=64, help_text="From the reset link.")
    token = CharField(max_length=128, help_text="From the reset link.")
    new_password = CharField(max_length=128, trim_whitespace=False)


class PasswordChangeInput(InputSerializer):
    current_password = CharField(max_length=128, trim_whitespace=False)
    new_password = CharField(max_length=128, trim_whitespace=False)


class StrictCountryField(CountryField):
    """An ISO code as a non-empty string: django-countries also takes objects and ``""``."""

    def to_internal_value(self, data: Any) -> Any:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


class PostalAddressInput(InputSerializer):
    """A postal address as a customer writes it (address book and checkout)."""

    first_name = CharField(max_length=150)
    last_name = CharField(max_length=150)
    company = CharField(max_length=200, required=False, allow_blank=True)
    line1 = CharField(max_length=200)
    line2 = CharField(max_length=200, required=False, allow_blank=True)
    city = CharField(max_length=120)
    postal_code = CharField(max_length=20, required=False, allow_blank=True)
    region = CharField(max_length=120, required=False, allow_blank=True)
    country = StrictCountryField(help_text="ISO 3166-1 alpha-2 code, e.g. DE.")
    phone = CharField(max_length=32, required=False, allow_blank=True)


class AddressInput(PostalAddressInput):
    is_default_shipping = BooleanField(required=False)
    is_default_billing = BooleanField(required=False)

    def replacement(self) -> dict[str, Any]:
        """For PUT: optional text fields not sent are cleared, not kept."""
        cleared = {
            name: ""
            for name, field in self.fields.items()
            if isinstance(field, CharField) and not field.required
        }
        return {**cleared, **self.validated_data}


# --- output --------------------------------------------------------------------


class UserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = ("id", "email", "first_name", "last_name", "is_staff", "date_joined")
        read_only_fields = fields


class StaffUserOutput(serializers.ModelSerializer[User]):
    class Meta:
        model = User
        fields = (
            "id",
            "email",
            "first_name",
            "last_name",
            "is_staff",
            "is_active",
            "date_joined",
            "last_login",
        )
        read_only_fields = fields


class AddressOutput(serializers.ModelSerializer[Address]):
    country = CountryField()

    class Meta:
        model = Address
        fields = (
            "id",
            "first_name",
            "last_name",
            "company",
            "line1",
            "line2",
            "city",
            "postal_code",
            "region",
            "country",
            "phone",
            "is_default_shipping",
            "is_default_billing",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields
