from functools import cache
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import engines
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from kinship.accounts.auth import signed_in
from kinship.circles import access as circle_access
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.core.signals import offer_help
from kinship.discussions import access, fragments, queries, services
from kinship.discussions.forms import PostEditForm, ReplyForm, TopicForm
from kinship.discussions.models import CONTENT_NOTE_MAX, Post


def _post_fields(request: HttpRequest) -> dict[str, object]:
    return {
        "body": request.POST.get("body", ""),
        "content_note": request.POST.get("content_note", ""),
        "anonymous": request.POST.get("anonymous") == "on",
    }


@login_required
def topic_create(request: HttpRequest, slug: str) -> HttpResponse:
    circle = circle_access.get_circle_for(request.user, slug)
    if not circle_access.can_read(request.user, circle):
        raise NotAllowed("Only members of this circle can post here.")
    if not access.can_start_topic(request.user, circle):
        raise NotAllowed(services.why_cannot_post(request.user))
    form = TopicForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            topic = services.start_topic(
                author=signed_in(request),
                circle=circle,
                title=request.POST.get("title", ""),
                **_post_fields(request),
            )
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "discussions/topic_create.html", {"form": form, "circle": circle}, status=422)
        offer_help(request, f"{request.POST.get('title', '')}\n{request.POST.get('body', '')}")
        if topic.hidden:  # pre-moderation: the topic waits for a facilitator before anyone sees it
            messages.success(request, "Thank you. Your topic will appear once a facilitator approves it.")
            return redirect(circle)
        return redirect(topic)
    return render(request, "discussions/topic_create.html", {"form": form, "circle": circle})


def topic_detail(request: HttpRequest, topic_id: int) -> HttpResponse:
    thread = queries.topic_page(
        request.user,
        topic_id,
        cursor=request.GET.get("cursor") or None,
        before=request.GET.get("before") or None,
        last=request.GET.get("last") == "1",
    )
    topic = thread.topic
    services.mark_read(member=signed_in(request), topic=topic, read_at=topic.read_at)  # type: ignore[attr-defined]
    return render(request, "discussions/topic_detail.html", _thread_context(request, thread, ReplyForm()))


def _thread_context(request: HttpRequest, thread: queries.Thread, form: ReplyForm) -> dict[str, object]:
    topic = thread.topic
    viewer = access.thread_viewer(request.user, topic)
    # Masked once: each masking draws 64 random characters, and every post has a form.
    csrf_field = csrf_input(request)
    context = {
        "topic": topic,
        "circle": topic.circle,
        "circle_url": topic.circle.get_absolute_url(),
        "thread": thread,
        "posts_html": fragments.post_rows(thread.posts, viewer=viewer, mine=thread.my_reactions, csrf_field=csrf_field),
        "csrf_field": csrf_field,
        "form": form,
        "reply": _reply_fields(form),
        "can_reply": access.can_reply(request.user, topic),
        "can_moderate": viewer.moderator,
        "content_note_max": CONTENT_NOTE_MAX,
        "signed_in": request.user.is_authenticated,
        "verified": getattr(request.user, "is_verified", False),
        "path": request.path,
    }
    # Jinja2 escaped every value as it drew them; the page is safe markup as a whole.
    context["body"] = mark_safe(_topic_body().render(context))
    return context


@cache
def _topic_body() -> Any:
    return engines["jinja2"].get_template("discussions/topic_body.html")


def _reply_fields(form: ReplyForm) -> dict[str, object]:
    """What the reply form shows: what was typed, and the errors by field."""
    errors = form.errors if form.is_bound else {}
    return {
        "errors": bool(errors),
        "non_field_errors": errors.get("__all__", []),
        "field_errors": any(name != "__all__" for name in errors),
        "body": form.data.get("body", ""),
        "body_errors": errors.get("body", []),
        "content_note": form.data.get("content_note", ""),
        "content_note_errors": errors.get("content_note", []),
        "anonymous": bool(form.data.get("anonymous")),
    }


@require_POST
@login_required
def reply_create(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = access.get_topic_for(request.user, topic_id)
    form = ReplyForm(request.POST)
    try:
        reply = services.post_reply(author=signed_in(request), topic=topic, **_post_fields(request))
    except Invalid as error:
        form.is_valid()
        show_errors(form, error)
        thread = queries.topic_rows(request.user, topic, last=True)
        return render(request, "discussions/topic_detail.html", _thread_context(request, thread, form), status=422)
    offer_help(request, request.POST.get("body", ""))
    if reply.awaiting_approval:
        messages.success(request, "Thank you. Your reply shows to others once a facilitator approves it.")
    # A new reply is the newest post: its place is the last page.
    return redirect(reverse("discussions:topic-detail", args=[topic.pk]) + f"?last=1#post-{reply.pk}")


def _post_url(post: Post) -> str:
    cursor = queries.cursor_for_post(post)
    url = reverse("discussions:topic-detail", args=[post.topic_id])
    if cursor:
        url += "?" + urlencode({"cursor": cursor})
    return f"{url}#post-{post.pk}"


def post_detail(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_post_for(request.user, post_id)
    return redirect(_post_url(post))


@login_required
def post_edit(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_post_for(request.user, post_id)
    if not access.can_edit(request.user, post):
        raise NotAllowed("You can only edit your own posts.")
    initial = {"body": post.body, "content_note": post.content_note, "title": post.topic.title}
    form = PostEditForm(request.POST if request.method == "POST" else None, initial=initial)
    if not post.is_opening:
        del form.fields["title"]
    ctx = {"form": form, "post": post, "topic": post.topic}
    if request.method == "POST":
        changes = {f: request.POST.get(f, "") for f in form.fields}
        try:
            services.edit_post(editor=signed_in(request), post=post, changes=changes)
        except Invalid as error:
            form.is_valid()
            show_errors(form, error)
            return render(request, "discussions/post_edit.html", ctx, status=422)
        messages.success(request, "Your changes are saved.")
        offer_help(request, "\n".join(str(v) for v in changes.values()))
        return redirect(_post_url(post))
    return render(request, "discussions/post_edit.html", ctx)


@login_required
def post_delete(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_post_for(request.user, post_id)
    if not access.can_delete(request.user, post):
        raise NotAllowed("You can only delete your own posts.")
    if request.method == "POST":
        services.delete_post(actor=signed_in(request), post=post)
        messages.success(request, "Deleted.")
        if post.is_opening:
            return redirect(post.topic.circle)
        return redirect(post.topic)
    return render(request, "discussions/post_delete.html", {"post": post, "topic": post.topic})


@require_POST
@login_required
def post_react(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_post_for(request.user, post_id)
    # One form per post; its buttons say "<kind>:1" to add and "<kind>:0" to take back, so a
    # repeated submit never flips a reaction the member meant to keep.
    kind, _, on = request.POST.get("reaction", "").partition(":")
    if on == "0":
        services.unreact(member=signed_in(request), post=post, kind=kind)
    else:
        services.react(member=signed_in(request), post=post, kind=kind)
    return redirect(_post_url(post))


@require_POST
@login_required
def topic_moderate(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = access.get_topic_for(request.user, topic_id)
    field = request.POST.get("field", "")
    services.moderate_topic(
        moderator=signed_in(request), topic=topic, changes={field: request.POST.get("value") == "1"}
    )
    messages.success(request, "Done.")
    return redirect(topic)


@require_POST
@login_required
def post_hide(request: HttpRequest, post_id: int) -> HttpResponse:
    post = access.get_post_for(request.user, post_id)
    services.hide_post(moderator=signed_in(request), post=post, hidden=request.POST.get("value") == "1")
    messages.success(request, "Done.")
    return redirect(_post_url(post))
