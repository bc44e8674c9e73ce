"""Bulk imports for staff: upload a file, follow its job, download its bad rows.

Staff who may both add and change products may import (an import does both).
"""

from django.db.models import QuerySet
from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.rest.imports import serializers as s
from nexus.api.rest.permissions import IsStaff
from nexus.api.rest.schema import BODY_ERRORS, problems
from nexus.imports import selectors, services
from nexus.imports.models import ImportJob

TAGS = ["staff: imports"]
IMPORT_PERMISSIONS = ["catalog.add_product", "catalog.change_product"]


class StaffImportListView(GenericAPIView[ImportJob]):
    permission_classes = (IsStaff,)
    required_permissions = IMPORT_PERMISSIONS
    parser_classes = (MultiPartParser,)
    serializer_class = s.StaffImportJobOutput

    def get_queryset(self) -> QuerySet[ImportJob]:
        return selectors.import_job_list()

    @extend_schema(
        summary="List import jobs, newest first (staff)",
        tags=TAGS,
        responses={200: s.StaffImportJobOutput(many=True), **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.StaffImportJobOutput(page, many=True).data)

    @extend_schema(
        summary="Upload a catalog file to import in the background (staff)",
        description="Answers 202 with the job; follow it at `/staff/imports/{id}/`. "
        "The file format is described under 'Bulk import' in docs/api.md.",
        tags=TAGS,
        request={"multipart/form-data": s.StaffImportInput},
        responses={202: s.StaffImportJobOutput, **problems(*BODY_ERRORS, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        data = s.StaffImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        job = services.import_job_create(
            upload=data.validated_data["file"],
            file_format=data.validated_data["format"],
            atomic=data.validated_data["atomic"],
            warehouse=data.validated_data.get("warehouse", ""),
            requested_by=request.user,
        )
        return Response(s.StaffImportJobOutput(job).data, status=status.HTTP_202_ACCEPTED)


class StaffImportDetailView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = IMPORT_PERMISSIONS

    @extend_schema(
        summary="One import job: status, progress and counts (staff)",
        tags=TAGS,
        responses={200: s.StaffImportJobOutput, **problems(401, 403, 404, 429)},
    )
    def get(self, request: Request, job_id: int) -> Response:
        return Response(s.StaffImportJobOutput(selectors.import_job_get(job_id=job_id)).data)


class StaffImportErrorsView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = IMPORT_PERMISSIONS

    @extend_schema(
        summary="Download an import's bad rows as CSV: line, reason (staff)",
        tags=TAGS,
        responses={
            (200, "text/csv"): OpenApiResponse(response=OpenApiTypes.BINARY),
            **problems(401, 403, 404, 429),
        },
    )
    def get(self, request: Request, job_id: int) -> FileResponse:
        job = selectors.import_job_error_report(job_id=job_id)
        return FileResponse(
            job.error_report.open("rb"),
            as_attachment=True,
            filename=f"import-{job.pk}-errors.csv",
            content_type="text/csv; charset=utf-8",
        )
