from django.http import Http404
from django.test import SimpleTestCase

from kinship.core.converters import id_or_404, parse_id


class ParseIdTests(SimpleTestCase):
    def test_ids_from_forms_and_json(self):
        for value, expected in ((" 12 ", 12), ("7", 7), (7, 7), (2**63 - 1, 2**63 - 1)):
            with self.subTest(value=value):
                self.assertEqual(parse_id(value), expected)

    def test_anything_else_is_none(self):
        for value in (None, True, False, 0, -1, 2**63, "", "0", "-3", "1.5", "²", "١٢", "12a", "9" * 20, 1.0, [], {}):
            with self.subTest(value=value):
                self.assertIsNone(parse_id(value))


class IdOr404Tests(SimpleTestCase):
    def test_other_scripts_digits_and_signs_are_not_ids(self) -> None:
        for odd in ["\u0661", "\u00b2", "+5", "-5", "0", "5.0", "", None, True, [5], "9" * 20]:
            with self.subTest(odd=odd), self.assertRaises(Http404):
                id_or_404(odd)

    def test_ascii_digits_and_json_integers_are_ids(self) -> None:
        self.assertEqual(id_or_404("42"), 42)
        self.assertEqual(id_or_404(42), 42)
