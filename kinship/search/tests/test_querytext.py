"""Reading what people type, and the snippets' escaping: plain Python, no database."""

from django.test import SimpleTestCase

from kinship.search import querytext, snippets
from kinship.search.querytext import parse, to_fts5, to_websearch


class ParseTests(SimpleTestCase):
    def test_words_are_all_required(self):
        self.assertEqual(to_fts5(parse("Knee Pain")), '"knee" AND "pain"')
        self.assertEqual(to_websearch(parse("Knee Pain")), "knee pain")

    def test_quotes_make_a_phrase(self):
        self.assertEqual(to_fts5(parse('"phantom pain" night')), '"phantom pain" AND "night"')
        self.assertEqual(to_websearch(parse('"phantom pain" night')), '"phantom pain" night')

    def test_or_accepts_either(self):
        self.assertEqual(to_fts5(parse("crutches or wheelchair ramp")), '("crutches" OR "wheelchair") AND "ramp"')
        self.assertEqual(to_websearch(parse("crutches OR wheelchair ramp")), "crutches or wheelchair ramp")

    def test_minus_excludes(self):
        self.assertEqual(to_fts5(parse('pain -phantom -"night time"')), '("pain") NOT "phantom" NOT "night time"')
        self.assertEqual(to_websearch(parse("pain -phantom")), "pain -phantom")

    def test_joined_words_stay_together(self):
        self.assertEqual(to_fts5(parse("knee-bend don't")), '"knee bend" AND "don t"')

    def test_common_words_are_dropped_as_postgresql_does(self):
        self.assertEqual(to_fts5(parse("how to walk")), '"walk"')
        self.assertEqual(to_fts5(parse('"to be"')), None)

    def test_nothing_to_look_for(self):
        for raw in ("", "   ", "!!!", "🙂🙂", "-pain", '"', '""', "or", "AND OR NOT", "the -pain", "*", None, 5, ["x"]):
            with self.subTest(raw=raw):
                self.assertTrue(parse(raw).is_empty)
                self.assertIsNone(to_fts5(parse(raw)))
                self.assertIsNone(to_websearch(parse(raw)))

    def test_operators_of_fts5_are_plain_words(self):
        self.assertEqual(to_fts5(parse("NEAR(pain night) stairs*")), '"near" AND "pain" AND "night" AND "stairs"')
        self.assertEqual(to_fts5(parse("title:pain ^rail")), '"title" AND "pain" AND "rail"')
        self.assertEqual(to_fts5(parse("pain,night -knee-bend")), '("pain" AND "night") NOT "knee bend"')

    def test_unbalanced_quote_runs_to_the_end(self):
        self.assertEqual(to_fts5(parse('stairs "without the rail')), '"stairs" AND "without the rail"')

    def test_long_input_is_cut_and_terms_capped(self):
        self.assertEqual(len(querytext.normalise("x" * 5000)), querytext.MAX_LENGTH)
        many = " ".join(f"word{i}" for i in range(40))
        self.assertEqual(len(parse(many).groups), querytext.MAX_TERMS)

    def test_control_characters_and_nul_are_spaces(self):
        self.assertEqual(querytext.normalise("pain\x00killer\x07 \ud800"), "pain killer")
        self.assertEqual(to_fts5(parse("pain\x00killer")), '"pain" AND "killer"')

    def test_every_fts5_expression_is_only_quoted_words_and_operators(self):
        nasty = ['a"b', "a''b", "(((", ")", "a:b:c", "{x}", "x AND", "NOT x", "x NOT", "-", "--x", '"-x"', "\\", "%_"]
        for raw in nasty:
            with self.subTest(raw=raw):
                expression = to_fts5(parse(raw))
                if expression is None:
                    continue
                stripped = expression
                for token in ("(", ")", " AND ", " OR ", " NOT "):
                    stripped = stripped.replace(token, " ")
                for part in stripped.split('"'):
                    self.assertRegex(part, r"^[\w ]*$")


class SnippetHtmlTests(SimpleTestCase):
    S, E = snippets.START, snippets.STOP

    def test_member_text_is_escaped_and_marks_become_mark_tags(self):
        html = snippets.to_html(f"<script>alert(1)</script> {self.S}pain{self.E} & more")
        self.assertEqual(html, "&lt;script&gt;alert(1)&lt;/script&gt; <mark>pain</mark> &amp; more")

    def test_marks_stay_balanced_whatever_the_text(self):
        cases = {
            f"{self.S}{self.S}a{self.E}": "<mark>a</mark>",
            f"a{self.E}b": "ab",
            f"{self.S}open": "<mark>open</mark>",
            f"{self.E}{self.S}x{self.E}{self.E}": "<mark>x</mark>",
            f"{self.S}{self.E}": "",
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(snippets.to_html(raw), expected)

    def test_empty(self):
        self.assertEqual(snippets.to_html(""), "")
        self.assertEqual(snippets.to_html(None), "")
