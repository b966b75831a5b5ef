from functools import cache
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from kinship.accounts.auth import signed_in
from kinship.circles import access, queries, services
from kinship.circles.forms import CircleForm, JoinForm
from kinship.circles.models import Circle, Membership
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.discussions import queries as discussion_queries


def circle_list(request: HttpRequest) -> HttpResponse:
    circles = queries.decorate(request.user, list(queries.circles_for_listing(request.user)))
    return render(
        request, "circles/circle_list.html", {"circles": circles, "can_create": access.can_create_circle(request.user)}
    )


def circle_detail(request: HttpRequest, slug: str) -> HttpResponse:
    circle = queries.circle_for_page(request.user, slug)
    ctx: dict[str, object] = {
        "circle": circle,
        "description": queries.rendered_markdown(circle.description),
        "guidelines": queries.rendered_markdown(circle.guidelines),
        "membership": access.membership(request.user, circle),
        "can_read": access.can_read(request.user, circle),
        "can_post": access.can_post(request.user, circle),
        "can_join": access.can_join(request.user, circle),
        "can_manage": access.can_manage_circle(request.user, circle),
        "needs_two_factor": access.needs_two_factor_to_lead(request.user, circle),
        "can_see_members": access.can_see_members(request.user, circle),
    }
    if ctx["can_read"]:
        page = discussion_queries.topic_list_rows(request.user, circle, cursor=request.GET.get("cursor"), limit=20)
        ctx["page"] = page
        # Jinja2 escaped every value as it drew them; the list is safe markup as a whole.
        ctx["topic_list"] = mark_safe(_topic_list_template().render({"topics": page.items}))
    return render(request, "circles/circle_detail.html", ctx)


@cache
def _topic_list_template() -> Any:
    return engines["jinja2"].get_template("circles/topic_list.html")


@login_required
def circle_create(request: HttpRequest) -> HttpResponse:
    if not access.can_create_circle(request.user):
        raise NotAllowed("Only staff can create circles.")
    form = CircleForm(
        request.POST if request.method == "POST" else None,
        initial={"visibility": Circle.PUBLIC, "join_policy": Circle.OPEN},
    )
    if request.method == "POST":
        data = {f: request.POST.get(f, "") for f in CircleForm.base_fields}
        try:
            circle = services.create_circle(creator=signed_in(request), data=data)
        except (Invalid, Conflict) as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "circles/circle_form.html", {"form": form, "creating": True}, status=422)
        messages.success(request, "The circle is ready. You are its first facilitator.")
        return redirect(circle)
    return render(request, "circles/circle_form.html", {"form": form, "creating": True})


@login_required
def circle_edit(request: HttpRequest, slug: str) -> HttpResponse:
    circle = access.get_circle_for(request.user, slug)
    if not access.can_manage_circle(request.user, circle):
        raise NotAllowed("Only the circle's facilitators can change it.")
    fields = ["name", "description", "guidelines", "visibility", "join_policy"]
    if not access.can_change_visibility(request.user):
        fields.remove("visibility")
    form = CircleForm(
        request.POST if request.method == "POST" else None, initial={f: getattr(circle, f) for f in fields}
    )
    for name in set(form.fields) - set(fields):
        del form.fields[name]
    if request.method == "POST":
        try:
            services.update_circle(
                editor=signed_in(request), circle=circle, data={f: request.POST.get(f, "") for f in fields}
            )
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "circles/circle_form.html", {"form": form, "circle": circle}, status=422)
        messages.success(request, "Saved.")
        return redirect(circle)
    return render(request, "circles/circle_form.html", {"form": form, "circle": circle})


def _join(request: HttpRequest, circle: Circle, invite_code: str | None) -> HttpResponse:
    form = JoinForm(request.POST if request.method == "POST" else None)
    ctx = {"circle": circle, "form": form, "invite_code": invite_code}
    if request.method == "POST":
        try:
            membership = services.join_circle(
                member=signed_in(request),
                circle=circle,
                accept_guidelines=request.POST.get("accept_guidelines") == "on",
                invite_code=invite_code,
            )
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "circles/circle_join.html", ctx, status=422)
        if membership.is_active:
            messages.success(request, f"Welcome to {circle.name}.")
        else:
            messages.success(request, "Thank you. A facilitator will look at your request soon.")
        return redirect(circle)
    return render(request, "circles/circle_join.html", ctx)


@login_required
def circle_join(request: HttpRequest, slug: str) -> HttpResponse:
    circle = access.get_circle_for(request.user, slug)
    if access.membership(request.user, circle) is not None:
        return redirect(circle)
    if circle.join_policy == Circle.INVITE:
        raise NotAllowed("This circle takes new members by invitation link only.")
    return _join(request, circle, None)


@login_required
def invite_join(request: HttpRequest, code: str) -> HttpResponse:
    """An invitation link opens even a hidden circle's door to whoever holds it."""
    circle = Circle.objects.filter(invite_code=code).first()
    if circle is None:
        raise Http404("This invitation link is not valid.")
    if access.membership(request.user, circle) is not None:
        return redirect(circle)
    return _join(request, circle, code)


@require_POST
@login_required
def circle_leave(request: HttpRequest, slug: str) -> HttpResponse:
    circle = access.get_circle_for(request.user, slug)
    services.leave_circle(member=signed_in(request), circle=circle)
    messages.success(request, f"You left {circle.name}.")
    return redirect("circles:circle-list")


@require_POST
@login_required
def invite_regenerate(request: HttpRequest, slug: str) -> HttpResponse:
    circle = access.get_circle_for(request.user, slug)
    services.regenerate_invite_code(facilitator=signed_in(request), circle=circle)
    messages.success(request, "Here is the new invitation link. The old one no longer works.")
    return redirect(circle)


@login_required
def member_list(request: HttpRequest, slug: str) -> HttpResponse:
    circle = access.get_circle_for(request.user, slug)
    if not access.can_see_members(request.user, circle):
        raise NotAllowed("Only the circle's members can see who else is in it.")
    members = list(queries.member_list(request.user, circle))
    for m in members:
        m.circle = circle
        m.can_step_down = access.can_step_down(request.user, m)  # type: ignore[attr-defined]
        m.can_manage = access.can_manage_member(request.user, m)  # type: ignore[attr-defined]
    return render(
        request,
        "circles/member_list.html",
        {
            "circle": circle,
            "members": [m for m in members if m.is_active],
            "pending": [m for m in members if not m.is_active],
            "can_moderate": access.can_moderate(request.user, circle),
        },
    )


@require_POST
@login_required
def member_action(request: HttpRequest, slug: str, user_id: int, action: str) -> HttpResponse:
    circle = access.get_circle_for(request.user, slug)
    if not access.can_see_members(request.user, circle):
        raise NotAllowed("Only the circle's members can see who else is in it.")
    actor = signed_in(request)
    if action == "approve":
        services.approve_membership(facilitator=actor, circle=circle, user_id=user_id)
        messages.success(request, "Approved. They are now a member.")
    elif action == "remove":
        services.remove_membership(facilitator=actor, circle=circle, user_id=user_id)
        messages.success(request, "Done.")
    elif action == "role":
        role = request.POST.get("role", "")
        services.set_member_role(facilitator=actor, circle=circle, user_id=user_id, role=role)
        messages.success(request, "Facilitator appointed." if role == Membership.FACILITATOR else "Role changed.")
    else:
        raise Http404("No such action.")
    return redirect("circles:member-list", slug=circle.slug)
