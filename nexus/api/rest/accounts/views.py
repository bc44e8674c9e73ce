"""Accounts over REST: thin views that validate, call a service, render."""

from typing import Any, cast

from django.db.models import Q, QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.exceptions import InvalidToken, TokenError
from rest_framework_simplejwt.views import TokenObtainPairView

from nexus.accounts import selectors, services
from nexus.accounts.models import Address, User
from nexus.api.rest.accounts import serializers as s
from nexus.api.rest.filters import BooleanFilter, DateTimeFilter
from nexus.api.rest.permissions import IsStaff
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.api.rest.throttles import AUTH_THROTTLES
from nexus.checkout import services as cart_services


def _user(request: Request) -> User:
    """The signed-in user; views call it only after IsAuthenticated has passed."""
    return cast("User", request.user)


# --- auth ----------------------------------------------------------------------


class RegisterView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()  # a stale Authorization header must not block sign-up
    throttle_classes = AUTH_THROTTLES

    @extend_schema(
        summary="Register a customer account",
        tags=["auth"],
        request=s.RegisterInput,
        responses={201: s.UserOutput, **problems(*BODY_ERRORS, 409, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.RegisterInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register(**data.validated_data)
        return Response(s.UserOutput(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(TokenObtainPairView):
    throttle_classes = AUTH_THROTTLES
    serializer_class = s.TokenObtainInput

    @extend_schema(
        summary="Sign in: email and password for an access and a refresh token",
        description=(
            "An unknown email and a wrong password get the same 401 and take the same time."
        ),
        tags=["auth"],
        responses={200: s.TokenPairOutput, **problems(*BODY_ERRORS, 401, 429)},
        auth=[],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = cast("s.TokenObtainInput", self.get_serializer(data=request.data))
        try:
            serializer.is_valid(raise_exception=True)
        except TokenError as exc:
            raise InvalidToken(exc.args[0]) from exc
        if serializer.guest_cart is not None and serializer.user is not None:
            cart_services.cart_merge(guest_token=serializer.guest_cart, user=serializer.user)
        return Response(serializer.validated_data)


class TokenRefreshRotateView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()  # the refresh token in the body is the credential

    @extend_schema(
        summary="Trade a refresh token for a new pair; the old refresh token is revoked",
        tags=["auth"],
        request=s.RefreshInput,
        responses={200: s.TokenPairOutput, **problems(*BODY_ERRORS, 401, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.RefreshInput(data=request.data)
        data.is_valid(raise_exception=True)
        pair = services.refresh_token_rotate(token=data.validated_data["refresh"])
        return Response(s.TokenPairOutput(pair).data)


class LogoutView(APIView):
    @extend_schema(
        summary="Sign out: revoke a refresh token",
        tags=["auth"],
        request=s.LogoutInput,
        responses={204: None, **problems(*BODY_ERRORS, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.LogoutInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.refresh_token_revoke(user=_user(request), token=data.validated_data["refresh"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- me ------------------------------------------------------------------------


class MeView(APIView):
    @extend_schema(
        summary="The signed-in user's profile",
        tags=["me"],
        responses={200: s.UserOutput, **problems(401, 429)},
    )
    def get(self, request: Request) -> Response:
        return Response(s.UserOutput(_user(request)).data)

    @extend_schema(
        summary="Update the signed-in user's name",
        tags=["me"],
        request=s.ProfileUpdateInput,
        responses={200: s.UserOutput, **problems(*BODY_ERRORS, 401, 429)},
    )
    def patch(self, request: Request) -> Response:
        data = s.ProfileUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update_profile(user=_user(request), changes=data.validated_data)
        return Response(s.UserOutput(user).data)


class PasswordResetRequestView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = AUTH_THROTTLES

    @extend_schema(
        summary="Email a password reset link",
        description=(
            "Always 202 with the same body, whether or not the email has an account; "
            "an account gets a link that works once, for PASSWORD_RESET_TIMEOUT seconds."
        ),
        tags=["auth"],
        request=s.PasswordResetRequestInput,
        responses={202: None, **problems(*BODY_ERRORS, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.PasswordResetRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_request(email=data.validated_data["email"])
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    permission_classes = (AllowAny,)
    authentication_classes = ()
    throttle_classes = AUTH_THROTTLES

    @extend_schema(
        summary="Set a new password with the emailed link's uid and token",
        description="Every refresh token of the account is revoked; the link stops working.",
        tags=["auth"],
        request=s.PasswordResetConfirmInput,
        responses={204: None, **problems(*BODY_ERRORS, 429)},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        data = s.PasswordResetConfirmInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.password_reset_confirm(**data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    # Guessing the current password with a stolen access token is a sign-in attack too.
    throttle_classes = AUTH_THROTTLES

    @extend_schema(
        summary="Change password; every refresh token of the account is revoked",
        tags=["me"],
        request=s.PasswordChangeInput,
        responses={204: None, **problems(*BODY_ERRORS, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.PasswordChangeInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.user_change_password(user=_user(request), **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class AddressListView(GenericAPIView[Address]):
    serializer_class = s.AddressOutput

    def get_queryset(self) -> QuerySet[Address]:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Address.objects.none()
        return selectors.address_list_for_user(user=_user(self.request))

    @extend_schema(
        summary="List the signed-in user's addresses",
        tags=["me"],
        responses={200: s.AddressOutput(many=True), **problems(400, 401, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.AddressOutput(page, many=True).data)

    @extend_schema(
        summary="Add an address; the first one becomes the default",
        tags=["me"],
        request=s.AddressInput,
        responses={201: s.AddressOutput, **problems(*BODY_ERRORS, 401, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.AddressInput(data=request.data)
        data.is_valid(raise_exception=True)
        address = services.address_create(user=_user(request), data=data.validated_data)
        return Response(s.AddressOutput(address).data, status=status.HTTP_201_CREATED)


class AddressDetailView(APIView):
    def _address(self, request: Request, address_id: int) -> Address:
        return selectors.address_get_for_user(user=_user(request), address_id=address_id)

    @extend_schema(
        summary="One of the signed-in user's addresses",
        tags=["me"],
        responses={200: s.AddressOutput, **problems(401, 404, 429)},
    )
    def get(self, request: Request, address_id: int) -> Response:
        return Response(s.AddressOutput(self._address(request, address_id)).data)

    def _update(self, request: Request, address_id: int, *, partial: bool) -> Response:
        address = self._address(request, address_id)
        data = s.AddressInput(data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        changes = data.validated_data if partial else data.replacement()
        address = services.address_update(address=address, changes=changes)
        return Response(s.AddressOutput(address).data)

    @extend_schema(
        summary="Replace an address",
        tags=["me"],
        request=s.AddressInput,
        responses={200: s.AddressOutput, **problems(*BODY_ERRORS, 401, 404, 429)},
    )
    def put(self, request: Request, address_id: int) -> Response:
        return self._update(request, address_id, partial=False)

    @extend_schema(
        summary="Change some fields of an address",
        tags=["me"],
        request=s.AddressInput(partial=True),
        responses={200: s.AddressOutput, **problems(*BODY_ERRORS, 401, 404, 429)},
    )
    def patch(self, request: Request, address_id: int) -> Response:
        return self._update(request, address_id, partial=True)

    @extend_schema(
        summary="Delete an address",
        tags=["me"],
        responses={204: None, **problems(401, 404, 429)},
    )
    def delete(self, request: Request, address_id: int) -> Response:
        services.address_delete(address=self._address(request, address_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- staff ---------------------------------------------------------------------


class CustomerFilter(filters.FilterSet):
    search = filters.CharFilter(method="filter_search", help_text="Part of email or name.")
    is_active = BooleanFilter()
    is_staff = BooleanFilter()
    joined_after = DateTimeFilter(field_name="date_joined", lookup_expr="gte")
    joined_before = DateTimeFilter(field_name="date_joined", lookup_expr="lt")

    class Meta:
        model = User
        fields: tuple[str, ...] = ()

    def filter_search(self, queryset: QuerySet[User], name: str, value: str) -> QuerySet[User]:
        return queryset.filter(
            Q(email__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
        )


class StaffCustomerListView(GenericAPIView[User]):
    permission_classes = (IsStaff,)
    required_permissions = ("accounts.view_user",)
    serializer_class = s.StaffUserOutput
    filterset_class = CustomerFilter

    def get_queryset(self) -> QuerySet[User]:
        return selectors.user_list()

    @extend_schema(
        summary="List accounts (staff)",
        tags=["staff: customers"],
        responses={200: s.StaffUserOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.StaffUserOutput(page, many=True).data)


class StaffCustomerDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = ("accounts.view_user",)

    @extend_schema(
        summary="One account (staff)",
        tags=["staff: customers"],
        responses={200: s.StaffUserOutput, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, user_id: int) -> Response:
        return Response(s.StaffUserOutput(selectors.user_get(user_id=user_id)).data)
