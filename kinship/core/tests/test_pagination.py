"""Keyset pages: every row once, in order, whichever way the keys run, and as one row range where it can."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.errors import Invalid
from kinship.core.pagination import encode_cursor, paginate

NAMES = ["Ankle", "Ankle", "Femur", "Ankle", "Pelvis", "Femur", "Tibia", "Ankle", "Humerus"]


class KeysetTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        # Names repeat, so the id decides within a name: the case the OR form and row values must agree on.
        cls.circles = [factories.make_circle(name=name) for name in NAMES]

    def walk(self, ordering: list[str], limit: int = 2) -> tuple[list[int], list[str]]:
        seen: list[int] = []
        statements: list[str] = []
        cursor = None
        while True:
            with CaptureQueriesContext(connection) as captured:
                page = paginate(Circle.objects.all(), ordering, cursor=cursor, limit=limit)
            statements += [q["sql"] for q in captured]
            seen += [c.pk for c in page.items]
            if page.next is None:
                return seen, statements
            cursor = page.next

    def expected(self, ordering: list[str]) -> list[int]:
        return list(Circle.objects.order_by(*ordering).values_list("pk", flat=True))

    def test_ascending_keys_walk_every_row_once_in_order(self):
        seen, _ = self.walk(["name", "id"])
        self.assertEqual(seen, self.expected(["name", "id"]))
        self.assertEqual(len(seen), len(NAMES))

    def test_descending_keys_walk_every_row_once_in_order(self):
        for limit in (1, 2, 4, 100):
            seen, _ = self.walk(["-name", "-id"], limit=limit)
            self.assertEqual(seen, self.expected(["-name", "-id"]), limit)

    def test_mixed_directions_walk_every_row_once_in_order(self):
        for ordering in (["name", "-id"], ["-name", "id"]):
            seen, _ = self.walk(ordering, limit=3)
            self.assertEqual(seen, self.expected(ordering), ordering)

    def test_one_direction_is_a_row_comparison_where_the_database_has_them(self):
        _, statements = self.walk(["-name", "-id"], limit=4)
        later = [sql for sql in statements if "WHERE" in sql]
        self.assertTrue(later)
        for sql in later:
            if connection.features.supports_tuple_lookups:
                self.assertIn(") < (", sql)
                self.assertNotIn(" OR ", sql)
            else:
                self.assertIn(" OR ", sql)
        _, mixed = self.walk(["name", "-id"], limit=4)
        self.assertTrue(all(" OR " in sql for sql in mixed if "WHERE" in sql))

    def test_a_cursor_of_the_wrong_type_is_a_broken_link(self):
        for values in (["Ankle", "x"], [["Ankle"], 1], ["Ankle", 2**70], ["Ankle"]):
            with self.subTest(values=values), self.assertRaises(Invalid):
                paginate(Circle.objects.all(), ["name", "id"], cursor=encode_cursor(values), limit=2)
