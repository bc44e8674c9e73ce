"""Input and output shapes of the staff import API."""

from typing import Any

from rest_framework import serializers

from nexus.api.rest.serializers import FormBooleanField, InputSerializer
from nexus.imports.formats import infer_format
from nexus.imports.models import ImportJob


class StaffImportInput(InputSerializer):
    """A multipart form: the file, and options as text fields."""

    file = serializers.FileField(
        help_text="A CSV (.csv) or NDJSON (.ndjson, .jsonl) file in the bulk import format; "
        "the whole request must fit the upload limit (API_MAX_UPLOAD_BYTES)."
    )
    # A form's empty field means "not given" (DRF reads it so); the schema says so.
    format = serializers.ChoiceField(
        choices=ImportJob.FileFormat.choices,
        required=False,
        allow_blank=True,
        help_text="Default (also when empty): from the file name's extension.",
    )
    atomic = FormBooleanField(
        required=False, default=False, help_text="Import nothing if any row is bad."
    )
    warehouse = serializers.SlugField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Warehouse of a plain 'stock' column (empty: none).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        file_format = attrs.get("format") or infer_format(attrs["file"].name or "")
        if file_format is None:
            raise serializers.ValidationError(
                {"file": ["Send a .csv, .ndjson or .jsonl file, or give the format."]},
                code="format_unknown",
            )
        attrs["format"] = file_format
        return attrs


class StaffImportJobOutput(serializers.ModelSerializer[ImportJob]):
    requested_by = serializers.IntegerField(
        source="requested_by_id", allow_null=True, read_only=True
    )
    has_error_report = serializers.SerializerMethodField()

    class Meta:
        model = ImportJob
        fields = (
            "id",
            "status",
            "original_name",
            "file_format",
            "atomic",
            "warehouse",
            "created",
            "updated",
            "unchanged",
            "failed",
            "rolled_back",
            "rows_handled",
            "progress",
            "detail",
            "has_error_report",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields

    def get_has_error_report(self, job: ImportJob) -> bool:
        return bool(job.error_report)
