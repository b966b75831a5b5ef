"""The demo's example materials: clearly examples, links and two small generated PDFs, loaded once."""

from django.core.files.base import ContentFile

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.library import demo_materials, materials
from kinship.library.models import THEMES, Material
from kinship.library.tests.materials_support import TemporaryMedia


class DemoMaterialsTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        circle = factories.make_circle()
        cls.people = {"rosa": factories.make_user(is_staff=True)}
        for key in ("marcus", "ingrid", "nadia", "tom"):
            cls.people[key] = factories.make_user()
            factories.add_member(circle, cls.people[key], role="facilitator")

    def test_seed_adds_examples_across_themes(self):
        made = demo_materials.seed(self.people, {})
        self.assertTrue(8 <= made <= 12, made)
        self.assertEqual(Material.objects.count(), made)
        self.assertGreaterEqual(len(set(Material.objects.values_list("theme", flat=True))), 6)
        self.assertTrue(set(Material.objects.values_list("theme", flat=True)) <= set(THEMES))
        for material in Material.objects.all():
            self.assertIn("example", (material.description + material.source).lower(), material.title)
            if material.kind == Material.LINK:
                self.assertTrue(material.url.startswith("https://example.org/"), material.url)

    def test_the_pdfs_are_real_small_pdfs_stored_safely(self):
        demo_materials.seed(self.people, {})
        pdfs = list(Material.objects.filter(kind=Material.PDF))
        self.assertIn(len(pdfs), (1, 2))
        for material in pdfs:
            self.assertRegex(material.file.name, r"^library/[0-9a-f]{32}\.pdf$")
            with materials.storage().open(material.file.name, "rb") as handle:
                content = handle.read()
            self.assertLess(len(content), 4096)
            self.assertEqual(materials.check_pdf(ContentFile(content, name="x.pdf")), len(content))
            self.assertIn(b"startxref", content)

    def test_seeding_twice_adds_nothing(self):
        demo_materials.seed(self.people, {})
        count = Material.objects.count()
        files = self.stored_files()
        self.assertEqual(demo_materials.seed(self.people, {}), 0)
        self.assertEqual(Material.objects.count(), count)
        self.assertEqual(self.stored_files(), files)

    def test_build_pdf_cross_references_point_at_objects(self):
        import re

        data = demo_materials.build_pdf(["Brackets (and) back\\slash", "Ünïcode"])
        xref = int(re.search(rb"startxref\n(\d+)", data).group(1))
        self.assertTrue(data[xref:].startswith(b"xref"))
        offsets = [int(m.group(1)) for m in re.finditer(rb"(\d{10}) 00000 n ", data)]
        for number, offset in enumerate(offsets, start=1):
            self.assertTrue(data[offset:].startswith(f"{number} 0 obj".encode()))
