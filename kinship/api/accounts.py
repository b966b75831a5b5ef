"""Sign-up, tokens and the member's own profile."""

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from kinship.accounts import services
from kinship.api import shapes
from kinship.api.idempotency import idempotent
from kinship.api.schemas import ProfileOut, ProfilePatch, SignupIn, SignupOut, TokenIn, TokenOut, VerifyIn, VerifyOut
from kinship.api.security import bearer
from kinship.core.ratelimit import client_address
from kinship.notifications import services as notifications

router = Router(tags=["accounts"])


@router.post("/auth/signup", response={201: SignupOut}, auth=None)
def signup(request: HttpRequest, payload: SignupIn) -> Status[Any]:
    """Create an unverified account and email the verification link. Honours Idempotency-Key.

    A taken address gets the very same answer (its owner is emailed instead), so the endpoint
    cannot be used to learn who is a member.
    """

    def create() -> Status[Any]:
        services.sign_up(
            **payload.model_dump(),
            base_url=request.build_absolute_uri("/"),
            address=client_address(request),
        )
        return Status(201, {"detail": "Check your inbox for the link to confirm, then request a token."})

    return idempotent(request, create)


@router.post("/auth/verify", response=VerifyOut, auth=None)
def verify(request: HttpRequest, payload: VerifyIn) -> dict[str, Any]:
    user = services.verify_email(token=payload.token)
    return {"user": shapes.user_out(user), "detail": "Your email address is confirmed."}


@router.post("/auth/token", response=TokenOut, auth=None)
def token(request: HttpRequest, payload: TokenIn) -> dict[str, Any]:
    """A bearer token for a verified member; attempts are throttled per account and per address."""
    key = services.issue_token(email=payload.email, password=payload.password, address=client_address(request))
    return {"token": key}


@router.post("/auth/logout", response={204: None}, auth=bearer)
def logout(request: HttpRequest) -> Status[None]:
    """Revoke the token this request was made with."""
    services.revoke_token(token=request.api_token)  # type: ignore[attr-defined]
    return Status(204, None)


@router.get("/me", response=ProfileOut, auth=bearer)
def me(request: HttpRequest) -> dict[str, Any]:
    return _me_out(request.auth)  # type: ignore[attr-defined]


def _me_out(user: Any) -> dict[str, Any]:
    preference = notifications.preferences_for(user)
    return {**shapes.profile_out(user), "email_preferences": {k: preference.wants(k) for k in preference.KINDS}}


@router.patch("/me", response=ProfileOut, auth=bearer)
def me_update(request: HttpRequest, payload: ProfilePatch) -> dict[str, Any]:
    """Change profile fields and privacy choices (the *_visibility fields); only the fields sent."""
    changes = payload.model_dump(exclude_unset=True)
    emails = changes.pop("email_preferences", None)
    # Both or neither: a refused preference must not leave the profile half-changed.
    with transaction.atomic():
        user = services.update_profile(user=request.auth, changes=changes)  # type: ignore[attr-defined]
        if emails is not None:
            notifications.update_preferences(user=user, changes=emails)
    return _me_out(user)
