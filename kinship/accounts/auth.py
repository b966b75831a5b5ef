from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from kinship.accounts.models import User


def signed_in(request: HttpRequest) -> User:
    """The member behind a login_required view, typed as the model services expect."""
    if not request.user.is_authenticated:
        raise PermissionDenied("Sign in first.")
    return cast(User, request.user)
