"""Sign-up, tokens and the member's own profile."""

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from ninja import Router, Status

from kinship.accounts import services, two_factor
from kinship.api import errors, shapes
from kinship.api.idempotency import idempotent
from kinship.api.schemas import ProfileOut, ProfilePatch, SignupIn, SignupOut, TokenIn, TokenOut, VerifyIn, VerifyOut
from kinship.api.security import bearer
from kinship.api.two_factor_schemas import (
    OtpRequiredOut,
    TwoFactorConfirmIn,
    TwoFactorConfirmOut,
    TwoFactorDisableIn,
    TwoFactorStartOut,
)
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


@router.post("/auth/token", response={200: TokenOut, 401: OtpRequiredOut}, auth=None)
def token(request: HttpRequest, payload: TokenIn) -> dict[str, Any] | HttpResponse:
    """A bearer token for a verified member; attempts are throttled per account and per address.

    With two-step sign-in on, send `otp` too: without it, or with a wrong one, the answer is 401 with
    `"otp_required": true`.
    """
    try:
        key = services.issue_token(
            email=payload.email, password=payload.password, otp=payload.otp, address=client_address(request)
        )
    except two_factor.CodeRequired as error:
        return _otp_required(error.detail)
    return {"token": key}


def _otp_required(detail: str) -> HttpResponse:
    """401 with "otp_required": true, so an app knows to ask for the code rather than the password."""
    response = errors.problem(401, detail, headers={"WWW-Authenticate": 'Bearer realm="kinship"'})
    body = json.loads(response.content)
    response.content = json.dumps({**body, "otp_required": True})
    return response


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


@router.post("/me/two-factor", response={201: TwoFactorStartOut}, auth=bearer)
def two_factor_start(request: HttpRequest) -> Status[Any]:
    """Start setting up two-step sign-in: a new secret, waiting for its first code. 409 when already on."""
    user = request.auth  # type: ignore[attr-defined]
    device = two_factor.start(user=user)
    uri = two_factor.provisioning_uri(user=user, device=device)
    return Status(201, {"secret": device.secret, "otpauth_uri": uri})


@router.post("/me/two-factor/confirm", response=TwoFactorConfirmOut, auth=bearer)
def two_factor_confirm(request: HttpRequest, payload: TwoFactorConfirmIn) -> dict[str, Any]:
    """Switch two-step sign-in on with a first code; the recovery codes are returned only this once."""
    codes = two_factor.confirm(user=request.auth, code=payload.otp)  # type: ignore[attr-defined]
    return {"recovery_codes": codes}


@router.delete("/me/two-factor", response={204: None}, auth=bearer)
def two_factor_disable(request: HttpRequest, payload: TwoFactorDisableIn) -> Status[None]:
    """Switch two-step sign-in off with the password and a current code (or a recovery code)."""
    two_factor.disable(user=request.auth, password=payload.password, code=payload.otp)  # type: ignore[attr-defined]
    return Status(204, None)
