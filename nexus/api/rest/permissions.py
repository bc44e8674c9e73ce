from collections.abc import Mapping, Sequence

from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

# What each HTTP method needs of a model, in Django's permission names.
_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "POST": "add",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


def model_permissions(model_label: str) -> dict[str, list[str]]:
    """``required_permissions`` for a view over one model: ``"catalog.product"`` →
    view on GET, add on POST, change on PUT/PATCH, delete on DELETE."""
    app_label, model_name = model_label.split(".")
    return {method: [f"{app_label}.{action}_{model_name}"] for method, action in _ACTIONS.items()}


class IsStaff(BasePermission):
    """Staff only, holding every Django permission the view lists.

    Views set ``required_permissions``: a list of ``"app_label.codename"``, or a
    mapping from HTTP method to such a list (see ``model_permissions``). The Staff
    group carries the usual ones, and a superuser has them all.
    """

    message = "Only staff with the required permissions may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.is_staff):
            return False
        required: Sequence[str] | Mapping[str, Sequence[str]] = getattr(
            view, "required_permissions", ()
        )
        if isinstance(required, Mapping):
            required = required.get(request.method or "", ())
        return user.has_perms(required)
