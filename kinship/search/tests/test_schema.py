"""The index structures: the migration reverses and reapplies cleanly, and lost SQLite triggers come back."""

import unittest

from django.core.management import call_command
from django.db import connection
from django.test import TransactionTestCase

from kinship.core import factories
from kinship.library.models import Tip
from kinship.search import schema
from kinship.search.tests.support import found, make_tip


def _structures() -> set[str]:
    """Names of the search structures present: FTS tables and triggers, or vector columns and indexes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE name LIKE 'search\\_%' ESCAPE '\\'")
            return {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT table_name || '.' || column_name FROM information_schema.columns WHERE column_name = %s",
            [schema.VECTOR_COLUMN],
        )
        columns = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'search\\_%%'")
        indexes = {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'search\\_%%'")
        return columns | indexes | {name for (name,) in cursor.fetchall()}


class MigrationTests(TransactionTestCase):
    def test_reverses_cleanly_and_reapplies_over_existing_rows(self):
        member = factories.make_user()
        tip = make_tip(author=member, body="Lavender on the pillow helps me sleep")
        before = _structures()
        # SQLite: each FTS table, its four shadow tables and three triggers; PostgreSQL: a column and an
        # index each, and the recent replies' table (its column, two indexes and four triggers).
        self.assertEqual(len(before), 7 * 8 if connection.vendor == "sqlite" else 7 * 2 + 7)
        try:
            call_command("migrate", "search", "zero", verbosity=0)
            self.assertEqual(_structures(), set())
            # Writes go on without the index.
            Tip.objects.filter(pk=tip.pk).update(body="Lavender and chamomile")
        finally:
            call_command("migrate", "search", verbosity=0)
        self.assertEqual(_structures(), before)
        # Rows written before (and while the index was away) are found once it is back.
        self.assertEqual(found(member, "chamomile"), {("tip", tip.pk)})


@unittest.skipUnless(connection.vendor == "sqlite", "SQLite triggers only")
class SqliteRepairTests(TransactionTestCase):
    def test_lost_triggers_are_put_back_and_the_index_rebuilt(self):
        member = factories.make_user()
        with connection.cursor() as cursor:
            for name in ("search_tip_ai", "search_tip_au", "search_tip_ad"):
                cursor.execute(f"DROP TRIGGER {name}")
        # Without triggers a new tip is not indexed...
        tip = make_tip(author=member, body="Marigold balm for dry skin")
        self.assertEqual(found(member, "marigold"), set())
        self.assertEqual(schema.repair_sqlite(connection), ["tip"])
        # ...the repair rebuilt the index and writes are followed again.
        self.assertEqual(found(member, "marigold"), {("tip", tip.pk)})
        Tip.objects.filter(pk=tip.pk).update(body="Calendula balm")
        self.assertEqual(found(member, "marigold"), set())
        self.assertEqual(schema.repair_sqlite(connection), [])

    def test_a_table_rebuilt_by_a_migration_keeps_its_index(self):
        member = factories.make_user()
        make_tip(author=member, body="Rosemary oil")
        # What Django does to alter a SQLite table: copy it to a new table, drop the old one (and its triggers).
        with connection.schema_editor() as editor:
            editor._remake_table(Tip)
        self.assertEqual(schema.repair_sqlite(connection), ["tip"])
        tip = make_tip(author=member, body="Thyme tea")
        self.assertEqual(found(member, "thyme"), {("tip", tip.pk)})
        self.assertEqual(len(found(member, "rosemary")), 1)

    def test_migrate_runs_the_repair(self):
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER search_reply_au")
        call_command("migrate", verbosity=0)
        self.assertIn("search_reply_au", _structures())
