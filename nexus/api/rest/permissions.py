from collections.abc import Sequence

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView


class IsStaff(BasePermission):
    """Staff only, holding every Django permission the view lists.

    Views set ``required_permissions`` (``"app_label.codename"``); the Staff group
    carries the usual ones, and a superuser has them all.
    """

    message = "Only staff with the required permissions may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        required: Sequence[str] = getattr(view, "required_permissions", ())
        return user.has_perms(required)
