from django.test import SimpleTestCase

from kinship.core.converters import parse_id


class ParseIdTests(SimpleTestCase):
    def test_ids_from_forms_and_json(self):
        for value, expected in ((" 12 ", 12), ("7", 7), (7, 7), (2**63 - 1, 2**63 - 1)):
            with self.subTest(value=value):
                self.assertEqual(parse_id(value), expected)

    def test_anything_else_is_none(self):
        for value in (None, True, False, 0, -1, 2**63, "", "0", "-3", "1.5", "²", "١٢", "12a", "9" * 20, 1.0, [], {}):
            with self.subTest(value=value):
                self.assertIsNone(parse_id(value))
