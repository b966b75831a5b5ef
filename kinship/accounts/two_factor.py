"""Two-step sign-in: an authenticator app (TOTP, RFC 6238) and one-time recovery codes.

Anyone may switch it on; staff and facilitators must, before their powers work (`has_two_factor`
is the gate the access modules ask). Codes are accepted for the step before and after the current
one (clocks drift), and never twice: the device remembers the last step it accepted.
"""

import hashlib
import io
import secrets
import time
from typing import Any, ClassVar

import pyotp
import segno
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from kinship.accounts.models import RecoveryCode, TwoFactorDevice, User
from kinship.core import ratelimit
from kinship.core.errors import Conflict, Invalid, KinshipError

ISSUER = "Kinship"
STEP = 30  # seconds, the RFC 6238 default every authenticator app uses
DRIFT = 1  # steps either side of now
RECOVERY_COUNT = 10
# Recovery codes: 10 characters from an alphabet without look-alikes (0/O, 1/l/I), shown as xxxxx-xxxxx.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 10
CODE_MAX_LENGTH = 40
# Guessing limit per account: six digits are a small space, so attempts are counted.
ATTEMPT_LIMIT = 10
ATTEMPT_WINDOW = 15 * 60


class CodeRequired(KinshipError):
    """The password was right but the account needs its code (missing or wrong)."""

    status: ClassVar[int] = 401
    title: ClassVar[str] = "Unauthorized"


def has_two_factor(user: Any) -> bool:
    """A signed-in account with a confirmed authenticator (staff and facilitators need one for their powers)."""
    if not getattr(user, "is_authenticated", False):
        return False
    # One query at most per user object: a missing device is cached as None too.
    try:
        device = user.two_factor
    except TwoFactorDevice.DoesNotExist:
        return False
    return device.confirmed_at is not None


def powers_waiting(user: Any) -> list[str]:
    """The tools this account holds but cannot use until two-step sign-in is on ([] when none)."""
    if not getattr(user, "is_authenticated", False) or has_two_factor(user):
        return []
    waiting = ["staff tools"] if user.is_staff else []
    # Circles sit above accounts, so the model is looked up by name rather than imported.
    membership = apps.get_model("circles", "Membership")
    if membership.objects.filter(user=user, role=membership.FACILITATOR, status=membership.ACTIVE).exists():
        waiting.append("facilitator tools")
    return waiting


def device_of(user: User) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user=user).first()


def provisioning_uri(*, user: User, device: TwoFactorDevice) -> str:
    """The otpauth:// URI an authenticator app reads; it names the site, never the email address."""
    label = f"{user.display_name} ({user.pk})"
    return pyotp.TOTP(device.secret, interval=STEP).provisioning_uri(name=label, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The URI as an SVG QR code, safe to inline (no script, no style attribute)."""
    out = io.BytesIO()
    segno.make(uri, error="m").save(
        out, kind="svg", xmldecl=False, svgns=True, nl=False, scale=5, title="QR code for your authenticator app"
    )
    return out.getvalue().decode("ascii")


@transaction.atomic
def start(*, user: User) -> TwoFactorDevice:
    """A fresh secret waiting for its first code; refused when two-step sign-in is already on."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is not None and device.is_confirmed:
        raise Conflict("Two-step sign-in is already on. Switch it off first to set up a new authenticator.")
    secret = pyotp.random_base32()
    if device is None:
        device = TwoFactorDevice.objects.create(user=user, secret=secret)
    else:
        device.secret = secret
        device.last_step = 0
        device.save(update_fields=["secret", "last_step"])
    return device


@transaction.atomic
def confirm(*, user: User, code: Any) -> list[str]:
    """Switch two-step sign-in on with a first code; returns the recovery codes, shown only now."""
    device = TwoFactorDevice.objects.select_for_update().filter(user=user).first()
    if device is None:
        raise Invalid("Start setting up two-step sign-in first.", errors={"otp": ["Start the set-up first."]})
    if device.is_confirmed:
        raise Conflict("Two-step sign-in is already on.")
    _count_attempt(user)
    step = _matching_step(device, _clean_code(code))
    if step is None:
        raise Invalid(_WRONG, errors={"otp": [_WRONG]})
    device.last_step = step
    device.confirmed_at = timezone.now()
    device.save(update_fields=["last_step", "confirmed_at"])
    _forget_cached_device(user, device)
    return _new_recovery_codes(user)


@transaction.atomic
def verify(*, user: User, code: Any) -> str:
    """Accept a current authenticator code or an unused recovery code.

    Returns "totp" or "recovery"; raises Invalid for anything else. Attempts are limited per account.
    """
    device = TwoFactorDevice.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise Invalid("Two-step sign-in is not on for this account.", errors={"otp": ["Not switched on."]})
    _count_attempt(user)
    cleaned = _clean_code(code)
    step = _matching_step(device, cleaned)
    if step is not None:
        device.last_step = step
        device.save(update_fields=["last_step"])
        return "totp"
    if _use_recovery_code(user, cleaned):
        return "recovery"
    raise Invalid(_WRONG, errors={"otp": [_WRONG]})


def check_sign_in_code(*, user: User, code: Any) -> None:
    """For a sign-in that has only the password so far: CodeRequired unless the code is right."""
    if not has_two_factor(user):
        return
    if code in (None, ""):
        raise CodeRequired("This account uses two-step sign-in: send the code from the authenticator app as otp.")
    try:
        verify(user=user, code=code)
    except Invalid:
        raise CodeRequired("That code is not right. Send a current code from the authenticator app as otp.") from None


@transaction.atomic
def disable(*, user: User, password: Any, code: Any) -> None:
    """Switch two-step sign-in off: the password and a code (or recovery code) are both needed."""
    if not TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists():
        raise Conflict("Two-step sign-in is not on.")
    errors: dict[str, list[str]] = {}
    if not isinstance(password, str) or "\x00" in password or not user.check_password(password):
        errors["password"] = ["Your password is not right."]
    try:
        verify(user=user, code=code)
    except Invalid as exc:
        errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
    _forget_cached_device(user, None)


@transaction.atomic
def regenerate_recovery_codes(*, user: User, code: Any) -> list[str]:
    """New recovery codes after a current code; the old ones stop working."""
    verify(user=user, code=code)
    return _new_recovery_codes(user)


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


# Internals ------------------------------------------------------------------------------------

_WRONG = "That code is not right. Check the time on your phone and try the newest code."


def _count_attempt(user: User) -> None:
    ratelimit.check(
        "two-factor",
        str(user.pk),
        limit=ATTEMPT_LIMIT,
        window=ATTEMPT_WINDOW,
        message="Too many codes tried. Please wait a quarter of an hour and try again.",
    )


def _clean_code(code: Any) -> str:
    """Spaces and dashes are how people copy codes; anything that is not text matches nothing."""
    if not isinstance(code, str) or len(code) > CODE_MAX_LENGTH:
        return ""
    return "".join(code.split()).replace("-", "").lower()


def _matching_step(device: TwoFactorDevice, code: str) -> int | None:
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return None
    totp = pyotp.TOTP(device.secret, interval=STEP)
    now = int(time.time()) // STEP
    for step in range(now - DRIFT, now + DRIFT + 1):
        # A step at or before the last accepted one is a replay (or an older code): never again.
        if step > device.last_step and constant_time_compare(totp.at(step * STEP), code):
            return step
    return None


def _hash_recovery(user: User, code: str) -> str:
    # About 49 bits each and tries are counted, so a plain hash bound to the account is enough.
    return hashlib.sha256(f"{user.pk}:{code}".encode()).hexdigest()


def _use_recovery_code(user: User, code: str) -> bool:
    if len(code) != RECOVERY_LENGTH or not code.isascii():
        return False
    used = RecoveryCode.objects.filter(user=user, code_hash=_hash_recovery(user, code), used_at__isnull=True).update(
        used_at=timezone.now()
    )
    return used == 1


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash_recovery(user, c)) for c in codes)
    return [f"{c[:5]}-{c[5:]}" for c in codes]


def _forget_cached_device(user: User, device: TwoFactorDevice | None) -> None:
    """The user object the caller holds answers has_two_factor from its cache: bring it up to date."""
    TwoFactorDevice.user.field.remote_field.set_cached_value(user, device)  # type: ignore[attr-defined]
