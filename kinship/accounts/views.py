from typing import Any
from urllib.parse import urlencode

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kinship.accounts import services, sessions, two_factor, two_factor_views
from kinship.accounts.auth import signed_in
from kinship.accounts.forms import EmailChangeForm, NewPasswordForm, ProfileForm, SignInForm, SignUpForm
from kinship.accounts.models import User
from kinship.circles import access as circle_access
from kinship.core.errors import Invalid
from kinship.core.forms import show_errors
from kinship.core.ratelimit import client_address

RECOVERY_LABELS = {
    "diagnosis": "Diagnosis",
    "surgery_type": "Surgery",
    "body_site": "Body site",
    "surgery_date": "Surgery date",
}


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _next_url(request: HttpRequest) -> str:
    """Where to go after signing in: a path on this site only, never elsewhere."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return ""
    return next_url


def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("core:home")
    form = SignUpForm(request.POST if request.method == "POST" else None)
    next_url = _next_url(request)
    if request.method == "POST":
        data = {f: request.POST.get(f, "") for f in ("email", "password", "display_name", "role")}
        try:
            services.sign_up(
                **data,
                accept_terms=request.POST.get("accept_terms") == "on",
                base_url=_base_url(request),
                address=client_address(request),
                next_url=next_url,
            )
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "accounts/signup.html", {"form": form, "next": next_url}, status=422)
        # Not signed in yet: a taken address must look exactly like a new one.
        return redirect("accounts:verify-sent")
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user = services.verify_email(token=token)
    except Invalid as error:
        return render(request, "accounts/verify_failed.html", {"detail": error.detail}, status=400)
    next_url = _next_url(request)
    if request.user.is_authenticated and request.user.pk == user.pk:
        messages.success(request, "Thank you — your email address is confirmed.")
        return redirect(next_url or "core:home")
    messages.success(request, "Thank you — your email address is confirmed. Please sign in.")
    login_url = reverse("accounts:login")
    return redirect(f"{login_url}?{urlencode({'next': next_url})}" if next_url else login_url)


def verify_sent(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        services.resend_verification(user=request.user, base_url=_base_url(request))  # type: ignore[arg-type]
        messages.success(request, "We sent the link again. It can take a minute to arrive.")
        return redirect("accounts:verify-sent")
    return render(request, "accounts/verify_sent.html")


def signin(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request.POST if request.method == "POST" else None)
    next_url = _next_url(request)
    if request.method == "POST":
        try:
            user = services.sign_in(
                request=request,
                email=request.POST.get("email", ""),
                password=request.POST.get("password", ""),
                address=client_address(request),
            )
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "accounts/login.html", {"form": form, "next": next_url}, status=422)
        if two_factor.has_two_factor(user):
            return two_factor_views.begin_second_step(request, user, next_url)
        two_factor_views.complete_sign_in(request, user)
        return redirect(next_url or "core:home")
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("core:home")


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password-reset-done")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        services.check_password_reset_rate(email=str(request.POST.get("email", "")), address=client_address(request))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=422)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password-reset-complete")
    form_class = NewPasswordForm

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=422)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.revoke_all_tokens(user=form.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile-edit")

    def form_invalid(self, form: Any) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=422)

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.revoke_all_tokens(user=form.user)
        messages.success(self.request, "Your password is changed. Apps signed in with the old one must sign in again.")
        return response


@login_required
def profile_edit(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    initial = {f: getattr(user, f) for f in ProfileForm.base_fields if f not in ("avatar", "remove_avatar")}
    posted = request.method == "POST"
    form = ProfileForm(request.POST if posted else None, request.FILES if posted else None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            changes = {k: v for k, v in form.cleaned_data.items() if k not in ("avatar", "remove_avatar")}
            try:
                # One transaction: a refused picture must not leave the other changes saved.
                with transaction.atomic():
                    services.update_profile(user=user, changes=changes)
                    if form.cleaned_data["remove_avatar"]:
                        services.set_avatar(user=user, upload=None)
                    elif form.cleaned_data["avatar"]:
                        services.set_avatar(user=user, upload=form.cleaned_data["avatar"])
            except Invalid as error:
                show_errors(form, error)
            else:
                messages.success(request, "Your profile is saved.")
                return redirect("accounts:profile-edit")
        user.refresh_from_db()
        return render(request, "accounts/profile_edit.html", {"form": form}, status=422)
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def email_change(request: HttpRequest) -> HttpResponse:
    form = EmailChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            services.request_email_change(
                user=request.user,  # type: ignore[arg-type]
                new_email=request.POST.get("email", ""),
                password=request.POST.get("password", ""),
                base_url=_base_url(request),
            )
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "accounts/email_change.html", {"form": form}, status=422)
        messages.success(request, "Check the new address: we sent it a link to confirm the change.")
        return redirect("accounts:profile-edit")
    return render(request, "accounts/email_change.html", {"form": form})


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        services.confirm_email_change(token=token)
    except Invalid as error:
        return render(request, "accounts/verify_failed.html", {"detail": error.detail}, status=400)
    messages.success(request, "Your email address is changed.")
    return redirect("accounts:profile-edit" if request.user.is_authenticated else "accounts:login")


@login_required
def profile(request: HttpRequest, user_id: int) -> HttpResponse:
    """A member's page: for themselves, staff and people who share a circle with them."""
    person = User.objects.filter(pk=user_id, is_active=True).first()
    viewer = request.user
    if person is None:
        raise Http404("No such member.")
    own = person.pk == viewer.pk
    shares = not own and circle_access.shares_a_circle(viewer, person)
    if not (own or shares or (viewer.is_staff and two_factor.has_two_factor(viewer))):
        raise Http404("No such member.")
    # Someone this member blocked no longer sees their recovery context (peers sits above accounts,
    # so the model is looked up by name rather than imported).
    if shares and apps.get_model("peers", "Block").objects.filter(blocker=person, blocked_id=viewer.pk).exists():
        shares = False
    recovery = []
    for field in User.RECOVERY_FIELDS:
        value = getattr(person, field)
        shared = getattr(person, f"{field}_visibility") == User.MY_CIRCLES
        # "My circles" means people who share one; staff read health details in the audited admin.
        if value and (own or (shared and shares)):
            label = RECOVERY_LABELS[field]
            shown = person.get_surgery_type_display() if field == "surgery_type" else value
            recovery.append((label, shown))
    return render(request, "accounts/profile.html", {"person": person, "recovery": recovery, "own": own})


@login_required
def session_list(request: HttpRequest) -> HttpResponse:
    """Where the member is signed in (browsers and apps), with a way to end each."""
    user = signed_in(request)
    context = {
        "sessions": sessions.list_sessions(user=user, current_key=request.session.session_key),
        "tokens": sessions.list_tokens(user=user),
    }
    return render(request, "accounts/sessions.html", context)


@require_POST
@login_required
def session_end(request: HttpRequest) -> HttpResponse:
    user = signed_in(request)
    try:
        if "token" in request.POST:
            sessions.revoke_token(user=user, token_id=request.POST.get("token"))
            messages.success(request, "That app is signed out.")
        elif "session" in request.POST:
            sessions.end_session(user=user, session_id=request.POST.get("session"))
            messages.success(request, "That browser is signed out.")
        else:
            ended = sessions.end_other_sessions(user=user, current_key=request.session.session_key)
            messages.success(request, f"Signed out everywhere else ({ended}).")
    except Invalid as error:
        context = {
            "sessions": sessions.list_sessions(user=user, current_key=request.session.session_key),
            "tokens": sessions.list_tokens(user=user),
            "error": error.detail,
        }
        return render(request, "accounts/sessions.html", context, status=422)
    return redirect("accounts:sessions")
