"""Pages: what the site keeps about the member and its download; deleting the account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kinship.accounts.auth import signed_in
from kinship.accounts.models import ConsentRecord
from kinship.core.errors import Invalid
from kinship.core.forms import show_errors
from kinship.safety import data_rights
from kinship.safety.forms_data_rights import DeleteAccountForm


@login_required
def data_overview(request: HttpRequest) -> HttpResponse:
    """What is kept, the consent history, and the download button."""
    user = signed_in(request)
    consents = ConsentRecord.objects.filter(account_number=user.pk).order_by("-created_at", "-id")
    return render(request, "safety/data_overview.html", {"consents": consents})


@require_POST
@login_required
def data_download(request: HttpRequest) -> HttpResponse:
    """The export as a JSON file; a POST because handing it out is written to the audit log."""
    user = signed_in(request)
    document = data_rights.record_export(user=user)
    body = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{data_rights.export_filename()}"'
    # Health data: never kept by a shared cache or the browser's back button.
    response["Cache-Control"] = "no-store"
    return response


@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Delete the account after the password (and code, with two-step sign-in) and the posts choice."""
    user = signed_in(request)
    needs_code = data_rights.needs_code(user)
    # Bound on every POST, even an empty one, so a bare submit shows what is missing.
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, needs_code=needs_code)
    if request.method == "POST":
        if form.is_valid():
            try:
                data_rights.erase(
                    user=user,
                    password=form.cleaned_data["password"],
                    posts=form.cleaned_data["posts"],
                    code=form.cleaned_data.get("otp"),
                )
            except Invalid as error:
                show_errors(form, error)
            else:
                logout(request)
                messages.success(request, "Your account is deleted. Thank you for being part of Kinship.")
                return redirect("core:home")
        return render(request, "safety/account_delete.html", {"form": form}, status=422)
    return render(request, "safety/account_delete.html", {"form": form})
