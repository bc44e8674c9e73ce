"""Sales reports for staff."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from nexus.api.rest.permissions import IsStaff
from nexus.api.rest.reports import serializers as s
from nexus.api.rest.schema import problems
from nexus.reports import selectors


class StaffSalesReportView(APIView):
    permission_classes = (IsStaff,)
    required_permissions = ("orders.view_order",)

    @extend_schema(
        summary="Sales by day, week, month, category or product (staff)",
        description=(
            "Paid orders placed between start and end (shop time zone), with order count, "
            "units, revenue (order totals; line totals by category or product), average "
            "order value and refunds. Periods without sales are listed with zeros."
        ),
        tags=["staff: reports"],
        parameters=[s.SalesQueryInput],
        responses={200: s.SalesReportOutput, **problems(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        query = s.SalesQueryInput(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        values = query.validated_data
        report = selectors.sales_report(
            start=values["start"],
            end=values["end"],
            grouping=values["group"],
            limit=values["limit"],
        )
        return Response(s.SalesReportOutput(report).data)
