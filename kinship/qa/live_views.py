"""The live stream of an event's questions: server-sent events that say only "version n".

Each stream holds one server thread, so a process serves at most LIVE_MAX_STREAMS at once and
ends each after LIVE_STREAM_SECONDS; the browser reconnects by itself (EventSource), and a page
refused a stream (503) keeps polling the board instead, which costs one cheap request a second.
"""

import json
import queue
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from kinship.core import live
from kinship.qa import access, services

HEARTBEAT_SECONDS = 15

_slots = threading.BoundedSemaphore(settings.LIVE_MAX_STREAMS)


def _frame(version: int) -> bytes:
    return f"id: {version}\nevent: version\ndata: {json.dumps({'version': version})}\n\n".encode()


class Stream:
    """The body of one SSE response; close() (called by the server when the client goes) frees its slot."""

    def __init__(self, inbox: queue.Queue[dict[str, Any]], version: int, resources: ExitStack) -> None:
        self.inbox = inbox
        self.version = version
        self.resources = resources
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        # retry: how soon EventSource reconnects once this stream ends on purpose.
        yield b"retry: 1000\n\n" + _frame(self.version)
        deadline = time.monotonic() + settings.LIVE_STREAM_SECONDS
        while (left := deadline - time.monotonic()) > 0:
            try:
                message = self.inbox.get(timeout=min(HEARTBEAT_SECONDS, left))
            except queue.Empty:
                yield b": still here\n\n"
                continue
            version = message.get("version")
            if isinstance(version, int) and version > self.version:
                self.version = version
                yield _frame(version)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.resources.close()


def stream(request: HttpRequest, event_id: int) -> HttpResponseBase:
    # The slot comes first, so a refusal costs no query and says nothing about the event.
    if not _slots.acquire(blocking=False):
        return HttpResponse(
            "Live updates are busy; this page checks for news every few seconds instead.",
            status=503,
            content_type="text/plain; charset=utf-8",
            headers={"Retry-After": "30"},
        )
    resources = ExitStack()
    resources.callback(_slots.release)
    try:
        event = access.get_event_for(request.user, event_id)
        # Listen before reading the version, so nothing that happens in between is missed.
        inbox = resources.enter_context(live.listen(services.channel(event)))
        version = event.__class__.objects.values_list("questions_version", flat=True).get(pk=event.pk)
    except BaseException:
        resources.close()
        raise
    if not connection.in_atomic_block:
        # The stream needs no database: give the connection back instead of idling on it for a minute.
        connection.close()
    response = StreamingHttpResponse(Stream(inbox, version, resources), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
