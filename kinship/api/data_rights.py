"""API: the member's own data (GET /me/export) and erasing their account (DELETE /me).

The rules live in kinship.safety.data_rights, shared with the pages /accounts/data/ and /accounts/delete/.
"""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from pydantic import BaseModel, Field, StrictStr

from kinship.api.accounts import router as accounts_router
from kinship.api.schemas import Input
from kinship.api.security import bearer
from kinship.safety import data_rights

router = Router(tags=["data rights"], auth=bearer)


class EraseIn(Input):
    password: StrictStr = Field(description="The account's password.")
    posts: StrictStr = Field(description="remove: delete my posts; anonymise: keep them, shown as “Former member”.")
    otp: StrictStr | None = Field(
        default=None, description="A two-step sign-in code or recovery code; required when two-factor is on."
    )


class ErasedOut(BaseModel):
    detail: str


@router.get("/me/export", response=dict[str, Any])
def export(request: HttpRequest) -> dict[str, Any]:
    """Everything the member gave the site, as one JSON document; each export is written to the audit log."""
    return data_rights.record_export(user=request.auth)  # type: ignore[attr-defined]


# DELETE /me shares its path with GET and PATCH /me: Django resolves a path to one router's view, so
# all three methods must sit on the same router (kinship.api.accounts) or DELETE would answer 405.
@accounts_router.delete("/me", response=ErasedOut, auth=bearer, tags=["data rights"])
def erase(request: HttpRequest, payload: EraseIn) -> dict[str, Any]:
    """Erase the account: personal data goes, posts are removed or kept as “Former member”; tokens end."""
    data_rights.erase(
        user=request.auth,  # type: ignore[attr-defined]
        password=payload.password,
        posts=payload.posts,
        code=payload.otp,
    )
    return {"detail": "Your account is deleted. Thank you for being part of Kinship."}
