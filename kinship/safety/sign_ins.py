"""Staff sign-ins go to the audit log: staff can read private data, so each sign-in leaves a trace."""

from typing import Any

from kinship.safety import audit


def record_staff_sign_in(sender: Any, user: Any, via: str, **kwargs: Any) -> None:
    """Receiver of accounts.signals.signed_in: a browser (after its code) or an app token of a staff account."""
    if getattr(user, "is_staff", False):
        audit.record(actor=user, action="staff_sign_in", target=user, detail=via)
