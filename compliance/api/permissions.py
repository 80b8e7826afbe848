from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from compliance import roles


class IsModerator(BasePermission):
    message = "Only moderators may do this."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return roles.is_moderator(request.user)
