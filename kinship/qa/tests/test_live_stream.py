import json
import threading
from unittest import mock

from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import override_settings
from django.urls import reverse

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.qa import live_views, services


def frames(chunk: bytes) -> list[dict[str, str]]:
    """Server-sent event frames as dicts of their fields; comments dropped."""
    parsed = []
    for block in chunk.decode().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if line and not line.startswith(":"))
        if fields:
            parsed.append(fields)
    return parsed


def close(response) -> None:
    """Close a stream as the server does when the client goes, without closing the test's own connection.

    A response's close() sends request_finished, whose close_old_connections would close the connection
    a TestCase holds its transaction on (on PostgreSQL; SQLite's in-memory one survives). The test client
    does the same around the close it makes itself.
    """
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


@override_settings(REDIS_URL="", LIVE_STREAM_SECONDS=2)
class StreamTests(KinshipTestCase):
    def setUp(self) -> None:
        self.event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        self.url = reverse("qa:stream", args=[self.event.pk])

    def test_the_stream_sends_the_version_then_each_new_one_and_nothing_else(self) -> None:
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/event-stream")
        self.assertEqual(response["Cache-Control"], "no-cache")
        chunks = iter(response.streaming_content)  # type: ignore[attr-defined]
        first = frames(next(chunks))
        self.assertEqual(first[0], {"retry": "1000"})
        self.assertEqual(first[1], {"id": "0", "event": "version", "data": '{"version": 0}'})
        with self.captureOnCommitCallbacks(execute=True):
            services.ask(author=self.cast.member, event=self.event, body="Secret worry", anonymous=True)
        [update] = frames(next(chunks))
        self.assertEqual(update, {"id": "1", "event": "version", "data": '{"version": 1}'})
        rest = b"".join(chunks)  # ends by itself after LIVE_STREAM_SECONDS
        close(response)
        everything = b"".join([rest])
        # A stream carries versions only: no question text, no asker, whoever listens.
        for frame in frames(everything):
            self.assertEqual(set(json.loads(frame["data"])), {"version"})
        self.assertNotIn(b"Secret", everything)
        self.assertNotIn(self.cast.member.display_name.encode(), everything)

    def test_who_may_listen(self) -> None:
        self.assertEqual(self.client.get(self.url).status_code, 404)  # signed out: questions are member content
        private = make_cast(visibility=Circle.PRIVATE)
        event = factories.make_event(circle=private.circle, facilitator=private.facilitator)
        for person in (private.outsider, private.pending):
            self.client.force_login(person)
            with self.subTest(person=person.display_name):
                self.assertEqual(self.client.get(reverse("qa:stream", args=[event.pk])).status_code, 404)
        for bad in ("0", "99999999", "abc"):
            with self.subTest(bad=bad):
                self.assertEqual(self.client.get(f"/events/{bad}/questions/stream/").status_code, 404)

    def test_a_full_process_answers_503_and_a_closed_stream_frees_its_place(self) -> None:
        self.client.force_login(self.cast.member)
        with mock.patch.object(live_views, "_slots", threading.BoundedSemaphore(1)):
            first = self.client.get(self.url)
            self.assertEqual(first.status_code, 200)
            busy = self.client.get(self.url)
            self.assertEqual(busy.status_code, 503)
            self.assertEqual(busy["Retry-After"], "30")
            close(first)
            again = self.client.get(self.url)
            self.assertEqual(again.status_code, 200)
            close(again)

    def test_a_refusal_reads_nothing_and_a_forbidden_listener_gives_its_place_back(self) -> None:
        private = make_cast(visibility=Circle.PRIVATE)
        hidden = factories.make_event(circle=private.circle, facilitator=private.facilitator)
        outsider = private.outsider
        self.client.force_login(outsider)
        with mock.patch.object(live_views, "_slots", threading.BoundedSemaphore(1)):
            for _ in range(3):  # each 404 must free the only place, or the next one would be a 503
                self.assertEqual(self.client.get(reverse("qa:stream", args=[hidden.pk])).status_code, 404)
            live_views._slots.acquire()
            self.client.get(self.url)  # load the session once, so only the refusal is counted below
            with self.assertNumQueries(2):  # the session and the user, never the event
                busy = self.client.get(reverse("qa:stream", args=[hidden.pk]))
            self.assertEqual(busy.status_code, 503)

    def test_a_fixed_number_of_queries(self) -> None:
        self.client.force_login(self.cast.member)
        for n in range(5):
            services.ask(author=factories.make_member(self.cast.circle), event=self.event, body=f"Q{n}")
        with self.assertNumQueries(4):  # event, session, user, version after listening
            response = self.client.get(self.url)
        close(response)
