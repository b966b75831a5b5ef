"""The admin for materials: staff review, edit, publish and delete through the same rules as the pages."""

from django.urls import reverse

from kinship.core.testing import KinshipTestCase
from kinship.library import materials
from kinship.library.models import PHYSIO, Material
from kinship.library.tests.materials_support import TemporaryMedia, add_link, add_pdf


class MaterialAdminTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.cast.staff.is_superuser = True
        cls.cast.staff.save(update_fields=["is_superuser"])
        cls.link = add_link(cls.cast.facilitator)
        cls.pdf = add_pdf(cls.cast.facilitator)

    def setUp(self):
        super().setUp()
        self.client.force_login(self.cast.staff)

    def change_url(self, material):
        return reverse("admin:library_material_change", args=[material.pk])

    def test_list_and_change_pages_open(self):
        self.assertEqual(self.client.get(reverse("admin:library_material_changelist")).status_code, 200)
        self.assertContains(self.client.get(self.change_url(self.pdf)), f"/library/{self.pdf.pk}/file/")
        self.assertNotContains(self.client.get(self.change_url(self.pdf)), self.pdf.file.name)

    def test_adding_goes_through_the_library_page(self):
        self.assertEqual(self.client.get(reverse("admin:library_material_add")).status_code, 403)

    def post_change(self, material, **fields):
        data = {
            "title": material.title,
            "theme": material.theme,
            "description": material.description,
            "source": material.source,
            "url": material.url,
            "published": "on" if material.published else "",
        }
        data.update(fields)
        if material.kind == Material.PDF:
            data.pop("url")
        return self.client.post(self.change_url(material), data)

    def test_staff_edits_through_the_service(self):
        response = self.post_change(self.link, title="Edited in admin", theme=PHYSIO)
        self.assertEqual(response.status_code, 302)
        self.link.refresh_from_db()
        self.assertEqual((self.link.title, self.link.theme), ("Edited in admin", PHYSIO))

    def test_bad_link_or_title_is_refused(self):
        for fields in ({"url": "javascript:alert(1)"}, {"url": ""}, {"title": ""}, {"url": "https://u:p@example.org"}):
            response = self.post_change(self.link, **fields)
            self.assertEqual(response.status_code, 200, fields)
            self.assertContains(response, "errornote")
        self.link.refresh_from_db()
        self.assertEqual(self.link.url, "https://example.org/library/phantom-limb-pain")

    def test_a_pdf_link_cannot_be_set_in_the_admin(self):
        response = self.post_change(self.pdf, url="https://example.org/sneaky")
        self.assertEqual(response.status_code, 302)
        self.pdf.refresh_from_db()
        self.assertEqual((self.pdf.kind, self.pdf.url), (Material.PDF, ""))

    def test_unpublish_in_the_form_and_by_action(self):
        self.post_change(self.link, published="")
        self.link.refresh_from_db()
        self.assertFalse(self.link.published)
        self.client.post(
            reverse("admin:library_material_changelist"),
            {"action": "publish", "_selected_action": [self.link.pk]},
        )
        self.link.refresh_from_db()
        self.assertTrue(self.link.published)
        self.client.post(
            reverse("admin:library_material_changelist"),
            {"action": "unpublish", "_selected_action": [self.link.pk, self.pdf.pk]},
        )
        self.assertFalse(Material.objects.filter(published=True).exists())

    def test_delete_removes_the_file(self):
        name = self.pdf.file.name
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("admin:library_material_delete", args=[self.pdf.pk]), {"post": "yes"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(Material.objects.filter(pk=self.pdf.pk).exists())
        self.assertFalse(materials.storage().exists(name))

    def test_bulk_delete_removes_the_files(self):
        extra = add_pdf(self.cast.staff)
        names = [self.pdf.file.name, extra.file.name]
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(
                reverse("admin:library_material_changelist"),
                {"action": "delete_selected", "_selected_action": [self.pdf.pk, extra.pk], "post": "yes"},
            )
        self.assertFalse(Material.objects.filter(kind=Material.PDF).exists())
        for name in names:
            self.assertFalse(materials.storage().exists(name))
