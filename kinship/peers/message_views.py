"""Private message pages: the inbox, a conversation, starting one, reporting a message, blocking, and
the staff report queue.

A conversation is for its two people only: to anyone else, staff included, it answers 404 exactly
like one that does not exist. Staff read one reported message through the report page, audited.
None of these pages is cached.
"""

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from kinship.accounts.auth import signed_in
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.forms import show_errors
from kinship.core.pagination import parse_limit
from kinship.core.signals import offer_help
from kinship.peers import messaging
from kinship.peers.forms_messages import MessageForm, ReportForm
from kinship.peers.models import Conversation, MessageReport

INBOX_SIZE = 20
THREAD_SIZE = 30


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def inbox(request: HttpRequest) -> HttpResponse:
    """The member's conversations, latest first, with unread counts."""
    user = signed_in(request)
    page = messaging.inbox_page(user, cursor=_cursor(request), limit=parse_limit(None, INBOX_SIZE))
    return render(request, "peers/inbox.html", {"page": page})


def _conversation_context(
    request: HttpRequest, conversation: Conversation, form: MessageForm | None = None, refusal: str | None = None
) -> dict[str, Any]:
    user = signed_in(request)
    other = messaging.other_person(conversation, user)
    page = messaging.thread_page(conversation, cursor=_cursor(request), limit=parse_limit(None, THREAD_SIZE))
    found = messaging.block_between(user, other)
    return {
        "conversation": conversation,
        "other": other,
        "thread": list(reversed(page.items)),
        "earlier": page.next,
        "form": form or MessageForm(),
        "refusal": refusal if refusal is not None else messaging.reply_refusal(user, conversation),
        "i_blocked": found is not None and found.blocker_id == user.pk,
    }


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation(request: HttpRequest, conversation_id: int) -> HttpResponse:
    """Read a conversation (which marks it read) and reply to it."""
    user = signed_in(request)
    found = messaging.get_conversation_for(user, conversation_id)
    if request.method != "POST":
        messaging.mark_read(user=user, conversation=found)
        return render(request, "peers/conversation.html", _conversation_context(request, found))
    form = MessageForm(request.POST)
    form.is_valid()
    try:
        message = messaging.send_message(sender=user, conversation=found, body=request.POST.get("body"))
    except Invalid as error:
        show_errors(form, error)
        return render(request, "peers/conversation.html", _conversation_context(request, found, form), status=422)
    except NotAllowed as error:
        ctx = _conversation_context(request, found, form, refusal=error.detail)
        return render(request, "peers/conversation.html", ctx, status=403)
    offer_help(request, request.POST.get("body"))
    return redirect(f"{found.get_absolute_url()}#message-{message.pk}")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def conversation_new(request: HttpRequest, user_id: int) -> HttpResponse:
    """Write to a member; if the two already have a conversation, go to it."""
    user = signed_in(request)
    recipient = messaging.get_recipient(user_id)
    existing = messaging.find_conversation(user, recipient) if recipient is not None else None
    if existing is not None:
        return redirect(existing)
    refusal = messaging.refusal(user, recipient)
    ctx: dict[str, Any] = {"recipient": recipient if refusal is None else None, "refusal": refusal}
    if refusal is not None:
        return render(request, "peers/conversation_new.html", ctx, status=403)
    if request.method != "POST":
        return render(request, "peers/conversation_new.html", {**ctx, "form": MessageForm()})
    form = MessageForm(request.POST)
    form.is_valid()
    try:
        found, message, _ = messaging.start_conversation(
            sender=user, recipient=recipient, body=request.POST.get("body")
        )
    except Invalid as error:
        show_errors(form, error)
        return render(request, "peers/conversation_new.html", {**ctx, "form": form}, status=422)
    except NotAllowed as error:
        return render(request, "peers/conversation_new.html", {"refusal": error.detail}, status=403)
    offer_help(request, request.POST.get("body"))
    return redirect(f"{found.get_absolute_url()}#message-{message.pk}")


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_report(request: HttpRequest, conversation_id: int, message_id: int) -> HttpResponse:
    """Report a message the other person sent: it goes to the staff report queue."""
    user = signed_in(request)
    found = messaging.get_conversation_for(user, conversation_id)
    message = messaging.get_message_for(user, found, message_id)
    if message.sender_id == user.pk:
        raise Http404("You can report messages sent to you.")
    already = MessageReport.objects.filter(message=message, reporter=user).exists()
    ctx: dict[str, Any] = {"conversation": found, "message": message, "already": already}
    if request.method != "POST" or already:
        status = 409 if request.method == "POST" else 200
        return render(request, "peers/message_report.html", {**ctx, "form": ReportForm()}, status=status)
    form = ReportForm(request.POST)
    form.is_valid()
    try:
        messaging.report_message(
            reporter=user, message=message, reason=request.POST.get("reason"), detail=request.POST.get("detail")
        )
    except (Invalid, Conflict) as error:
        show_errors(form, error)
        return render(request, "peers/message_report.html", {**ctx, "form": form}, status=error.status)
    flash.success(request, "Thank you. Staff will look at the message you reported; nobody else sees your report.")
    return redirect(found)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return fallback


@login_required
@require_POST
def block(request: HttpRequest, user_id: int) -> HttpResponse:
    """Block (action=block) or unblock (action=unblock) a member."""
    user = signed_in(request)
    action = request.POST.get("action")
    if action not in ("block", "unblock"):
        raise Invalid("Choose block or unblock.")
    if action == "block":
        made = messaging.block(blocker=user, target=user_id)
        flash.success(
            request,
            f"You blocked {made.blocked.display_name}. They cannot send you messages or see your recovery "
            "details; they are not told.",
        )
    else:
        target = messaging.get_recipient(user_id)
        if messaging.unblock(blocker=user, target=user_id) and target is not None:
            flash.success(request, f"You unblocked {target.display_name}.")
    return redirect(_back(request, reverse("peers:inbox")))


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def message_reports(request: HttpRequest) -> HttpResponse:
    """Staff: open reports, oldest first. The list never shows the message; opening a report does, audited."""
    user = signed_in(request)
    if not messaging.is_moderator(user):
        raise NotAllowed("The message report queue is for staff.")
    return render(request, "peers/message_reports.html", {"reports": list(messaging.open_reports()[:200])})


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def message_report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    """Staff: the reported message and nothing else of the conversation; each look is audited. POST closes."""
    user = signed_in(request)
    report = messaging.get_report_for(user, report_id)
    if request.method == "POST":
        if request.POST.get("action") != "close":
            raise Invalid("Choose close to close this report.")
        messaging.close_report(staff=user, report=report)
        flash.success(request, f"Report {report.pk} is closed.")
        return redirect("peers:message-reports")
    messaging.view_report(staff=user, report=report)
    return render(request, "peers/message_report_detail.html", {"report": report})
