"""Exports for staff: streamed as they are produced, or written by a job to download.

``GET /exports/{orders|products|customers}/?format=csv|ndjson&<list filters>`` streams
the rows the staff list endpoint would show (its FilterSet and its permission), oldest
first. CSV has one row per order line (per variant for products) with the parent's
columns repeated; NDJSON has one object per order (product) with a ``lines``
(``variants``) array.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, cast

from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ErrorDetail, PermissionDenied, ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.accounts.models import User
from nexus.api.rest.exports import serializers as s
from nexus.api.rest.exports.resources import RESOURCES, ExportResource, kinds_visible_to
from nexus.api.rest.permissions import IsStaff
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.exports import selectors, services
from nexus.exports.encoders import CONTENT_TYPES, export_bytes
from nexus.exports.models import ExportFormat, ExportJob, ExportKind

TAGS = ["staff: exports"]

_FILE_RESPONSES = {
    (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="RFC 4180 CSV, UTF-8."),
    (200, "application/x-ndjson"): OpenApiResponse(
        OpenApiTypes.STR, description="One JSON object per line."
    ),
}


class _FormatNamesTheExport(DefaultContentNegotiation):
    """Here ``?format=`` chooses the export's format; DRF would read it as the name
    of a renderer and answer 404 for ``csv``."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        # Only problem responses are rendered here, and they carry their own type.
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def _user(request: Request) -> User:
    return cast("User", request.user)


def _attachment(filename: str) -> str:
    return f'attachment; filename="{filename}"'


def _private(response: StreamingHttpResponse) -> StreamingHttpResponse:
    response["Cache-Control"] = "no-store"  # personal data: no shared cache keeps it
    response["X-Accel-Buffering"] = "no"  # a proxy passes chunks on as they come
    return response


class _StreamExportView(GenericAPIView[Any]):
    permission_classes = (IsStaff,)
    content_negotiation_class = _FormatNamesTheExport
    filter_backends = (filters.DjangoFilterBackend,)
    pagination_class = None
    resource: ExportResource

    def get_queryset(self) -> QuerySet[Any]:
        return self.resource.queryset()

    def get(self, request: Request) -> StreamingHttpResponse:
        export_format = request.query_params.get("format", ExportFormat.CSV)
        if export_format not in ExportFormat.values:
            raise ValidationError({"format": [f"Choose one of: {', '.join(ExportFormat.values)}."]})
        # The list endpoint's filters, validated now: a bad value is a 400 before any byte.
        queryset = self.filter_queryset(self.get_queryset())
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        response = StreamingHttpResponse(
            export_bytes(kind=self.resource.kind, export_format=export_format, queryset=queryset),
            content_type=CONTENT_TYPES[ExportFormat(export_format)],
        )
        response["Content-Disposition"] = _attachment(
            f"{self.resource.kind}-{stamp}.{export_format}"
        )
        return _private(response)


def _stream_schema(kind: str, what: str) -> Any:
    return extend_schema(
        summary=f"Export {kind}, streamed (staff)",
        description=(
            f"{what} Same filters and permission as the staff list; oldest first. "
            "The body is produced while it is sent: a failure after the first bytes "
            "ends the stream early rather than turning into a problem response."
        ),
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "format", enum=ExportFormat.values, default=ExportFormat.CSV, required=False
            )
        ],
        responses={**_FILE_RESPONSES, **problems(400, 401, 403, 429)},
    )


class StaffOrderExportView(_StreamExportView):
    resource = RESOURCES[ExportKind.ORDERS]
    filterset_class = resource.filterset_class
    required_permissions = (resource.permission,)

    @_stream_schema(
        "orders",
        "CSV: one row per line, the order's columns repeated (an order without lines is "
        "one row). NDJSON: one order per line with its `lines`.",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class StaffProductExportView(_StreamExportView):
    resource = RESOURCES[ExportKind.PRODUCTS]
    filterset_class = resource.filterset_class
    required_permissions = (resource.permission,)

    @_stream_schema(
        "products",
        "CSV: one row per variant with its units available, the product's columns "
        "repeated. NDJSON: one product per line with its `variants`.",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


class StaffCustomerExportView(_StreamExportView):
    resource = RESOURCES[ExportKind.CUSTOMERS]
    filterset_class = resource.filterset_class
    required_permissions = (resource.permission,)

    @_stream_schema(
        "customers",
        "One row (object) per account with its order count and total spent "
        "(orders that were paid).",
    )
    def get(self, request: Request) -> StreamingHttpResponse:
        return super().get(request)


# --- jobs --------------------------------------------------------------------------


def _as_filter_errors(detail: Any) -> Any:
    """The list filters' errors, each under the code ``invalid_filter``: which filters
    there are and what they take depends on the export's kind."""
    if isinstance(detail, dict):
        return {name: _as_filter_errors(value) for name, value in detail.items()}
    if isinstance(detail, list):
        return [_as_filter_errors(item) for item in detail]
    return ErrorDetail(str(detail), code="invalid_filter")


def _visible_kinds(request: Request) -> list[str]:
    return kinds_visible_to(_user(request))


class ExportJobListView(GenericAPIView[ExportJob]):
    # Any staff member; each job is shown only to those who may export its kind.
    permission_classes = (IsStaff,)
    serializer_class = s.ExportJobOutput
    filter_backends = ()

    def get_queryset(self) -> QuerySet[ExportJob]:
        return selectors.export_job_list(kinds=_visible_kinds(self.request))

    @extend_schema(
        summary="Export jobs, newest first (staff)",
        tags=TAGS,
        responses={200: s.ExportJobOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(
            s.ExportJobOutput(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        summary="Start an export job (staff)",
        description=(
            "For exports too large to stream or to fetch later. `filters` are the query "
            "parameters of the kind's staff list endpoint. A worker writes the file; "
            "follow the job until `status` is `done`, then fetch `download_url`."
        ),
        tags=TAGS,
        request=s.ExportJobStartInput,
        responses={202: s.ExportJobOutput, **problems(*BODY_ERRORS, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.ExportJobStartInput(data=request.data)
        data.is_valid(raise_exception=True)
        resource = RESOURCES[data.validated_data["kind"]]
        if not _user(request).has_perm(resource.permission):
            raise PermissionDenied()
        job_filters: dict[str, str] = data.validated_data["filters"]
        try:
            resource.check_filter_names(job_filters)
            resource.filtered(job_filters)
        except ValidationError as exc:
            raise ValidationError({"filters": _as_filter_errors(exc.detail)}) from exc
        job = services.export_job_start(
            kind=resource.kind,
            export_format=data.validated_data["format"],
            filters=job_filters,
            requested_by=_user(request),
        )
        job.refresh_from_db()  # in embedded mode it has already run
        return Response(
            s.ExportJobOutput(job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
            headers={"Location": reverse("staff-export-job-detail", kwargs={"job_id": job.pk})},
        )


class ExportJobDetailView(APIView):
    permission_classes = (IsStaff,)

    @extend_schema(
        summary="One export job: its status and progress (staff)",
        tags=TAGS,
        responses={200: s.ExportJobOutput, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        job = selectors.export_job_get(job_id=job_id, kinds=_visible_kinds(request))
        return Response(s.ExportJobOutput(job, context={"request": request}).data)


class ExportJobRerunView(APIView):
    permission_classes = (IsStaff,)

    @extend_schema(
        summary="Run an export job again (staff)",
        description=(
            "For a job that failed, or whose worker went silent for minutes (killed); "
            "it overwrites its own file. A live or finished job is a 409."
        ),
        tags=TAGS,
        request=None,
        responses={202: s.ExportJobOutput, **problems(401, 403, 404, 409, 429)},
    )
    def post(self, request: Request, job_id: int) -> Response:
        job = selectors.export_job_get(job_id=job_id, kinds=_visible_kinds(request))
        job = services.export_job_rerun(job=job)
        return Response(
            s.ExportJobOutput(job, context={"request": request}).data,
            status=status.HTTP_202_ACCEPTED,
        )


class ExportJobDownloadView(APIView):
    permission_classes = (IsStaff,)
    content_negotiation_class = _FormatNamesTheExport

    @extend_schema(
        summary="Download a finished export (staff)",
        description="Streamed from storage; never a public media URL (personal data).",
        tags=TAGS,
        responses={**_FILE_RESPONSES, **problems(401, 403, 404, 409, 429)},
    )
    def get(self, request: Request, job_id: int) -> StreamingHttpResponse:
        job = selectors.export_job_get(job_id=job_id, kinds=_visible_kinds(request))
        response = FileResponse(
            services.export_job_open(job=job),
            as_attachment=True,
            filename=f"{job.kind}-export-{job.pk}.{job.format}",
            content_type=CONTENT_TYPES[ExportFormat(job.format)],
        )
        return _private(response)
