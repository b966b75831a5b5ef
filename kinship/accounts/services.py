"""Every write to accounts: sign-up, verification, tokens, profile and email changes."""

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format

from kinship.accounts import consents, two_factor
from kinship.accounts.models import ApiToken, User
from kinship.accounts.signals import signed_in
from kinship.core import ratelimit
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.text import check_inline, clean_line, clean_text

VERIFY_SALT = "kinship.accounts.verify"
EMAIL_CHANGE_SALT = "kinship.accounts.email-change"

# Guessing limits: per account and per address, over a quarter of an hour.
SIGNIN_LIMIT_PER_ACCOUNT = 10
SIGNIN_LIMIT_PER_ADDRESS = 30
SIGNIN_WINDOW = 15 * 60
SIGNUP_LIMIT_PER_ADDRESS = 20
RESET_LIMIT = 5
EMAIL_MAX_LENGTH = 254
PASSWORD_MAX_LENGTH = 256


def normalise_email(raw: Any) -> str:
    if not isinstance(raw, str):
        raise Invalid("Enter a valid email address.", errors={"email": ["Enter a valid email address."]})
    email = raw.strip().lower()
    try:
        # The validator allows 320 characters; the column holds 254 (PostgreSQL refuses more).
        if len(email) > EMAIL_MAX_LENGTH:
            raise ValidationError("too long")
        validate_email(email)
    except ValidationError:
        raise Invalid("Enter a valid email address.", errors={"email": ["Enter a valid email address."]}) from None
    return email


def clean_display_name(raw: Any) -> str:
    name = clean_line(raw, field="display_name", label="Display name", max_length=60)
    if not name:
        raise Invalid("Display name is required.", errors={"display_name": ["Enter a display name."]})
    return check_inline(name, field="display_name", label="Display name", blank="Enter a display name.")


def check_password(password: Any, user: User | None = None) -> str:
    if not isinstance(password, str) or not password:
        raise Invalid("Choose a password.", errors={"password": ["Choose a password."]})
    if len(password) > PASSWORD_MAX_LENGTH or "\x00" in password:
        raise Invalid("That password cannot be used.", errors={"password": ["At most 256 characters."]})
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), errors={"password": list(exc.messages)}) from None
    return password


@transaction.atomic
def sign_up(
    *,
    email: Any,
    password: Any,
    display_name: Any,
    role: Any,
    accept_terms: Any,
    base_url: str,
    address: str,
    next_url: str = "",
) -> User | None:
    """Create an unverified member and send the verification link.

    A taken address gets the same answer as a free one (None instead of a user), and its owner
    an email saying so: on this site, being a member is itself health information.
    """
    ratelimit.check("signup", address, limit=SIGNUP_LIMIT_PER_ADDRESS, window=3600)
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, check in (("email", normalise_email), ("display_name", clean_display_name)):
        try:
            values[field] = check(email if field == "email" else display_name)
        except Invalid as exc:
            errors.update(exc.errors)
    if role not in (User.PATIENT, User.CAREGIVER):
        errors["role"] = ["Choose patient or caregiver."]
    if accept_terms is not True:
        errors["accept_terms"] = ["Please accept the terms and privacy notice to join."]
    if not errors:
        probe = User(email=values["email"], display_name=values["display_name"])
        try:
            check_password(password, probe)
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    existing = User.objects.filter(email__iexact=values["email"]).first()
    if existing is not None:
        transaction.on_commit(lambda: _tell_owner_of_signup_attempt(existing, base_url))
        return None
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                email=values["email"],
                password=password,
                display_name=values["display_name"],
                role=role,
                terms_accepted_at=timezone.now(),
                terms_version=settings.TERMS_VERSION,
            )
    except IntegrityError:
        return None  # the same address signed up a moment ago
    consents.record(user=user)
    transaction.on_commit(lambda: send_verification(user=user, base_url=base_url, next_url=next_url))
    return user


def _tell_owner_of_signup_attempt(user: User, base_url: str) -> None:
    link = base_url.rstrip("/") + reverse("accounts:password-reset")
    body = render_to_string("accounts/email/signup_attempt.txt", {"user": user, "link": link})
    send_mail("Someone tried to join Kinship with your address", body, None, [user.email])


def email_digest(email: str) -> str:
    """Binds a link to an address without putting the address in the link (signed data is only encoded)."""
    return salted_hmac("kinship.accounts.email-digest", email.lower()).hexdigest()[:24]


def verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": email_digest(user.email)}, salt=VERIFY_SALT)


def send_verification(*, user: User, base_url: str, next_url: str = "") -> None:
    """Email the link that proves the member owns their address.

    `next_url` (a local path the caller has checked, such as a speaker invitation) rides along,
    so that after confirming and signing in the member lands where they were going.
    """
    link = base_url.rstrip("/") + reverse("accounts:verify", args=[verification_token(user)])
    if next_url:
        link += "?" + urlencode({"next": next_url})
    body = render_to_string("accounts/email/verify.txt", {"user": user, "link": link})
    send_mail("Confirm your email for Kinship", body, None, [user.email])


def resend_verification(*, user: User, base_url: str) -> None:
    ratelimit.check("verify-resend", str(user.pk), limit=5, window=3600)
    if not user.is_verified:
        send_verification(user=user, base_url=base_url)


@transaction.atomic
def verify_email(*, token: Any) -> User:
    """Mark the address verified; a stale, forged or superseded link is refused."""
    if not isinstance(token, str) or not token or len(token) > 500:
        raise Invalid("This link is not valid.", errors={"token": ["Not a valid token."]})
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.VERIFY_LINK_MAX_AGE)
    except signing.SignatureExpired:
        raise Invalid("This link has expired. Sign in to get a new one.", errors={"token": ["Expired."]}) from None
    except signing.BadSignature:
        raise Invalid("This link is not valid.", errors={"token": ["Not a valid token."]}) from None
    user = User.objects.select_for_update().filter(pk=_link_user_id(data)).first()
    if user is None or not constant_time_compare(email_digest(user.email), str(data.get("e", ""))):
        raise Invalid("This link is not valid any more.", errors={"token": ["Not a valid token."]})
    if not user.is_verified:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
    return user


def _link_user_id(data: Any) -> int:
    """The user id a signed link names; 0 (nobody) when it names none."""
    uid = data.get("u") if isinstance(data, dict) else None
    return uid if isinstance(uid, int) and not isinstance(uid, bool) and 0 < uid < 2**63 else 0


def check_signin_rate(*, email: str, address: str) -> None:
    ratelimit.check("signin-account", email, limit=SIGNIN_LIMIT_PER_ACCOUNT, window=SIGNIN_WINDOW)
    ratelimit.check("signin-address", address, limit=SIGNIN_LIMIT_PER_ADDRESS, window=SIGNIN_WINDOW)


def sign_in(*, request: HttpRequest | None, email: Any, password: Any, address: str) -> User:
    """The user for these credentials, throttled per account and per address."""
    if not isinstance(email, str) or not isinstance(password, str) or "\x00" in email + password:
        raise Invalid("Enter your email and password.", errors={"email": ["Required."], "password": ["Required."]})
    check_signin_rate(email=email.strip().lower()[:EMAIL_MAX_LENGTH], address=address)
    # Too long cannot match (sign-up and reset refuse such passwords); cutting it short could.
    too_long = len(email.strip()) > EMAIL_MAX_LENGTH or len(password) > PASSWORD_MAX_LENGTH
    user = None if too_long else authenticate(request, username=email.strip(), password=password)
    if user is None:
        raise Invalid("That email and password do not match an account.", errors={"password": ["Does not match."]})
    _refuse_suspended(user)  # type: ignore[arg-type]
    return user  # type: ignore[return-value]


def _refuse_suspended(user: User) -> None:
    """Told only after the right password, so the message reveals nothing to a stranger."""
    until = user.suspended_until
    if until is not None and until > timezone.now():
        day = date_format(timezone.localtime(until), "j F Y")
        message = f"This account is suspended until {day}. You can sign in again after that."
        raise Invalid(message, errors={"email": [message]})


def issue_token(*, email: Any, password: Any, address: str, otp: Any = None) -> str:
    """A new API token for verified members (with two-step sign-in on, `otp` too); the raw key is shown once."""
    user = sign_in(request=None, email=email, password=password, address=address)
    if not user.is_verified:
        raise NotAllowed("Please confirm your email address first; check your inbox for the link.")
    two_factor.check_sign_in_code(user=user, code=otp)
    _, key = ApiToken.issue(user)
    signed_in.send(sender=User, user=user, via="app")
    return key


def revoke_token(*, token: ApiToken) -> None:
    token.delete()


def revoke_all_tokens(*, user: User) -> None:
    """After a password or email change, apps must sign in again: a thief's token stops working."""
    ApiToken.objects.filter(user=user).delete()


def check_password_reset_rate(*, email: str, address: str) -> None:
    ratelimit.check("reset-account", email.strip().lower()[:254], limit=RESET_LIMIT, window=3600)
    ratelimit.check("reset-address", address, limit=RESET_LIMIT * 4, window=3600)


LINE_LIMITS = {"diagnosis": 120, "body_site": 80}
PROFILE_CHOICE_FIELDS = {
    "surgery_type": {c for c, _ in User.SURGERY_CHOICES} | {""},
    "diagnosis_visibility": {User.ONLY_ME, User.MY_CIRCLES},
    "surgery_type_visibility": {User.ONLY_ME, User.MY_CIRCLES},
    "body_site_visibility": {User.ONLY_ME, User.MY_CIRCLES},
    "surgery_date_visibility": {User.ONLY_ME, User.MY_CIRCLES},
}


@transaction.atomic
def update_profile(*, user: User, changes: dict[str, Any]) -> User:
    """Change profile fields; unknown fields and bad values are refused, nothing half-saved."""
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for field, value in changes.items():
        try:
            if field == "display_name":
                clean[field] = clean_display_name(value)
            elif field == "bio":
                clean[field] = clean_text(value, field="bio", label="Bio", max_length=500)
            elif field in ("diagnosis", "body_site"):
                clean[field] = clean_line(
                    value, field=field, label=field.replace("_", " ").capitalize(), max_length=LINE_LIMITS[field]
                )
            elif field in PROFILE_CHOICE_FIELDS:
                if not isinstance(value, str) or value not in PROFILE_CHOICE_FIELDS[field]:
                    raise Invalid("Not a valid choice.", errors={field: ["Not a valid choice."]})
                clean[field] = value
            elif field == "surgery_date":
                clean[field] = _parse_past_date(value)
            else:
                raise Invalid("Unknown field.", errors={field: ["This field cannot be changed here."]})
        except Invalid as exc:
            errors.update(exc.errors)
    if errors:
        raise Invalid("Please correct the highlighted fields.", errors=errors)
    for field, value in clean.items():
        setattr(user, field, value)
    if clean:
        user.save(update_fields=list(clean))
    return user


def _parse_past_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str) and len(value) <= 10:
        try:
            parsed = date.fromisoformat(value)
        except ValueError:
            raise Invalid("Use a date like 2025-03-14.", errors={"surgery_date": ["Use YYYY-MM-DD."]}) from None
    else:
        raise Invalid("Use a date like 2025-03-14.", errors={"surgery_date": ["Use YYYY-MM-DD."]})
    if parsed > timezone.localdate() or parsed.year < 1900:
        raise Invalid("The surgery date must be in the past.", errors={"surgery_date": ["Must be in the past."]})
    return parsed


def set_avatar(*, user: User, upload: Any) -> User:
    """Store a small image as the avatar; anything that is not a real image is refused."""
    from PIL import Image, UnidentifiedImageError

    if upload is None:
        user.avatar.delete(save=False)
        user.avatar = ""
        user.save(update_fields=["avatar"])
        return user
    if not isinstance(upload, File):
        raise Invalid("That file is not a picture we can use.", errors={"avatar": ["Use a PNG, JPEG or WebP image."]})
    if upload.size > 2 * 1024 * 1024:
        raise Invalid("Avatars can be at most 2 MB.", errors={"avatar": ["At most 2 MB."]})
    try:
        with Image.open(upload) as image:
            image.verify()
            kind = (image.format or "").lower()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise Invalid(
            "That file is not a picture we can use.", errors={"avatar": ["Use a PNG, JPEG or WebP image."]}
        ) from None
    if kind not in {"png", "jpeg", "webp"}:
        raise Invalid("Use a PNG, JPEG or WebP image.", errors={"avatar": ["Use a PNG, JPEG or WebP image."]})
    upload.seek(0)
    import secrets

    upload.name = f"{secrets.token_hex(16)}.{'jpg' if kind == 'jpeg' else kind}"
    # Save the new picture before removing the old, so a failed save loses nothing.
    old = user.avatar.name if user.avatar else ""
    user.avatar = upload
    user.save(update_fields=["avatar"])
    if old:
        user.avatar.storage.delete(old)
    return user


def request_email_change(*, user: User, new_email: Any, password: Any, base_url: str) -> None:
    """Send a confirmation link to the new address; the old one stays until it is followed."""
    # Counted before the password check, so a borrowed session cannot guess the password freely.
    ratelimit.check("email-change", str(user.pk), limit=5, window=3600)
    if not isinstance(password, str) or not user.check_password(password):
        raise Invalid("Your current password is not right.", errors={"password": ["Does not match."]})
    email = normalise_email(new_email)
    if email == user.email:
        raise Invalid("That is already your email address.", errors={"email": ["Same as now."]})
    if User.objects.filter(email__iexact=email).exists():
        # Say the same as for a free address, so the form does not reveal who is registered.
        return
    # The new address is its reader's own; the old one goes in only as a digest.
    token = signing.dumps({"u": user.pk, "old": email_digest(user.email), "new": email}, salt=EMAIL_CHANGE_SALT)
    link = base_url.rstrip("/") + reverse("accounts:email-confirm", args=[token])
    body = render_to_string("accounts/email/email_change.txt", {"user": user, "link": link})
    send_mail("Confirm your new email for Kinship", body, None, [email])


@transaction.atomic
def confirm_email_change(*, token: Any) -> User:
    if not isinstance(token, str) or len(token) > 600:
        raise Invalid("This link is not valid.", errors={"token": ["Not a valid token."]})
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=settings.VERIFY_LINK_MAX_AGE)
    except signing.BadSignature:
        raise Invalid("This link is not valid or has expired.", errors={"token": ["Not a valid token."]}) from None
    user = User.objects.select_for_update().filter(pk=_link_user_id(data)).first()
    if user is None or not constant_time_compare(email_digest(user.email), str(data.get("old", ""))):
        raise Invalid("This link is not valid any more.", errors={"token": ["Not a valid token."]})
    if User.objects.filter(email__iexact=data["new"]).exclude(pk=user.pk).exists():
        raise Invalid("That address is already in use.", errors={"email": ["Already registered."]})
    old_email = user.email
    user.email = data["new"]
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email", "email_verified_at"])
    revoke_all_tokens(user=user)
    # The old address hears of the change, so a taken-over account does not go unnoticed.
    body = render_to_string("accounts/email/email_changed.txt", {"user": user})
    transaction.on_commit(lambda: send_mail("Your Kinship email address was changed", body, None, [old_email]))
    return user
