"""The library pages: list by theme, a material, its download, and add, edit, unpublish for curators."""

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.library import materials
from kinship.library.models import PAIN, PHYSIO, Material
from kinship.library.tests.materials_support import (
    FAKE_PDFS,
    PDF_BYTES,
    TemporaryMedia,
    add_link,
    add_pdf,
    pdf_upload,
)

LIST = "/library/"
NEW = "/library/new/"


def form_data(**fields):
    data = {
        "title": "Managing pain at night",
        "theme": PAIN,
        "description": "Practical ideas from a pain team.",
        "source": "Example Pain Clinic",
        "url": "",
    }
    data.update(fields)
    return data


class ListPageTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.pain = add_link(cls.cast.facilitator, title="Night pain guide", theme=PAIN)
        cls.physio = add_pdf(cls.cast.facilitator, title="Knee exercises", theme=PHYSIO)
        cls.gone = add_link(cls.cast.facilitator, title="Withdrawn leaflet", theme=PAIN)
        materials.set_published(curator=cls.cast.staff, material=cls.gone, published=False)

    def test_visitor_sees_published_material(self):
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Night pain guide")
        self.assertContains(response, "Knee exercises")
        self.assertNotContains(response, "Withdrawn leaflet")
        self.assertNotContains(response, "Add material")

    def test_members_and_outsiders_see_the_same(self):
        for person in (self.cast.member, self.cast.outsider):
            self.client.force_login(person)
            response = self.client.get(LIST)
            self.assertNotContains(response, "Withdrawn leaflet")
            self.assertNotContains(response, NEW)

    def test_curators_also_see_unpublished_material_marked_as_such(self):
        for person in (self.cast.facilitator, self.cast.staff):
            self.client.force_login(person)
            response = self.client.get(LIST)
            self.assertContains(response, "Withdrawn leaflet")
            self.assertContains(response, "Unpublished")
            self.assertContains(response, NEW)

    def test_theme_filter_is_plain_links(self):
        response = self.client.get(LIST, {"theme": PHYSIO})
        self.assertContains(response, "Knee exercises")
        self.assertNotContains(response, "Night pain guide")
        self.assertContains(response, f'href="/library/?theme={PHYSIO}" aria-current="page"')
        self.assertContains(response, 'href="/library/?theme=nutrition"')

    def test_unknown_theme_or_broken_cursor_gets_a_clear_422(self):
        for params in ({"theme": "bogus"}, {"theme": "x" * 5000}, {"theme": "\x00"}, {"cursor": "!!!"},
                       {"cursor": "W10"}, {"cursor": "x" * 5000}):  # fmt: skip
            response = self.client.get(LIST, params)
            self.assertEqual(response.status_code, 422, params)
            self.assertContains(response, "Show all material", status_code=422)

    def test_pages_follow_a_cursor(self):
        for i in range(25):
            add_link(self.cast.staff, title=f"Extra {i}", theme=PAIN)
        first = self.client.get(LIST, {"theme": PAIN})
        self.assertEqual(len(first.context["page"].items), 20)
        cursor = first.context["page"].next
        self.assertIsNotNone(cursor)
        second = self.client.get(LIST, {"theme": PAIN, "cursor": cursor})
        titles = {m.title for m in first.context["page"].items} | {m.title for m in second.context["page"].items}
        self.assertEqual(len(titles), 26)
        self.assertIsNone(second.context["page"].next)

    def test_post_is_not_allowed(self):
        self.assertEqual(self.client.post(LIST).status_code, 405)


class DetailPageTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.link = add_link(cls.cast.facilitator, description="Line one.\n\n<script>alert(1)</script>")
        cls.pdf = add_pdf(cls.cast.facilitator, upload=pdf_upload("Übungen.pdf"))

    def test_visitor_reads_a_link_with_its_address(self):
        response = self.client.get(self.link.get_absolute_url())
        self.assertContains(response, "Open the link")
        self.assertContains(response, 'href="https://example.org/library/phantom-limb-pain" rel="noopener noreferrer')
        self.assertContains(response, "&lt;script&gt;")
        self.assertNotContains(response, "<script>alert")
        self.assertNotContains(response, "Fiona Facilitator")
        self.assertNotContains(response, "Unpublish")

    def test_pdf_page_links_the_safe_download_never_the_stored_name(self):
        response = self.client.get(self.pdf.get_absolute_url())
        self.assertContains(response, f'href="/library/{self.pdf.pk}/file/"')
        self.assertContains(response, "Übungen.pdf")
        self.assertNotContains(response, self.pdf.file.name)
        self.assertNotContains(response, "/media/")

    def test_curator_sees_edit_and_unpublish(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.link.get_absolute_url())
        self.assertContains(response, reverse("library:material-edit", args=[self.link.pk]))
        self.assertContains(response, reverse("library:material-unpublish", args=[self.link.pk]))
        self.assertContains(response, "by Fiona Facilitator")

    def test_unpublished_is_404_to_all_but_curators(self):
        materials.set_published(curator=self.cast.staff, material=self.link, published=False)
        self.assertEqual(self.client.get(self.link.get_absolute_url()).status_code, 404)
        for person in (self.cast.member, self.cast.outsider, self.cast.pending):
            self.client.force_login(person)
            self.assertEqual(self.client.get(self.link.get_absolute_url()).status_code, 404)
        self.client.force_login(self.cast.staff)
        response = self.client.get(self.link.get_absolute_url())
        self.assertContains(response, "Unpublished: only staff and facilitators")
        self.assertContains(response, "Publish again")

    def test_missing_material_is_404(self):
        for path in ("/library/999999/", f"/library/{2**63}/", "/library/0/", "/library/abc/"):
            self.assertEqual(self.client.get(path).status_code, 404, path)


class DownloadTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.pdf = add_pdf(cls.cast.facilitator, upload=pdf_upload("Pain diary.pdf"))
        cls.foreign = add_pdf(cls.cast.facilitator, upload=pdf_upload("Übungen für zu Hause.pdf"))
        cls.link = add_link(cls.cast.facilitator)

    def url(self, material):
        return reverse("library:material-file", args=[material.pk])

    def test_visitor_downloads_with_safe_headers(self):
        response = self.client.get(self.url(self.pdf))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(b"".join(response.streaming_content), PDF_BYTES)
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="Pain diary.pdf"')
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertEqual(response["Content-Length"], str(len(PDF_BYTES)))
        self.assertNotIn(self.pdf.file.name.split("/")[-1], response["Content-Disposition"])

    def test_non_ascii_name_has_an_ascii_fallback_and_rfc5987_copy(self):
        response = self.client.get(self.url(self.foreign))
        header = response["Content-Disposition"]
        self.assertTrue(header.startswith("attachment; filename=\"Ubungen fur zu Hause.pdf\"; filename*=UTF-8''"))
        self.assertIn("%C3%9Cbungen", header)
        b"".join(response.streaming_content)  # consumed, so the test client closes it (not response.close())

    def test_a_link_has_no_file(self):
        self.assertEqual(self.client.get(self.url(self.link)).status_code, 404)

    def test_unpublished_file_is_404_except_to_curators(self):
        materials.set_published(curator=self.cast.staff, material=self.pdf, published=False)
        self.assertEqual(self.client.get(self.url(self.pdf)).status_code, 404)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.url(self.pdf)).status_code, 404)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(self.url(self.pdf))
        self.assertEqual(response.status_code, 200)
        b"".join(response.streaming_content)  # consumed, so the test client closes it (not response.close())

    def test_a_missing_stored_file_is_404_not_500(self):
        material = add_pdf(self.cast.staff)
        materials.storage().delete(material.file.name)
        self.assertEqual(self.client.get(self.url(material)).status_code, 404)

    def test_post_is_not_allowed(self):
        self.assertEqual(self.client.post(self.url(self.pdf)).status_code, 405)


class MediaRouteTests(TemporaryMedia, KinshipTestCase):
    """/media/ serves avatars and partner logos; never a library file, however the path is spelled."""

    def test_library_files_are_not_served_from_media(self):
        material = add_pdf(self.cast.facilitator)
        name = material.file.name
        for path in (
            f"/media/{name}",
            "/media/library/",
            f"/media/avatars/../{name}",
            f"/media/avatars/%2e%2e/{name}",
            f"/media/avatars/..%2f{name}",
            f"/media/organisations/../{name}",
            f"/media/avatars/%2e%2e%2f{name}",
            f"/media//{name}",
            f"/media/./{name}",
            "/media/avatars/..",
            "/media/avatars/.hidden",
        ):
            with self.subTest(path):
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_the_avatar_route_still_resolves(self):
        from django.urls import Resolver404, resolve
        from django.views.static import serve

        for path in ("/media/avatars/0f3c.png", "/media/organisations/logo.png"):
            match = resolve(path)
            self.assertEqual(match.func, serve)
            self.assertEqual(match.kwargs["path"], path.removeprefix("/media/"))
        for path in ("/media/library/x.pdf", "/media/avatars/a/b.png", "/media/avatars/../library/x.pdf"):
            with self.assertRaises(Resolver404):
                resolve(path)


class AccessToFormsTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.link = add_link(cls.cast.facilitator)

    def edit(self):
        return reverse("library:material-edit", args=[self.link.pk])

    def test_visitor_is_sent_to_sign_in(self):
        for path in (NEW, self.edit()):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 302)
            self.assertIn("/accounts/login/", response["Location"])
            response = self.client.post(path, form_data(url="https://example.org/x"))
            self.assertEqual(response.status_code, 302)
        self.assertEqual(Material.objects.count(), 1)

    def test_members_and_outsiders_get_403(self):
        for person in (self.cast.member, self.cast.outsider, self.cast.pending, self.cast.unverified):
            self.client.force_login(person)
            for path in (NEW, self.edit()):
                self.assertEqual(self.client.get(path).status_code, 403, (person, path))
                response = self.client.post(path, form_data(url="https://example.org/x"))
                self.assertEqual(response.status_code, 403)
        self.assertEqual(Material.objects.count(), 1)

    def test_curators_get_the_form(self):
        for person in (self.cast.facilitator, self.cast.staff):
            self.client.force_login(person)
            response = self.client.get(NEW)
            self.assertContains(response, 'enctype="multipart/form-data"')
            self.assertContains(response, '<label for="id_title">')
            self.assertContains(response, '<label for="id_file">')
            response = self.client.get(self.edit())
            self.assertContains(response, 'value="https://example.org/library/phantom-limb-pain"')

    def test_edit_of_unpublished_material_is_404_to_members(self):
        materials.set_published(curator=self.cast.staff, material=self.link, published=False)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.edit()).status_code, 404)

    def test_csrf_is_still_checked_on_the_upload_forms(self):
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.cast.facilitator)
        for path in (NEW, self.edit()):
            response = client.post(path, form_data(url="https://example.org/x", title="Sneaky"))
            self.assertEqual(response.status_code, 403)
        self.assertFalse(Material.objects.filter(title="Sneaky").exists())
        page = client.get(NEW)
        token = page.cookies["csrftoken"].value
        response = client.post(NEW, form_data(url="https://example.org/x", csrfmiddlewaretoken=token))
        self.assertEqual(response.status_code, 302)

    def test_delete_method_is_not_allowed(self):
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.delete(NEW).status_code, 405)


class AddPageTests(TemporaryMedia, KinshipTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.cast.facilitator)

    def test_facilitator_adds_a_link(self):
        response = self.client.post(NEW, form_data(url="https://example.org/night-pain"))
        material = Material.objects.get()
        self.assertRedirects(response, material.get_absolute_url())
        self.assertEqual((material.kind, material.url), (Material.LINK, "https://example.org/night-pain"))

    def test_facilitator_uploads_a_pdf_stored_under_a_random_name(self):
        response = self.client.post(NEW, {**form_data(), "file": pdf_upload("Night pain.pdf")})
        material = Material.objects.get()
        self.assertRedirects(response, material.get_absolute_url())
        self.assertRegex(material.file.name, r"^library/[0-9a-f]{32}\.pdf$")
        self.assertEqual(material.original_name, "Night pain.pdf")
        self.assertIn(material.file.name.split("/")[1], self.stored_files())

    def test_fake_pdfs_are_refused_with_a_message(self):
        before = self.stored_files()
        for label, content in FAKE_PDFS.items():
            with self.subTest(label):
                response = self.client.post(NEW, {**form_data(), "file": pdf_upload("leaflet.pdf", content)})
                self.assertContains(response, "Only PDF documents can be uploaded", status_code=422)
        self.assertFalse(Material.objects.exists())
        self.assertEqual(self.stored_files(), before)

    def test_empty_file_is_refused(self):
        response = self.client.post(NEW, {**form_data(), "file": pdf_upload("empty.pdf", b"")})
        self.assertContains(response, "The file is empty", status_code=422)
        self.assertFalse(Material.objects.exists())

    def test_both_link_and_file_are_refused(self):
        response = self.client.post(NEW, {**form_data(url="https://example.org/x"), "file": pdf_upload()})
        self.assertContains(response, "not both", status_code=422)
        self.assertFalse(Material.objects.exists())

    def test_neither_link_nor_file_is_refused(self):
        response = self.client.post(NEW, form_data())
        self.assertContains(response, "Give a link or upload a PDF file", status_code=422)
        self.assertFalse(Material.objects.exists())

    def test_bad_fields_keep_what_was_typed_and_save_nothing(self):
        for fields in ({"title": ""}, {"title": "x" * 201}, {"theme": "bogus"}, {"theme": ""},
                       {"url": "javascript:alert(1)"}, {"title": "nul\x00byte"}, {"description": "x" * 2001}):  # fmt: skip
            response = self.client.post(NEW, form_data(**{"url": "https://example.org/ok", **fields}))
            self.assertEqual(response.status_code, 422, fields)
            self.assertContains(response, 'role="alert"', status_code=422)
        self.assertFalse(Material.objects.exists())

    def test_file_past_the_limit_while_streaming_is_a_413(self):
        before = self.stored_files()
        big = b"%PDF-1.4\n" + b" " * materials.MAX_FILE_BYTES + b"%%EOF\n"
        response = self.client.post(NEW, {**form_data(title="Too big"), "file": pdf_upload("big.pdf", big)})
        self.assertContains(response, "at most 10 MB", status_code=413)
        self.assertContains(response, 'value="Too big"', status_code=413)
        self.assertFalse(Material.objects.exists())
        self.assertEqual(self.stored_files(), before)

    def test_body_past_the_limit_is_refused_before_it_is_read(self):
        # The declared length is far beyond the body sent: reading it would fail, so a 413 proves nothing was read.
        response = self.client.post(
            NEW, {**form_data(), "file": pdf_upload()}, CONTENT_LENGTH=str(materials.MAX_REQUEST_BYTES + 1)
        )
        self.assertContains(response, "at most 10 MB", status_code=413)
        self.assertFalse(Material.objects.exists())

    def test_odd_content_length_is_ignored_safely(self):
        response = self.client.post(NEW, form_data(url="https://example.org/x"), CONTENT_LENGTH="abc")
        self.assertLess(response.status_code, 500)


class EditPageTests(TemporaryMedia, KinshipTestCase):
    def setUp(self):
        super().setUp()
        self.client.force_login(self.cast.staff)

    def test_staff_edits_a_link(self):
        material = add_link(self.cast.facilitator)
        response = self.client.post(
            reverse("library:material-edit", args=[material.pk]),
            form_data(title="Renamed", url="https://example.org/new", theme=PHYSIO),
        )
        self.assertRedirects(response, material.get_absolute_url())
        material.refresh_from_db()
        self.assertEqual((material.title, material.url, material.theme), ("Renamed", "https://example.org/new", PHYSIO))

    def test_pdf_edit_without_a_file_keeps_it(self):
        material = add_pdf(self.cast.facilitator)
        response = self.client.post(reverse("library:material-edit", args=[material.pk]), form_data(title="Same file"))
        self.assertEqual(response.status_code, 302)
        changed = Material.objects.get(pk=material.pk)
        self.assertEqual((changed.title, changed.file.name), ("Same file", material.file.name))

    def test_replacing_a_link_with_a_pdf(self):
        material = add_link(self.cast.facilitator)
        path = reverse("library:material-edit", args=[material.pk])
        response = self.client.post(path, {**form_data(url="https://example.org/kept"), "file": pdf_upload()})
        self.assertContains(response, "not both", status_code=422)
        response = self.client.post(path, {**form_data(url=""), "file": pdf_upload()})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Material.objects.get(pk=material.pk).kind, Material.PDF)

    def test_a_fake_replacement_leaves_the_material_as_it_was(self):
        material = add_pdf(self.cast.facilitator)
        path = reverse("library:material-edit", args=[material.pk])
        response = self.client.post(path, {**form_data(title="Changed"), "file": pdf_upload("x.pdf", FAKE_PDFS["zip"])})
        self.assertEqual(response.status_code, 422)
        changed = Material.objects.get(pk=material.pk)
        self.assertEqual((changed.title, changed.file.name), (material.title, material.file.name))


class PublishPageTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.link = add_link(cls.cast.facilitator)

    def test_facilitator_unpublishes_and_visitors_lose_it(self):
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(reverse("library:material-unpublish", args=[self.link.pk]))
        self.assertRedirects(response, self.link.get_absolute_url())
        self.assertFalse(Material.objects.get(pk=self.link.pk).published)
        self.client.logout()
        self.assertEqual(self.client.get(self.link.get_absolute_url()).status_code, 404)
        self.assertNotContains(self.client.get(LIST), self.link.title)

    def test_staff_publishes_again(self):
        materials.set_published(curator=self.cast.staff, material=self.link, published=False)
        self.client.force_login(self.cast.staff)
        self.client.post(reverse("library:material-publish", args=[self.link.pk]))
        self.assertTrue(Material.objects.get(pk=self.link.pk).published)

    def test_member_gets_403_and_nothing_changes(self):
        self.client.force_login(self.cast.member)
        response = self.client.post(reverse("library:material-unpublish", args=[self.link.pk]))
        self.assertEqual(response.status_code, 403)
        self.assertTrue(Material.objects.get(pk=self.link.pk).published)

    def test_member_cannot_republish_what_they_cannot_see(self):
        materials.set_published(curator=self.cast.staff, material=self.link, published=False)
        self.client.force_login(self.cast.member)
        response = self.client.post(reverse("library:material-publish", args=[self.link.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertFalse(Material.objects.get(pk=self.link.pk).published)

    def test_visitor_is_sent_to_sign_in_and_get_is_refused(self):
        response = self.client.post(reverse("library:material-unpublish", args=[self.link.pk]))
        self.assertEqual(response.status_code, 302)
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get(reverse("library:material-unpublish", args=[self.link.pk])).status_code, 405)
        self.assertTrue(Material.objects.get(pk=self.link.pk).published)


class QueryCountTests(TemporaryMedia, KinshipTestCase):
    """The list and detail pages cost the same number of queries for 3 materials as for 30."""

    def count(self, path, params=None):
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(path, params or {})
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def test_list_stays_flat(self):
        for i in range(3):
            add_pdf(self.cast.staff, title=f"Guide {i}") if i % 2 else add_link(self.cast.staff, title=f"Link {i}")
        visitor_small = self.count(LIST)
        filtered_small = self.count(LIST, {"theme": PAIN})
        self.client.force_login(self.cast.facilitator)
        curator_small = self.count(LIST)
        for i in range(27):
            add_pdf(self.cast.staff, title=f"More {i}") if i % 2 else add_link(self.cast.staff, title=f"Link {i}")
        self.assertEqual(self.count(LIST), curator_small)
        self.client.logout()
        self.assertEqual(self.count(LIST), visitor_small)
        self.assertEqual(self.count(LIST, {"theme": PAIN}), filtered_small)
        self.assertEqual(visitor_small, 1)
        with self.assertNumQueries(1):
            self.client.get(LIST)

    def test_detail_stays_flat(self):
        small = add_pdf(self.cast.staff, title="Small")
        self.client.force_login(self.cast.facilitator)
        before = self.count(small.get_absolute_url())
        for i in range(30):
            add_link(self.cast.staff, title=f"Link {i}")
        big = add_pdf(self.cast.staff, title="Big", description="x" * 1500)
        self.assertEqual(self.count(big.get_absolute_url()), before)
        self.client.logout()
        with self.assertNumQueries(1):
            self.client.get(big.get_absolute_url())


class NavigationTests(KinshipTestCase):
    def test_names_resolve_to_the_contract_paths(self):
        self.assertEqual(reverse("library:material-list"), "/library/")
        self.assertEqual(reverse("library:material-new"), "/library/new/")
        self.assertEqual(reverse("library:material-detail", args=[7]), "/library/7/")
        self.assertEqual(reverse("library:material-file", args=[7]), "/library/7/file/")
        self.assertEqual(reverse("library:material-edit", args=[7]), "/library/7/edit/")

    def test_a_second_member_of_staff_is_also_a_curator(self):
        other = factories.make_user(is_staff=True)
        self.client.force_login(other)
        self.assertEqual(self.client.get(NEW).status_code, 200)
