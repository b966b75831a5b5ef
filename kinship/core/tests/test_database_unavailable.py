"""A database that cannot be reached gives a clear 503 (page or problem+json), and the next request recovers.

On PostgreSQL every query goes through a loopback TCP proxy the test cuts (connections dropped, new
ones refused, as while the server restarts) and restores. On SQLite the file cannot be opened. Between
requests the test calls close_old_connections(), as Django's request_started/finished signals do in a
real server (the test client switches that off).
"""

import json
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from django.db import close_old_connections, connection
from django.test import Client, RequestFactory, TransactionTestCase
from django.utils.functional import SimpleLazyObject

from kinship.accounts.models import ApiToken
from kinship.core.middleware import RETRY_AFTER_SECONDS, unavailable
from kinship.core.testing import make_cast
from kinship.discussions.models import Post

HOST = "127.0.0.1"


class LoopbackProxy:
    """Forwards loopback TCP connections to PostgreSQL until cut: then drops them all and refuses new ones."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.port = 0
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((HOST, self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut or stopped
            try:
                server = socket.create_connection(self.upstream, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, target), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            self._close(source, target)

    def _close(self, *sockets: socket.socket) -> None:
        for sock in sockets:
            with self._lock:
                self._sockets.discard(sock)
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def cut(self) -> None:
        """Refuse new connections and drop the open ones, as a stopping server does."""
        if self._listener is not None:
            self._close(self._listener)
            self._listener = None
        with self._lock:
            open_now = list(self._sockets)
        self._close(*open_now)

    def restore(self) -> None:
        if self._listener is None:
            self.start()

    def stop(self) -> None:
        self.cut()


class DatabaseUnavailableTests(TransactionTestCase):
    def setUp(self) -> None:
        self.cast = make_cast()
        self.token = ApiToken.issue(self.cast.member)[1]
        # What a browser or an app sees: no exception re-raised into the test, only the response.
        self.browser = Client(raise_request_exception=False)
        self.browser.force_login(self.cast.member)
        self.visitor = Client(raise_request_exception=False)
        self._outage = self._postgresql_outage() if connection.vendor == "postgresql" else self._sqlite_outage()
        self.cut, self.restore = next(self._outage)
        self.addCleanup(self._end_outage)

    def _end_outage(self) -> None:
        # The outage's own finally-block puts the real connection back, whatever the test did.
        next(self._outage, None)

    def _postgresql_outage(self) -> Iterator[Any]:
        settings_dict = connection.settings_dict
        saved = settings_dict["HOST"], settings_dict["PORT"]
        proxy = LoopbackProxy((saved[0] or HOST, int(saved[1] or 5432)))
        proxy.start()
        connection.close()
        settings_dict["HOST"], settings_dict["PORT"] = HOST, str(proxy.port)
        try:
            yield proxy.cut, proxy.restore
        finally:
            proxy.stop()
            connection.close()
            settings_dict["HOST"], settings_dict["PORT"] = saved

    def _sqlite_outage(self) -> Iterator[Any]:
        # The test database lives in memory and dies with its last connection, so that connection is
        # set aside (not closed) while the settings point at a file nobody can open.
        settings_dict = connection.settings_dict
        saved_name, saved_connection = settings_dict["NAME"], None
        missing = Path(tempfile.gettempdir()) / f"kinship-missing-{uuid.uuid4().hex}" / "db.sqlite3"

        def cut() -> None:
            nonlocal saved_connection
            if saved_connection is None:
                connection.ensure_connection()
                saved_connection = connection.connection
                connection.connection = None
                settings_dict["NAME"] = str(missing)

        def restore() -> None:
            nonlocal saved_connection
            if saved_connection is not None:
                connection.close()
                settings_dict["NAME"] = saved_name
                connection.connection = saved_connection
                saved_connection = None

        try:
            yield cut, restore
        finally:
            restore()

    def get(self, client: Client, path: str, **extra: Any) -> Any:
        # A real server checks (and drops) unusable connections at each request's start and end.
        close_old_connections()
        response = client.get(path, **extra)
        close_old_connections()
        return response

    def api(self, method: str, path: str, body: dict[str, Any] | None = None, **headers: str) -> Any:
        close_old_connections()
        call = getattr(self.visitor, method)
        response = call(
            path,
            data=json.dumps(body) if body is not None else None,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}", **headers},
        )
        close_old_connections()
        return response

    def assert_unavailable_page(self, response: Any) -> None:
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], str(RETRY_AFTER_SECONDS))
        self.assertEqual(response["Cache-Control"], "no-store")
        self.assertIn(b"Kinship is unavailable for a moment", response.content)
        self.assertNotIn(b"Traceback", response.content)

    def assert_unavailable_problem(self, response: Any) -> None:
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        self.assertEqual(response["Retry-After"], str(RETRY_AFTER_SECONDS))
        problem = response.json()
        self.assertEqual((problem["status"], problem["title"]), (503, "Service Unavailable"))

    def test_visitor_page_is_a_503_with_retry_after(self) -> None:
        self.cut()
        self.assert_unavailable_page(self.get(self.visitor, "/"))

    def test_signed_in_page_is_a_503_though_the_session_and_user_cannot_load(self) -> None:
        self.assertEqual(self.get(self.browser, "/").status_code, 200)
        self.cut()
        response = self.get(self.browser, f"/c/{self.cast.circle.slug}/")
        self.assert_unavailable_page(response)
        # Drawn without the signed-in user: no name, no menu that needed them.
        self.assertNotIn(self.cast.member.display_name.encode(), response.content)

    def test_api_answers_503_problem_json(self) -> None:
        self.cut()
        self.assert_unavailable_problem(self.api("get", f"/api/v1/circles/{self.cast.circle.slug}/topics"))

    def test_api_post_during_the_outage_creates_nothing_and_its_retry_creates_it_once(self) -> None:
        path = f"/api/v1/circles/{self.cast.circle.slug}/topics"
        payload = {"title": "Back on crutches", "body": "Day three.", "anonymous": False, "content_note": ""}
        key = {"Idempotency-Key": "outage-retry-1"}
        self.cut()
        self.assert_unavailable_problem(self.api("post", path, payload, **key))
        self.restore()
        self.assertEqual(Post.objects.filter(body="Day three.").count(), 0)
        first = self.api("post", path, payload, **key)
        again = self.api("post", path, payload, **key)
        self.assertEqual(first.status_code, 201, first.content)
        self.assertEqual(again.json()["id"], first.json()["id"])
        self.assertEqual(Post.objects.filter(body="Day three.").count(), 1)

    def test_next_request_recovers_once_the_database_is_back(self) -> None:
        circle_page = f"/c/{self.cast.circle.slug}/"
        topics = f"/api/v1/circles/{self.cast.circle.slug}/topics"
        self.assertEqual(self.get(self.browser, circle_page).status_code, 200)
        self.cut()
        self.assert_unavailable_page(self.get(self.browser, circle_page))
        self.assert_unavailable_problem(self.api("get", topics))
        self.restore()
        self.assertContains(self.get(self.browser, circle_page), self.cast.circle.name)
        self.assertEqual(self.api("get", topics).status_code, 200)

    def test_connection_dropped_between_requests_is_replaced_without_an_error(self) -> None:
        # A persistent connection (CONN_MAX_AGE) that the server dropped while idle, as after a
        # restart that finished between two requests: the health check replaces it.
        if connection.vendor != "postgresql":
            self.skipTest("SQLite has no server to drop the connection")
        self.assertEqual(self.get(self.browser, "/").status_code, 200)
        self.cut()
        self.restore()
        self.assertEqual(self.get(self.browser, "/").status_code, 200)


class UnavailablePageTests(TransactionTestCase):
    def test_page_and_problem_are_drawn_without_any_query_or_user(self) -> None:
        def broken_user() -> None:
            raise RuntimeError("the database is down")

        for path, kind in (("/c/some-circle/", "text/html; charset=utf-8"), ("/api/v1/me", "application/problem+json")):
            request = RequestFactory().get(path)
            request.user = SimpleLazyObject(broken_user)
            with self.assertNumQueries(0):
                response = unavailable(request)
            self.assertEqual((response.status_code, response["Content-Type"]), (503, kind))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]  # closed again when this returns: nothing listens there


class RedisUnavailableTests(TransactionTestCase):
    """Sessions, cache and rate limits live in Redis when REDIS_URL is set; out of reach is a 503 too."""

    def setUp(self) -> None:
        self.cast = make_cast()
        self.browser = Client(raise_request_exception=False)
        self.browser.force_login(self.cast.member)  # a plain database session, written before Redis "goes"

    def dead_redis(self) -> Any:
        location = f"redis://{HOST}:{closed_port()}/0"
        return self.settings(
            CACHES={
                "default": {
                    "BACKEND": "django.core.cache.backends.redis.RedisCache",
                    "LOCATION": location,
                    "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
                }
            },
            SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        )

    def test_signed_in_page_and_search_answer_503_then_recover(self) -> None:
        with self.dead_redis():
            for path in (f"/c/{self.cast.circle.slug}/", "/search/?q=crutches"):
                with self.subTest(path=path):
                    response = self.browser.get(path)
                    self.assertEqual(response.status_code, 503)
                    self.assertEqual(response["Retry-After"], str(RETRY_AFTER_SECONDS))
                    self.assertContains(response, "unavailable for a moment", status_code=503)
        self.assertEqual(self.browser.get(f"/c/{self.cast.circle.slug}/").status_code, 200)
