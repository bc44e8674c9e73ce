from typing import Any

from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from nexus.api.rest.serializers import BooleanField, CharField, InputSerializer
from nexus.webhooks.errors import WebhookUrlRefused
from nexus.webhooks.models import EVENT_TYPES, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class WebhookUrlField(serializers.URLField):
    """A URL events can be sent to. Which those are is more than a URL's syntax (Django
    refuses host names longer than DNS allows; the service then wants http(s) and a
    public address), so a refusal has the service's own code."""

    def run_validators(self, value: Any) -> None:
        try:
            super().run_validators(value)
        except serializers.ValidationError as exc:
            messages = exc.detail if isinstance(exc.detail, list) else [exc.detail]
            raise serializers.ValidationError(
                [ErrorDetail(str(message), code=WebhookUrlRefused.code) for message in messages]
            ) from exc


class WebhookEndpointInput(InputSerializer):
    url = WebhookUrlField(
        max_length=2000,
        help_text="Where events are POSTed: http(s), resolving to a public address.",
    )
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_TYPES),
        min_length=1,
        max_length=len(EVENT_TYPES),
        help_text="The events to receive.",
    )
    description = CharField(max_length=200, required=False, allow_blank=True)
    is_active = BooleanField(required=False, help_text="false: hold deliveries (kept pending).")


class WebhookEndpointOutput(serializers.ModelSerializer[WebhookEndpoint]):
    event_types = serializers.ListField(child=serializers.ChoiceField(choices=EVENT_TYPES))

    class Meta:
        model = WebhookEndpoint
        fields: tuple[str, ...] = (
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "created_at",
        )
        read_only_fields = fields


class WebhookEndpointWithSecretOutput(WebhookEndpointOutput):
    secret = serializers.CharField(
        help_text=(
            "The signing secret (Standard Webhooks, whsec_…): shown only when created or "
            "rotated; keep it with the receiver."
        )
    )

    class Meta(WebhookEndpointOutput.Meta):
        fields = (*WebhookEndpointOutput.Meta.fields, "secret")
        read_only_fields = fields


class WebhookDeliveryOutput(serializers.ModelSerializer[WebhookDelivery]):
    endpoint = serializers.IntegerField(source="endpoint_id")
    message_id = serializers.CharField(help_text="The webhook-id header receivers dedupe on.")

    class Meta:
        model = WebhookDelivery
        fields: tuple[str, ...] = (
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "message_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_latency_ms",
            "last_error",
            "created_at",
            "delivered_at",
        )
        read_only_fields = fields


class WebhookAttemptOutput(serializers.ModelSerializer[WebhookAttempt]):
    class Meta:
        model = WebhookAttempt
        fields = ("attempted_at", "status_code", "latency_ms", "error", "response_excerpt")
        read_only_fields = fields


class WebhookDeliveryDetailOutput(WebhookDeliveryOutput):
    body = serializers.CharField(help_text="The exact JSON body sent.")
    log = WebhookAttemptOutput(many=True, help_text="Every attempt, oldest first.")

    class Meta(WebhookDeliveryOutput.Meta):
        fields = (*WebhookDeliveryOutput.Meta.fields, "body", "log")
        read_only_fields = fields
