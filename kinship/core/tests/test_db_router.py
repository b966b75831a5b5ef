"""Reads from a replica (kinship.core.db_router): which connection each query takes, and the pages unchanged.

The `replica` alias here is a second connection to the test database (core/tests/conftest.py), so
every query is recorded with the connection it went through. TransactionTestCase: rows must be
committed for a second connection to see them, and the router keeps reads inside a transaction
(every TestCase runs in one) on the primary.
"""

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connections, router, transaction
from django.test import Client, SimpleTestCase, TransactionTestCase, override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from kinship.accounts.models import User
from kinship.api.models import IdempotencyKey
from kinship.core import db_router, factories
from kinship.core.db_router import PIN_COOKIE, PRIMARY_ONLY_APPS, REPLICA, read_connection, reads_from_replica
from kinship.core.testing import make_cast
from kinship.discussions.models import Topic
from kinship.library.tests.materials_support import add_link
from kinship.library.tests.resources_support import make_resource

ROOT = Path(__file__).resolve().parents[3]
MIDDLEWARE = "kinship.core.db_router.ReplicaReadsMiddleware"
PLAIN_MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != MIDDLEWARE]
ROUTED = override_settings(
    DATABASE_ROUTERS=["kinship.core.db_router.ReplicaRouter"], MIDDLEWARE=[*PLAIN_MIDDLEWARE, MIDDLEWARE]
)
PRIMARY_ONLY_TABLES = {
    model._meta.db_table
    for label in PRIMARY_ONLY_APPS
    if label in {config.label for config in apps.get_app_configs()}
    for model in apps.get_app_config(label).get_models()
}
MAIN_TABLE = re.compile(r'\bFROM\s+"?(\w+)"?', re.IGNORECASE)
# Pages whose main reads are raw SQL on `django.db.connection`, which the router never sees: until they
# take their connection from db_router.read_connection(), they read the primary only (still correct).
RAW_SQL_PAGES: set[str] = set()
# Form tokens are masked afresh on every response.
CSRF_TOKEN = re.compile(r"[A-Za-z0-9]{64}")


@contextmanager
def queries_by_alias() -> Iterator[list[tuple[str, str]]]:
    """Every statement run in the block, in order, with the alias of the connection it went through."""
    seen: list[tuple[str, str]] = []

    def recorder(alias: str) -> Any:
        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            seen.append((alias, sql))
            return execute(sql, params, many, context)

        return record

    with ExitStack() as stack:
        for alias in ("default", REPLICA):
            stack.enter_context(connections[alias].execute_wrapper(recorder(alias)))
        yield seen


def on(alias: str, seen: list[tuple[str, str]]) -> list[str]:
    return [sql for used, sql in seen if used == alias]


class RouterTests(TransactionTestCase):
    databases = {"default", REPLICA}

    def setUp(self) -> None:
        self.topic = factories.make_topic(title="Stairs again")
        self.enterContext(ROUTED)

    def test_outside_a_scope_every_read_goes_to_the_primary(self) -> None:
        with queries_by_alias() as seen:
            self.assertEqual(Topic.objects.get(pk=self.topic.pk).title, "Stairs again")
        self.assertEqual(on(REPLICA, seen), [])
        self.assertEqual(len(on("default", seen)), 1)

    def test_inside_a_scope_reads_go_to_the_replica_and_find_committed_rows(self) -> None:
        with reads_from_replica(), queries_by_alias() as seen:
            topic = Topic.objects.select_related("circle").get(pk=self.topic.pk)
            self.assertEqual(topic.title, "Stairs again")
            self.assertEqual(topic._state.db, REPLICA)
            self.assertEqual(read_connection(Topic).alias, REPLICA)
        self.assertEqual(len(on(REPLICA, seen)), 1)
        self.assertEqual(on("default", seen), [])

    def test_sessions_accounts_tasks_and_idempotency_keys_stay_on_the_primary_inside_a_scope(self) -> None:
        for model in (Session, User, DBTaskResult, IdempotencyKey):
            with self.subTest(model=model.__name__), reads_from_replica(), queries_by_alias() as seen:
                list(model.objects.all()[:1])
                self.assertEqual(on(REPLICA, seen), [])
                self.assertEqual(router.db_for_read(model), "default")

    def test_after_a_write_the_rest_of_the_scope_reads_the_primary(self) -> None:
        with reads_from_replica(), queries_by_alias() as seen:
            topic = Topic.objects.get(pk=self.topic.pk)
            self.assertEqual(topic._state.db, REPLICA)
            Topic.objects.filter(pk=topic.pk).update(title="Stairs, better")
            self.assertEqual(Topic.objects.get(pk=topic.pk).title, "Stairs, better")
            # Even through an object that came from the replica.
            self.assertEqual(router.db_for_read(Topic, instance=topic), "default")
            self.assertEqual(read_connection(Topic).alias, "default")
        replica, default = on(REPLICA, seen), on("default", seen)
        self.assertEqual(len(replica), 1)
        self.assertTrue(replica[0].lstrip().upper().startswith("SELECT"))
        self.assertEqual(len(default), 2)

    def test_a_nested_scope_keeps_the_pin_of_the_outer_one(self) -> None:
        with reads_from_replica():
            Topic.objects.filter(pk=self.topic.pk).update(title="Pinned")
            with reads_from_replica():
                self.assertEqual(router.db_for_read(Topic), "default")

    def test_inside_a_transaction_reads_go_to_the_primary(self) -> None:
        with reads_from_replica(), transaction.atomic(), queries_by_alias() as seen:
            Topic.objects.get(pk=self.topic.pk)
        self.assertEqual(on(REPLICA, seen), [])

    def test_a_decorated_function_reads_from_the_replica_only_while_it_runs(self) -> None:
        @reads_from_replica()
        def title() -> str:
            return Topic.objects.get(pk=self.topic.pk).title

        with queries_by_alias() as seen:
            title()
            Topic.objects.get(pk=self.topic.pk)
        self.assertEqual([alias for alias, _ in seen], [REPLICA, "default"])

    def test_writes_go_to_the_primary_and_migrations_run_there_only(self) -> None:
        with reads_from_replica():
            self.assertEqual(router.db_for_write(Topic), "default")
        self.assertTrue(router.allow_migrate("default", "discussions", model_name="topic"))
        self.assertFalse(router.allow_migrate(REPLICA, "discussions", model_name="topic"))
        self.assertFalse(router.allow_migrate(REPLICA, "sessions"))


class ReplicaPagesTests(TransactionTestCase):
    databases = {"default", REPLICA}

    def setUp(self) -> None:
        self.cast = make_cast()
        circle = self.cast.circle
        self.topic = factories.make_topic(circle=circle, author=self.cast.member, title="Stairs again", replies=3)
        event = factories.make_event(circle=circle, facilitator=self.cast.facilitator)
        material = add_link(self.cast.staff)
        resource = make_resource()
        self.pages = {
            "topic": self.topic.get_absolute_url(),
            "circle": circle.get_absolute_url(),
            "event": reverse("events:event-detail", args=[event.pk]),
            "search": reverse("search:search") + "?q=stairs",
            "library": reverse("library:material-list"),
            "material": reverse("library:material-detail", args=[material.pk]),
            "directory": reverse("library:resource-list"),
            "resource": reverse("library:resource-detail", args=[resource.pk]),
        }
        # self.client loads its middleware at its first request: from here on, with the replica's.
        self.enterContext(ROUTED)

    def get(self, path: str, *, installed: bool = True, router: bool = True) -> tuple[Any, list[tuple[str, str]]]:
        """GET as this test's visitor; `installed=False`: as the site runs without DATABASE_REPLICA_URL."""
        client = self.client
        if not (installed and router):
            client = Client()
            client.cookies = self.client.cookies
        with ExitStack() as stack:
            if not installed:
                stack.enter_context(override_settings(DATABASE_ROUTERS=[], MIDDLEWARE=PLAIN_MIDDLEWARE))
            elif not router:
                stack.enter_context(override_settings(DATABASE_ROUTERS=[]))
            seen = stack.enter_context(queries_by_alias())
            response = client.get(path)
        return response, seen

    def assertReadsOnlyAllowedTablesOnTheReplica(self, seen: list[tuple[str, str]]) -> None:
        for sql in on(REPLICA, seen):
            self.assertRegex(sql.lstrip(), r"(?i)^(SELECT|WITH)\b", "only reads may reach the replica")
            main = MAIN_TABLE.search(sql)
            self.assertNotIn(main.group(1) if main else "", PRIMARY_ONLY_TABLES, sql)

    def test_each_page_reads_from_the_replica_and_answers_as_without_it(self) -> None:
        for visitor in (self.cast.member, None):
            if visitor:
                self.client.force_login(visitor)
            else:
                self.client.logout()
            for name, path in self.pages.items():
                with self.subTest(page=name, signed_in=bool(visitor)):
                    plain, seen = self.get(path, installed=False)
                    self.assertEqual(on(REPLICA, seen), [])
                    routed, seen = self.get(path)
                    self.assertEqual(routed.status_code, plain.status_code)
                    self.assertEqual(
                        CSRF_TOKEN.sub("-", routed.content.decode()), CSRF_TOKEN.sub("-", plain.content.decode())
                    )
                    if plain.status_code == 200 and name not in RAW_SQL_PAGES:
                        self.assertTrue(on(REPLICA, seen), f"{name}: nothing was read from the replica")
                    self.assertReadsOnlyAllowedTablesOnTheReplica(seen)

    def test_a_page_not_on_the_list_reads_only_the_primary(self) -> None:
        self.client.force_login(self.cast.member)
        for path in (reverse("core:home"), reverse("circles:circle-list"), reverse("qa:questions", args=[1])):
            response, seen = self.get(path)
            self.assertLess(response.status_code, 500)
            self.assertTrue(on("default", seen))
            self.assertEqual(on(REPLICA, seen), [], path)

    def test_a_write_during_a_page_pins_the_rest_of_it_to_the_primary(self) -> None:
        # The topic page records how far the member has read: after that write, no read uses the replica.
        self.client.force_login(self.cast.member)
        response, seen = self.get(self.pages["topic"])
        self.assertEqual(response.status_code, 200)
        writes = [i for i, (_, sql) in enumerate(seen) if re.match(r"(?i)\s*(INSERT|UPDATE|DELETE)\b", sql)]
        self.assertTrue(writes, "the topic page no longer writes the read mark; pick another page for this test")
        self.assertTrue(all(alias == "default" for alias, _ in seen[writes[0] :]))

    def test_after_a_post_the_member_reads_the_primary_until_the_pin_cookie_expires(self) -> None:
        self.client.force_login(self.cast.member)
        posted = self.client.post(
            reverse("discussions:reply-create", args=[self.topic.pk]), {"body": "Two steps at a time now."}
        )
        self.assertEqual(posted.status_code, 302)
        cookie = posted.cookies[PIN_COOKIE]
        self.assertEqual(cookie["max-age"], settings.REPLICA_PIN_SECONDS)
        self.assertTrue(cookie["httponly"])

        response, seen = self.get(self.pages["topic"] + "?last=1")
        self.assertContains(response, "Two steps at a time now.")
        self.assertEqual(on(REPLICA, seen), [])
        response, seen = self.get(self.pages["circle"])
        self.assertEqual(response.status_code, 200)
        self.assertEqual(on(REPLICA, seen), [])

        # Once the cookie is gone (the browser drops it after max-age), the replica serves again.
        del self.client.cookies[PIN_COOKIE]
        response, seen = self.get(self.pages["circle"])
        self.assertEqual(response.status_code, 200)
        self.assertTrue(on(REPLICA, seen))

    def test_a_refused_post_pins_too_and_a_read_sets_no_cookie(self) -> None:
        self.client.force_login(self.cast.member)
        refused = self.client.post(reverse("discussions:reply-create", args=[self.topic.pk]), {"body": ""})
        self.assertEqual(refused.status_code, 422)
        self.assertIn(PIN_COOKIE, refused.cookies)
        del self.client.cookies[PIN_COOKIE]
        read, _ = self.get(self.pages["circle"])
        self.assertNotIn(PIN_COOKIE, read.cookies)

    def test_the_scope_alone_routes_nothing(self) -> None:
        self.client.force_login(self.cast.member)
        response, seen = self.get(self.pages["circle"], router=False)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(on(REPLICA, seen), [])


PROBE = """
import json
import django
from django.conf import settings
django.setup()
print(json.dumps({
    "aliases": sorted(settings.DATABASES),
    "replica": settings.DATABASES.get("replica", {}).get("NAME"),
    "mirror": settings.DATABASES.get("replica", {}).get("TEST", {}).get("MIRROR"),
    "routers": settings.DATABASE_ROUTERS,
    "last_middleware": settings.MIDDLEWARE[-1],
}))
"""


def load_settings(**env: str) -> dict[str, Any]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL", "DEBUG"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "kinship.settings", "SECRET_KEY": "s", **env})
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


class ReplicaSettingsTests(SimpleTestCase):
    def test_without_a_replica_url_there_is_one_database_and_no_router(self) -> None:
        values = load_settings(DATABASE_URL="postgres://kinship@db.internal:5432/kinship")
        self.assertEqual(values["aliases"], ["default"])
        self.assertEqual(values["routers"], [])
        self.assertNotEqual(values["last_middleware"], MIDDLEWARE)

    def test_a_replica_url_adds_the_alias_the_router_and_the_middleware(self) -> None:
        values = load_settings(
            DATABASE_URL="postgres://kinship@db.internal:5432/kinship",
            DATABASE_REPLICA_URL="postgres://kinship@replica.internal:5432/kinship",
        )
        self.assertEqual(values["aliases"], ["default", "replica"])
        self.assertEqual(values["replica"], "kinship")
        self.assertEqual(values["mirror"], "default")
        self.assertEqual(values["routers"], ["kinship.core.db_router.ReplicaRouter"])
        self.assertEqual(values["last_middleware"], MIDDLEWARE)

    def test_the_pages_on_the_list_exist(self) -> None:
        from django.urls import get_resolver

        names = set()
        for namespace, (_, resolver) in get_resolver().namespace_dict.items():
            names |= {f"{namespace}:{name}" for name in resolver.reverse_dict if isinstance(name, str)}
        self.assertLessEqual(db_router.REPLICA_VIEWS, names)
