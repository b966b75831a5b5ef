"""GET /materials and GET /materials/{id}: the library of vetted material."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from kinship.api.tests.base import ApiTestCase
from kinship.library import materials
from kinship.library.models import PAIN, PHYSIO, THEMES
from kinship.library.tests.materials_support import PDF_BYTES, TemporaryMedia, add_link, add_pdf, pdf_upload

KEYS = {
    "id", "url", "kind", "title", "description", "theme", "theme_label", "source", "link", "file_url", "file_name",
    "file_size", "published", "created_at", "updated_at",
}  # fmt: skip


class MaterialApiTestCase(TemporaryMedia, ApiTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.link = add_link(cls.cast.facilitator, title="Night pain guide", theme=PAIN)
        cls.pdf = add_pdf(cls.cast.facilitator, title="Knee exercises", theme=PHYSIO, upload=pdf_upload("Knee.pdf"))
        cls.gone = add_link(cls.cast.facilitator, title="Withdrawn leaflet", theme=PAIN)
        materials.set_published(curator=cls.cast.staff, material=cls.gone, published=False)


class MaterialListTests(MaterialApiTestCase):
    def titles(self, response):
        self.assertEqual(response.status_code, 200, response.content[:300])
        return [item["title"] for item in response.json()["items"]]

    def test_visitor_lists_published_material_newest_first(self):
        response = self.api("GET", "/materials")
        self.assertEqual(self.titles(response), ["Knee exercises", "Night pain guide"])
        self.assertIsNone(response.json()["next"])

    def test_members_see_the_same(self):
        for person in (self.cast.member, self.cast.outsider):
            self.assertNotIn("Withdrawn leaflet", self.titles(self.api("GET", "/materials", user=person)))

    def test_curators_also_get_unpublished_material_flagged(self):
        for person in (self.cast.facilitator, self.cast.staff):
            items = self.api("GET", "/materials", user=person).json()["items"]
            gone = [item for item in items if item["title"] == "Withdrawn leaflet"]
            self.assertEqual(len(gone), 1)
            self.assertFalse(gone[0]["published"])

    def test_shapes_of_a_link_and_a_pdf(self):
        items = {item["kind"]: item for item in self.api("GET", "/materials").json()["items"]}
        link, pdf = items["link"], items["pdf"]
        self.assertEqual(set(link), KEYS)
        self.assertEqual(set(pdf), KEYS)
        self.assertEqual(link["link"], "https://example.org/library/phantom-limb-pain")
        self.assertIsNone(link["file_url"])
        self.assertEqual(link["file_size"], 0)
        self.assertEqual(link["url"], f"/library/{self.link.pk}/")
        self.assertIsNone(pdf["link"])
        self.assertEqual(pdf["file_url"], f"/library/{self.pdf.pk}/file/")
        self.assertEqual(pdf["file_size"], len(PDF_BYTES))
        self.assertEqual(pdf["file_name"], "Knee.pdf")
        self.assertEqual(pdf["theme_label"], "Physiotherapy and exercise")
        text = self.api("GET", "/materials").content.decode()
        self.assertNotIn(self.pdf.file.name, text)
        self.assertNotIn("/media/", text)
        self.assertNotIn(self.cast.facilitator.email, text)

    def test_theme_filter(self):
        self.assertEqual(self.titles(self.api("GET", f"/materials?theme={PAIN}")), ["Night pain guide"])
        self.assertEqual(self.titles(self.api("GET", "/materials?theme=nutrition")), [])
        self.assertEqual(len(self.titles(self.api("GET", "/materials?theme="))), 2)
        for theme in THEMES:
            self.assertEqual(self.api("GET", f"/materials?theme={theme}").status_code, 200)

    def test_bad_theme_is_422_naming_it(self):
        for theme in ("bogus", "PAIN", "pain ", "%00", "x" * 3000, "pain,physio"):
            body = self.assertProblem(self.api("GET", f"/materials?theme={theme}"), 422, "theme")
            self.assertIn("no such theme", body["detail"].lower())

    def test_cursor_pages(self):
        for i in range(4):
            add_link(self.cast.staff, title=f"Extra {i}")
        first = self.api("GET", "/materials?limit=2").json()
        self.assertEqual(len(first["items"]), 2)
        seen = [item["id"] for item in first["items"]]
        cursor = first["next"]
        while cursor:
            page = self.api("GET", f"/materials?limit=2&cursor={cursor}").json()
            seen += [item["id"] for item in page["items"]]
            cursor = page["next"]
        self.assertEqual(len(seen), 6)
        self.assertEqual(len(set(seen)), 6)

    def test_bad_cursor_and_limit_are_422(self):
        self.assertProblem(self.api("GET", "/materials?cursor=!!!"), 422, "cursor")
        self.assertProblem(self.api("GET", "/materials?cursor=WzEsMl0"), 422, "cursor")
        self.assertProblem(self.api("GET", "/materials?cursor=" + "A" * 5000), 422, "cursor")
        for limit in ("0", "101", "abc", "-1", "1.5"):
            self.assertProblem(self.api("GET", f"/materials?limit={limit}"), 422, "limit")

    def test_bad_token_is_401(self):
        response = self.api("GET", "/materials", headers={"Authorization": "Bearer not-a-token"})
        self.assertProblem(response, 401)

    def test_writing_is_not_offered(self):
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = self.api(method, "/materials", user=self.cast.staff, json_body={"title": "x"})
            self.assertGreaterEqual(response.status_code, 400)

    def test_query_count_stays_flat(self):
        def count(**kwargs):
            with CaptureQueriesContext(connection) as queries:
                response = self.api("GET", "/materials", **kwargs)
            self.assertEqual(response.status_code, 200)
            return len(queries)

        self.api("GET", "/materials", user=self.cast.facilitator)  # the token's first use also stamps it
        small_visitor = count()
        small_curator = count(user=self.cast.facilitator)
        for i in range(30):
            add_pdf(self.cast.staff, title=f"More {i}") if i % 2 else add_link(self.cast.staff, title=f"Link {i}")
        self.assertEqual(count(), small_visitor)
        self.assertEqual(count(user=self.cast.facilitator), small_curator)
        self.assertEqual(small_visitor, 1)


class MaterialDetailTests(MaterialApiTestCase):
    def test_anyone_reads_published_material(self):
        for person in (None, self.cast.member, self.cast.outsider):
            response = self.api("GET", f"/materials/{self.pdf.pk}", user=person)
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.json()["id"], self.pdf.pk)
            self.assertEqual(set(response.json()), KEYS)

    def test_unpublished_is_404_except_to_curators(self):
        for person in (None, self.cast.member, self.cast.outsider, self.cast.pending):
            self.assertProblem(self.api("GET", f"/materials/{self.gone.pk}", user=person), 404)
        for person in (self.cast.facilitator, self.cast.staff):
            response = self.api("GET", f"/materials/{self.gone.pk}", user=person)
            self.assertEqual(response.status_code, 200)
            self.assertFalse(response.json()["published"])

    def test_unpublished_and_missing_answer_alike(self):
        hidden = self.api("GET", f"/materials/{self.gone.pk}", user=self.cast.member).json()
        missing = self.api("GET", "/materials/99999999", user=self.cast.member).json()
        self.assertEqual(hidden, missing)

    def test_odd_ids_are_404(self):
        for raw in ("0", "-1", "abc", str(2**63), str(2**80), "1.5", "%00"):
            self.assertProblem(self.api("GET", f"/materials/{raw}"), 404)

    def test_query_count_is_fixed(self):
        with CaptureQueriesContext(connection) as queries:
            self.api("GET", f"/materials/{self.pdf.pk}")
        self.assertEqual(len(queries), 1)
