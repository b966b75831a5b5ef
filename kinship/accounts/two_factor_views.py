"""Pages for two-step sign-in: set it up, keep recovery codes, switch it off, and the code at sign-in."""

import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kinship.accounts import signals, two_factor
from kinship.accounts.auth import signed_in
from kinship.accounts.models import User
from kinship.accounts.two_factor_forms import CodeForm, ConfirmForm, DisableForm
from kinship.core.errors import Conflict, Invalid
from kinship.core.forms import show_errors

# Between the password and the code: who, how they were authenticated, where to go, until when.
PENDING = "kinship_two_factor_pending"
PENDING_SECONDS = 5 * 60
# Recovery codes wait here between the POST that made them and the one page that shows them.
FRESH_CODES = "kinship_two_factor_codes"


def begin_second_step(request: HttpRequest, user: User, next_url: str) -> HttpResponse:
    """The password was right; ask for the code before signing in (called by the sign-in page)."""
    request.session[PENDING] = {
        "user": user.pk,
        "backend": getattr(user, "backend", ""),
        "next": next_url,
        "until": time.time() + PENDING_SECONDS,
    }
    return redirect("accounts:login-code")


def complete_sign_in(request: HttpRequest, user: User, *, backend: str | None = None) -> None:
    """Start the session, and let the audit know (staff sign-ins are recorded)."""
    login(request, user, backend=backend)
    signals.signed_in.send(sender=User, user=user, via="browser")


def _pending_user(request: HttpRequest) -> tuple[User | None, dict[str, Any]]:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict) or pending.get("until", 0) < time.time():
        return None, {}
    user_id = pending.get("user")
    if not isinstance(user_id, int):
        return None, {}
    user = User.objects.filter(pk=user_id, is_active=True).first()
    return user, pending


def login_code(request: HttpRequest) -> HttpResponse:
    """Second step of signing in: a code from the authenticator app or a recovery code."""
    if request.user.is_authenticated:
        return redirect("core:home")
    user, pending = _pending_user(request)
    if user is None:
        request.session.pop(PENDING, None)
        messages.info(request, "Please sign in again: the time for the code ran out.")
        return redirect("accounts:login")
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            used = two_factor.verify(user=user, code=request.POST.get("otp", ""))
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "accounts/two_factor/login_code.html", {"form": form}, status=422)
        del request.session[PENDING]
        complete_sign_in(request, user, backend=pending.get("backend") or None)
        if used == "recovery":
            left = two_factor.recovery_codes_left(user)
            messages.warning(
                request,
                f"You used a recovery code; {left} left. If your phone is lost, set up two-step sign-in again.",
            )
        return redirect(pending.get("next") or "core:home")
    return render(request, "accounts/two_factor/login_code.html", {"form": form})


@login_required
def two_factor_home(request: HttpRequest) -> HttpResponse:
    """Whether two-step sign-in is on, and the ways to set it up, renew codes or switch it off."""
    user = signed_in(request)
    return render(request, "accounts/two_factor/home.html", _home_context(user))


def _home_context(user: User, **extra: Any) -> dict[str, Any]:
    on = two_factor.has_two_factor(user)
    context: dict[str, Any] = {
        "on": on,
        "codes_left": two_factor.recovery_codes_left(user) if on else 0,
        "renew_form": CodeForm(prefix="renew"),
        "disable_form": DisableForm(prefix="off"),
        "needed_for": two_factor.powers_waiting(user),
    }
    context.update(extra)
    return context


@require_POST
@login_required
def two_factor_start(request: HttpRequest) -> HttpResponse:
    try:
        two_factor.start(user=signed_in(request))
    except Conflict as error:
        messages.error(request, error.detail)
        return redirect("accounts:two-factor")
    return redirect("accounts:two-factor-setup")


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), then prove it works with a first code."""
    user = signed_in(request)
    device = two_factor.device_of(user)
    if device is None or device.is_confirmed:
        return redirect("accounts:two-factor")
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            codes = two_factor.confirm(user=user, code=request.POST.get("otp", ""))
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
        else:
            request.session[FRESH_CODES] = codes
            messages.success(request, "Two-step sign-in is on.")
            return redirect("accounts:two-factor-codes")
    uri = two_factor.provisioning_uri(user=user, device=device)
    context = {"form": form, "secret": device.secret, "uri": uri, "qr": two_factor.qr_svg(uri)}
    status = 422 if request.method == "POST" else 200
    return render(request, "accounts/two_factor/setup.html", context, status=status)


@login_required
def two_factor_codes(request: HttpRequest) -> HttpResponse:
    """The new recovery codes, once: reloading the page does not show them again."""
    codes = request.session.pop(FRESH_CODES, None)
    if not codes:
        return redirect("accounts:two-factor")
    response = render(request, "accounts/two_factor/codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def two_factor_renew(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = CodeForm(request.POST, prefix="renew")
    try:
        codes = two_factor.regenerate_recovery_codes(user=user, code=request.POST.get("renew-otp", ""))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return render(request, "accounts/two_factor/home.html", _home_context(user, renew_form=form), status=422)
    request.session[FRESH_CODES] = codes
    messages.success(request, "New recovery codes are ready; the old ones no longer work.")
    return redirect("accounts:two-factor-codes")


@require_POST
@login_required
def two_factor_disable(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    form = DisableForm(request.POST, prefix="off")
    try:
        two_factor.disable(
            user=user, password=request.POST.get("off-password", ""), code=request.POST.get("off-otp", "")
        )
    except Conflict as error:
        messages.error(request, error.detail)
        return redirect("accounts:two-factor")
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        return render(request, "accounts/two_factor/home.html", _home_context(user, disable_form=form), status=422)
    messages.success(request, "Two-step sign-in is off.")
    return redirect("accounts:two-factor")
