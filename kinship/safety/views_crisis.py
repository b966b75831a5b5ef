"""A circle's crisis alerts for its facilitators, and "I reached out" (see safety.crisis_alerts)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.circles import access as circle_access
from kinship.safety import crisis_alerts


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def circle_alerts(request: HttpRequest, slug: str) -> HttpResponse:
    """Open and recently acknowledged alerts of one circle: its facilitators and staff; 404 for others."""
    user = signed_in(request)
    circle = circle_access.get_circle_for(user, slug)
    if not crisis_alerts.can_see_alerts(user, circle):
        raise Http404("No such page.")
    ctx = {"circle": circle, "crisis_alerts": crisis_alerts.circle_alerts(user, circle)}
    return render(request, "safety/crisis_alerts.html", ctx)


@never_cache
@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    user = signed_in(request)
    alert = crisis_alerts.get_alert_for(user, alert_id)
    crisis_alerts.acknowledge(facilitator=user, alert=alert)
    messages.success(request, f"Thank you. Marked: you reached out to {alert.writer.display_name}.")
    return redirect(crisis_alerts.alerts_url(alert.circle))
