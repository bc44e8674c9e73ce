from typing import Any

from django.urls import reverse
from rest_framework import serializers

from nexus.api.rest.serializers import CharField, InputSerializer
from nexus.exports.models import ExportFormat, ExportJob, ExportKind


class ExportJobStartInput(InputSerializer):
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices, default=ExportFormat.CSV)
    filters = serializers.DictField(
        child=CharField(max_length=500),
        default=dict,
        help_text="The query parameters of the kind's staff list endpoint, as strings.",
    )


class ExportJobOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ExportKind.choices)
    format = serializers.ChoiceField(choices=ExportFormat.choices)
    filters = serializers.DictField(child=serializers.CharField())
    status = serializers.ChoiceField(choices=ExportJob.Status.choices)
    rows_written = serializers.IntegerField(
        help_text="Records written: orders, products or accounts."
    )
    rows_total = serializers.IntegerField(allow_null=True)
    progress = serializers.IntegerField(help_text="Percent done.")
    error = serializers.CharField()
    attempts = serializers.IntegerField()
    requested_by = serializers.IntegerField(source="requested_by_id", allow_null=True)
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, job: ExportJob) -> str | None:
        """Staff-only, through the API: the file holds personal data."""
        if job.status != ExportJob.Status.DONE:
            return None
        path = reverse("staff-export-job-download", kwargs={"job_id": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path
