from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from kinship.core.errors import Invalid
from kinship.core.forms import show_errors
from kinship.notifications import services
from kinship.notifications.forms import EmailPreferenceForm
from kinship.notifications.models import EmailPreference

BAD_LINK = "This unsubscribe link is not valid. You can change your email settings after signing in."


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = services.preferences_for(request.user)  # type: ignore[arg-type]
    if request.method == "POST":
        form = EmailPreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.update_preferences(user=request.user, changes=form.cleaned_data)  # type: ignore[arg-type]
            except Invalid as error:
                show_errors(form, error)
            else:
                messages.success(request, "Your email settings are saved.")
                return redirect("notifications:preferences")
        return render(request, "notifications/preferences.html", {"form": form}, status=422)
    form = EmailPreferenceForm(initial={kind: current.wants(kind) for kind in EmailPreference.KINDS})
    return render(request, "notifications/preferences.html", {"form": form})


# Mail clients POST "List-Unsubscribe=One-Click" with no session and no CSRF token (RFC 8058);
# the signed token is what authorises the change.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = services.read_unsubscribe_token(token)
    if found is None:
        return render(request, "error.html", {"title": "Link not valid", "detail": BAD_LINK}, status=400)
    label = dict(EmailPreference.KIND_CHOICES)[found[1]]
    if request.method == "GET":
        # Only a confirm page: link scanners that fetch every URL in a mail must not unsubscribe anyone.
        return render(request, "notifications/unsubscribe.html", {"label": label})
    services.unsubscribe(token=token)
    return render(request, "notifications/unsubscribed.html", {"label": label})
