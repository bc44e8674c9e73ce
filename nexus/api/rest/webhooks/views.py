"""Outgoing webhooks for staff: subscriber endpoints, their deliveries, redelivery.

Not granted to the Staff group by default: an endpoint receives customers' order data,
so who may add one is a decision for the shop's administrators.
"""

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.rest.permissions import IsStaff, model_permissions
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.api.rest.webhooks import serializers as s
from nexus.webhooks import selectors, services
from nexus.webhooks.models import WebhookDelivery, WebhookEndpoint

TAGS = ["staff: webhooks"]


class StaffWebhookListView(GenericAPIView[WebhookEndpoint]):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("webhooks.webhookendpoint")
    serializer_class = s.WebhookEndpointOutput
    cursor_ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[WebhookEndpoint]:
        return selectors.endpoint_list()

    @extend_schema(
        summary="Webhook endpoints, newest first (staff)",
        tags=TAGS,
        responses={200: s.WebhookEndpointOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.WebhookEndpointOutput(page, many=True).data)

    @extend_schema(
        summary="Subscribe a URL to events (staff)",
        description=(
            "Each event is POSTed as JSON `{type, timestamp, data}`, signed with the "
            "returned secret in the Standard Webhooks style (`webhook-id`, "
            "`webhook-timestamp`, `webhook-signature`), and retried with backoff until "
            "answered 2xx."
        ),
        tags=TAGS,
        request=s.WebhookEndpointInput,
        responses={201: s.WebhookEndpointWithSecretOutput, **problems(*BODY_ERRORS, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.WebhookEndpointInput(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(**data.validated_data)
        return Response(
            s.WebhookEndpointWithSecretOutput(endpoint).data, status=status.HTTP_201_CREATED
        )


class StaffWebhookDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = model_permissions("webhooks.webhookendpoint")

    @extend_schema(
        summary="One webhook endpoint (staff)",
        tags=TAGS,
        responses={200: s.WebhookEndpointOutput, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, endpoint_id: int) -> Response:
        endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
        return Response(s.WebhookEndpointOutput(endpoint).data)

    @extend_schema(
        summary="Change a webhook endpoint (staff)",
        tags=TAGS,
        request=s.WebhookEndpointInput(partial=True),
        responses={200: s.WebhookEndpointOutput, **problems(*BODY_ERRORS, 401, 403, 404, 429)},
    )
    def patch(self, request: Request, endpoint_id: int) -> Response:
        endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
        data = s.WebhookEndpointInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_update(endpoint=endpoint, changes=data.validated_data)
        return Response(s.WebhookEndpointOutput(endpoint).data)

    @extend_schema(
        summary="Remove a webhook endpoint and its delivery log (staff)",
        tags=TAGS,
        responses={204: None, **problems(401, 403, 404, 429)},
    )
    def delete(self, request: Request, endpoint_id: int) -> Response:
        services.endpoint_delete(endpoint=selectors.endpoint_get(endpoint_id=endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class StaffWebhookSecretView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = {"POST": ["webhooks.change_webhookendpoint"]}

    @extend_schema(
        summary="Replace an endpoint's signing secret (staff)",
        description="The old secret stops verifying with the next attempt.",
        tags=TAGS,
        request=None,
        responses={200: s.WebhookEndpointWithSecretOutput, **problems(401, 403, 404, 429)},
    )
    def post(self, request: Request, endpoint_id: int) -> Response:
        endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
        endpoint = services.endpoint_rotate_secret(endpoint=endpoint)
        return Response(s.WebhookEndpointWithSecretOutput(endpoint).data)


class DeliveryFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=WebhookDelivery.Status.choices)
    event_type = filters.CharFilter(max_length=100)


class StaffWebhookDeliveryListView(GenericAPIView[WebhookDelivery]):
    permission_classes = (IsStaff,)
    required_permissions = ("webhooks.view_webhookdelivery",)
    queryset = WebhookDelivery.objects.none()  # the endpoint's own are listed in get()
    serializer_class = s.WebhookDeliveryOutput
    filter_backends = (filters.DjangoFilterBackend,)
    filterset_class = DeliveryFilter
    cursor_ordering = ("-created_at", "-id")

    @extend_schema(
        summary="An endpoint's deliveries, newest first (staff)",
        tags=TAGS,
        responses={200: s.WebhookDeliveryOutput(many=True), **problems(400, 401, 403, 404, 429)},
    )
    def get(self, request: Request, endpoint_id: int) -> Response:
        endpoint = selectors.endpoint_get(endpoint_id=endpoint_id)
        deliveries = self.filter_queryset(selectors.delivery_list(endpoint=endpoint))
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(s.WebhookDeliveryOutput(page, many=True).data)


class StaffWebhookDeliveryDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = ("webhooks.view_webhookdelivery",)

    @extend_schema(
        summary="One delivery with the body sent and every attempt (staff)",
        tags=TAGS,
        responses={200: s.WebhookDeliveryDetailOutput, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, delivery_id: int) -> Response:
        delivery = selectors.delivery_get(delivery_id=delivery_id)
        return Response(s.WebhookDeliveryDetailOutput(delivery).data)


class StaffWebhookRedeliverView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = ("webhooks.change_webhookdelivery",)

    @extend_schema(
        summary="Send a delivery again now, with a fresh set of retries (staff)",
        tags=TAGS,
        request=None,
        responses={202: s.WebhookDeliveryOutput, **problems(401, 403, 404, 409, 429)},
    )
    def post(self, request: Request, delivery_id: int) -> Response:
        delivery = services.delivery_redeliver(
            delivery=selectors.delivery_get(delivery_id=delivery_id)
        )
        return Response(s.WebhookDeliveryOutput(delivery).data, status=status.HTTP_202_ACCEPTED)
