from typing import ClassVar

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from nexus.accounts.models import Address, User


class UserCreationAdminForm(UserCreationForm[User]):
    class Meta:
        model = User
        fields = ("email",)


class UserChangeAdminForm(UserChangeForm[User]):
    class Meta:
        model = User
        fields = "__all__"


class AddressInline(admin.StackedInline[Address, User]):
    model = Address
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active", "groups")
    search_fields = ("email", "first_name", "last_name")
    readonly_fields = ("last_login", "date_joined")
    inlines: ClassVar = [AddressInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin[Address]):
    list_display = ("__str__", "user", "country", "is_default_shipping", "is_default_billing")
    list_filter = ("country",)
    search_fields = ("user__email", "last_name", "city", "postal_code")
    raw_id_fields = ("user",)
