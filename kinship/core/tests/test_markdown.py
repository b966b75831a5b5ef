from html.parser import HTMLParser

from django.test import SimpleTestCase

from kinship.core.markdown import render_markdown

PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<SCRIPT SRC=//x.example/x.js></SCRIPT>",
    "<img src=x onerror=window.__xss=1>",
    "<svg onload=window.__xss=1>",
    "<svg><script>window.__xss=1</script></svg>",
    "<iframe src=javascript:window.__xss=1></iframe>",
    "<body onload=window.__xss=1>",
    '<a href="javascript:window.__xss=1">x</a>',
    "[click](javascript:window.__xss=1)",
    "[click](JaVaScRiPt:window.__xss=1)",
    "[click](&#106;avascript:window.__xss=1)",
    "[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    '![img](x" onerror="window.__xss=1)',
    "![img](javascript:window.__xss=1)",
    '<div style="background:url(javascript:window.__xss=1)">x</div>',
    "<style>*{x:expression(window.__xss=1)}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<details open ontoggle=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    "<video><source onerror=window.__xss=1>",
    "<object data=javascript:window.__xss=1>",
    "<embed src=javascript:window.__xss=1>",
    "<form action=javascript:window.__xss=1><button>x</button></form>",
    '<meta http-equiv=refresh content="0;url=javascript:window.__xss=1">',
    "<base href=javascript:/>",
    "<<script>script>window.__xss=1<</script>/script>",
    "<scr<script>ipt>window.__xss=1</scr</script>ipt>",
    '"><script>window.__xss=1</script>',
    "'><img src=x onerror=window.__xss=1>",
    '<a href="https://ok.example" onclick="window.__xss=1">x</a>',
    "<marquee onstart=window.__xss=1>",
    "`<script>`window.__xss=1`</script>`",
    '[x](https://ok.example "title\\" onmouseover=window.__xss=1")',
]

SAFE_TAGS = {"p", "a", "code", "pre", "strong", "em", "br", "ul", "ol", "li", "blockquote", "del", "s"}


class Markup(HTMLParser):
    """The elements and attributes a browser would build from the HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def parse(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Markup()
    parser.feed(html)
    return parser.tags


class MarkdownSanitiserTests(SimpleTestCase):
    def test_corpus_has_at_least_thirty_payloads(self):
        self.assertGreaterEqual(len(PAYLOADS), 30)

    def test_no_payload_survives_as_markup(self):
        for payload in PAYLOADS:
            html = render_markdown(payload)
            self.assertNotIn("<script", html.lower(), payload)
            for tag, attrs in parse(html):
                self.assertIn(tag, SAFE_TAGS, payload)
                self.assertEqual([a for a in attrs if a.startswith("on")], [], payload)
                self.assertTrue(set(attrs) <= {"href", "title", "rel"}, payload)
                href = (attrs.get("href") or "").strip().lower()
                self.assertFalse(href.startswith(("javascript:", "vbscript:", "data:")), payload)

    def test_links_get_safe_rel(self):
        html = render_markdown("[Sarcoma UK](https://sarcoma.example/help)")
        self.assertIn('href="https://sarcoma.example/help"', html)
        self.assertIn('rel="nofollow ugc noopener"', html)

    def test_ordinary_markdown_renders(self):
        html = render_markdown("**bold** and *soft*\n\n- one\n- two")
        self.assertIn("<strong>bold</strong>", html)
        self.assertIn("<li>one</li>", html)
