from django.test import SimpleTestCase

from kinship.core.errors import Invalid
from kinship.core.text import check_inline


class CheckInlineTests(SimpleTestCase):
    def test_visible_text_passes_unchanged(self) -> None:
        for text in ("Mia", "Dr Osei", "理学療法士", "Physio 🦿", ""):
            with self.subTest(text=text):
                self.assertEqual(check_inline(text, field="name", label="Name"), text)

    def test_text_that_shows_as_blank_or_turns_around_is_refused(self) -> None:
        for text in ("\u200b\u200d", "\u0301", "Mia\u202enimda", "\u2067Dr\u2069"):
            with self.subTest(text=repr(text)), self.assertRaises(Invalid) as refused:
                check_inline(text, field="name", label="Name", blank="Enter a name.")
            self.assertIn("name", refused.exception.errors)
