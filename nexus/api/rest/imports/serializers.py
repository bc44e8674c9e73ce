"""Input and output shapes of the staff import API."""

from typing import Any

from rest_framework import serializers

from nexus.api.rest.serializers import InputSerializer
from nexus.imports.formats import infer_format
from nexus.imports.models import ImportJob


class StaffImportInput(InputSerializer):
    """A multipart form: the file, and options as text fields."""

    file = serializers.FileField(
        help_text="A CSV (.csv) or NDJSON (.ndjson, .jsonl) file in the bulk import format; "
        "the whole request must fit the upload limit (API_MAX_UPLOAD_BYTES)."
    )
    format = serializers.ChoiceField(
        choices=ImportJob.FileFormat.choices,
        required=False,
        help_text="Default: from the file name's extension.",
    )
    atomic = serializers.BooleanField(
        required=False, default=False, help_text="Import nothing if any row is bad."
    )
    warehouse = serializers.SlugField(
        required=False, max_length=200, help_text="Warehouse of a plain 'stock' column."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        file_format = attrs.get("format") or infer_format(attrs["file"].name or "")
        if file_format is None:
            raise serializers.ValidationError(
                {"file": ["Send a .csv, .ndjson or .jsonl file, or give the format."]}
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
