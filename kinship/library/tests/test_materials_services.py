"""kinship.library.materials: who curates, what an upload must be, how it is stored, and every write."""

import re

from django.core.files.base import ContentFile
from django.test import TestCase

from kinship.circles.models import Membership
from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed, RateLimited
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

STORED_NAME = re.compile(r"^library/[0-9a-f]{32}\.pdf$")


class CuratorRuleTests(KinshipTestCase):
    def test_staff_and_active_facilitators_curate(self):
        self.assertTrue(materials.can_curate(self.cast.staff))
        self.assertTrue(materials.can_curate(self.cast.facilitator))

    def test_members_outsiders_and_visitors_do_not(self):
        from django.contrib.auth.models import AnonymousUser

        for person in (self.cast.member, self.cast.outsider, self.cast.pending, self.cast.unverified, AnonymousUser()):
            self.assertFalse(materials.can_curate(person), person)

    def test_pending_or_removed_facilitator_does_not_curate(self):
        circle = factories.make_circle()
        for status in (Membership.PENDING, Membership.REMOVED):
            person = factories.make_user()
            factories.add_member(circle, person, role=Membership.FACILITATOR, status=status)
            self.assertFalse(materials.can_curate(person), status)

    def test_the_answer_is_read_once_per_user_object(self):
        person = factories.make_user()
        with self.assertNumQueries(1):
            materials.can_curate(person)
            materials.can_curate(person)


class VisibilityTests(TemporaryMedia, KinshipTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.shown = add_link(cls.cast.facilitator, title="Shown")
        cls.hidden = add_link(cls.cast.facilitator, title="Taken down")
        materials.set_published(curator=cls.cast.staff, material=cls.hidden, published=False)

    def test_everyone_sees_published_material(self):
        from django.contrib.auth.models import AnonymousUser

        for person in (AnonymousUser(), self.cast.member, self.cast.outsider, self.cast.facilitator, self.cast.staff):
            self.assertEqual(materials.get_material_for(person, self.shown.pk), self.shown)

    def test_unpublished_material_is_a_404_except_to_curators(self):
        from django.contrib.auth.models import AnonymousUser
        from django.http import Http404

        for person in (AnonymousUser(), self.cast.member, self.cast.outsider, self.cast.pending):
            with self.assertRaises(Http404):
                materials.get_material_for(person, self.hidden.pk)
            self.assertNotIn(self.hidden, materials.visible_materials(person))
        for person in (self.cast.facilitator, self.cast.staff):
            self.assertEqual(materials.get_material_for(person, self.hidden.pk), self.hidden)

    def test_odd_ids_are_404s(self):
        from django.http import Http404

        for raw in ("abc", "0", "-1", str(2**64), None, "1.5", "\x00"):
            with self.assertRaises(Http404):
                materials.get_material_for(self.cast.staff, raw)


class AddLinkTests(TemporaryMedia, KinshipTestCase):
    def test_facilitator_adds_a_published_link(self):
        material = add_link(self.cast.facilitator)
        self.assertEqual(material.kind, Material.LINK)
        self.assertTrue(material.published)
        self.assertEqual(material.added_by, self.cast.facilitator)
        self.assertEqual(material.file.name, "")

    def test_member_may_not_add(self):
        for person in (self.cast.member, self.cast.outsider):
            with self.assertRaises(NotAllowed):
                add_link(person)
        self.assertFalse(Material.objects.exists())

    def test_bad_fields_are_named_and_nothing_is_saved(self):
        cases = {
            "title": ["", "   ", None, 5, "x" * 201, "nul\x00", "\u200b\u200b", "Mia\u202eevil"],
            "theme": ["", "bogus", None, ["pain"], 3],
            "url": ["javascript:alert(1)", "data:text/html,hi", "ftp://example.org/x", "example.org", "https://",
                    "https://user:secret@example.org/", "https://example.org/" + "a" * 500],
            "description": ["x" * 2001, {"a": 1}],
            "source": ["x" * 201, ["a"]],
        }  # fmt: skip
        for field, values in cases.items():
            for value in values:
                with self.subTest(field=field, value=repr(value)[:40]), self.assertRaises(Invalid) as caught:
                    add_link(self.cast.facilitator, **{field: value})
                self.assertIn(field, caught.exception.errors)
        self.assertFalse(Material.objects.exists())

    def test_neither_link_nor_file_is_refused(self):
        with self.assertRaises(Invalid) as caught:
            add_link(self.cast.facilitator, url="")
        self.assertIn("url", caught.exception.errors)

    def test_unknown_fields_are_refused(self):
        with self.assertRaises(Invalid):
            add_link(self.cast.facilitator, published=False)

    def test_text_is_cleaned(self):
        material = add_link(self.cast.facilitator, title="  Pain \n after   surgery ", source=" Trust ")
        self.assertEqual((material.title, material.source), ("Pain after surgery", "Trust"))


class UploadTests(TemporaryMedia, KinshipTestCase):
    def test_pdf_is_stored_under_a_random_name_with_its_bytes(self):
        material = add_pdf(self.cast.facilitator, upload=pdf_upload("My guide.pdf"))
        self.assertEqual(material.kind, Material.PDF)
        self.assertRegex(material.file.name, STORED_NAME)
        self.assertNotIn("guide", material.file.name.lower())
        self.assertEqual(material.original_name, "My guide.pdf")
        self.assertEqual(material.file_size, len(PDF_BYTES))
        self.assertEqual(material.url, "")
        with materials.storage().open(material.file.name, "rb") as handle:
            self.assertEqual(handle.read(), PDF_BYTES)

    def test_two_uploads_of_the_same_name_get_different_names(self):
        first = add_pdf(self.cast.facilitator, upload=pdf_upload("same.pdf"))
        second = add_pdf(self.cast.facilitator, upload=pdf_upload("same.pdf"))
        self.assertNotEqual(first.file.name, second.file.name)

    def test_files_that_only_pretend_to_be_pdfs_are_refused_and_not_stored(self):
        before = self.stored_files()
        for label, content in FAKE_PDFS.items():
            with self.subTest(label), self.assertRaises(Invalid) as caught:
                add_pdf(self.cast.facilitator, upload=pdf_upload("handout.pdf", content))
            self.assertIn("file", caught.exception.errors)
            self.assertEqual(caught.exception.status, 422)
        self.assertEqual(self.stored_files(), before)
        self.assertFalse(Material.objects.exists())

    def test_a_pdf_cut_short_is_refused(self):
        with self.assertRaises(Invalid) as caught:
            add_pdf(self.cast.facilitator, upload=pdf_upload("cut.pdf", PDF_BYTES[: len(PDF_BYTES) // 2]))
        self.assertIn("incomplete", caught.exception.errors["file"][0])

    def test_a_real_pdf_with_any_name_is_accepted(self):
        material = add_pdf(self.cast.facilitator, upload=pdf_upload("scan.PNG", PDF_BYTES))
        self.assertEqual(material.original_name, "scan.PNG.pdf")

    def test_empty_file_is_refused(self):
        with self.assertRaises(Invalid) as caught:
            add_pdf(self.cast.facilitator, upload=pdf_upload("empty.pdf", b""))
        self.assertIn("empty", caught.exception.errors["file"][0])

    def test_file_past_the_limit_is_a_413_naming_the_limit(self):
        before = self.stored_files()
        big = PDF_BYTES[:-6] + b" " * (materials.MAX_FILE_BYTES - len(PDF_BYTES) + 1) + b"%%EOF\n"
        self.assertGreater(len(big), materials.MAX_FILE_BYTES)
        with self.assertRaises(materials.TooLarge) as caught:
            add_pdf(self.cast.facilitator, upload=pdf_upload("big.pdf", big))
        self.assertEqual(caught.exception.status, 413)
        self.assertIn("10 MB", caught.exception.detail)
        self.assertEqual(self.stored_files(), before)

    def test_a_pdf_of_exactly_the_limit_is_accepted(self):
        exact = PDF_BYTES[:-6] + b" " * (materials.MAX_FILE_BYTES - len(PDF_BYTES)) + b"%%EOF\n"
        self.assertEqual(len(exact), materials.MAX_FILE_BYTES)
        material = add_pdf(self.cast.facilitator, upload=pdf_upload("exact.pdf", exact))
        self.assertEqual(material.file_size, materials.MAX_FILE_BYTES)

    def test_link_and_file_together_are_refused(self):
        before = self.stored_files()
        with self.assertRaises(Invalid) as caught:
            add_pdf(self.cast.facilitator, url="https://example.org/guide")
        self.assertIn("file", caught.exception.errors)
        self.assertEqual(self.stored_files(), before)

    def test_something_that_is_not_a_file_is_refused(self):
        for upload in ("%PDF-1.4 %%EOF", b"%PDF-1.4\n%%EOF", 5):
            with self.assertRaises(Invalid):
                materials.add_material(curator=self.cast.staff, title="T", theme=PAIN, upload=upload)

    def test_member_upload_is_refused_before_anything_is_stored(self):
        before = self.stored_files()
        with self.assertRaises(NotAllowed):
            add_pdf(self.cast.member)
        self.assertEqual(self.stored_files(), before)

    def test_uploads_are_rate_limited(self):
        for _ in range(materials.UPLOADS_PER_HOUR):
            add_pdf(self.cast.facilitator)
        with self.assertRaises(RateLimited):
            add_pdf(self.cast.facilitator)
        self.assertEqual(Material.objects.count(), materials.UPLOADS_PER_HOUR)


class FileNameTests(TestCase):
    def test_display_name_keeps_words_and_drops_paths_and_controls(self):
        cases = {
            "guide.pdf": "guide.pdf",
            "../../etc/passwd": "passwd.pdf",
            "C:\\Users\\mia\\Pain diary.PDF": "Pain diary.pdf",
            "evil\r\nSet-Cookie: x.pdf": "evilSet-Cookie: x.pdf",
            "Mia\u202efdp.exe": "Miafdp.exe.pdf",
            "zero\u200bwidth.pdf": "zerowidth.pdf",
            "": "document.pdf",
            ".pdf": "document.pdf",
            "   ...   ": "document.pdf",
            "Übungen für zu Hause.pdf": "Übungen für zu Hause.pdf",
            None: "document.pdf",
        }
        for raw, expected in cases.items():
            self.assertEqual(materials.display_name(raw), expected, raw)

    def test_display_name_fits_the_column(self):
        name = materials.display_name("a" * 500 + ".pdf")
        self.assertLessEqual(len(name), 200)
        self.assertTrue(name.endswith(".pdf"))

    def test_content_disposition_is_ascii_with_an_rfc5987_copy_for_other_names(self):
        self.assertEqual(materials.content_disposition("guide.pdf"), 'attachment; filename="guide.pdf"')
        header = materials.content_disposition("Übungen für zu Hause.pdf")
        self.assertTrue(header.startswith('attachment; filename="Ubungen fur zu Hause.pdf"; '), header)
        self.assertIn("filename*=UTF-8''%C3%9Cbungen%20f%C3%BCr%20zu%20Hause.pdf", header)
        header = materials.content_disposition('say "hi"; x=1\\.pdf')
        self.assertEqual(header.count('"'), 2, header)
        self.assertNotIn("\\", header.split("filename*")[0])
        self.assertEqual(materials.content_disposition("Болит.pdf").split(";")[1].strip(), 'filename="document.pdf"')
        header.encode("latin-1")


class UpdateTests(TemporaryMedia, KinshipTestCase):
    def test_fields_change_and_kind_stays(self):
        material = add_link(self.cast.facilitator)
        changed = materials.update_material(
            curator=self.cast.staff, material=material, changes={"title": "New title", "theme": PHYSIO}
        )
        self.assertEqual((changed.title, changed.theme, changed.kind), ("New title", PHYSIO, Material.LINK))
        self.assertEqual(changed.url, material.url)

    def test_a_new_file_replaces_the_old_one_which_is_deleted(self):
        material = add_pdf(self.cast.facilitator)
        old = material.file.name
        with self.captureOnCommitCallbacks(execute=True):
            changed = materials.update_material(
                curator=self.cast.facilitator, material=material, changes={"upload": pdf_upload("v2.pdf")}
            )
        self.assertNotEqual(changed.file.name, old)
        self.assertEqual(changed.original_name, "v2.pdf")
        self.assertFalse(materials.storage().exists(old))
        self.assertTrue(materials.storage().exists(changed.file.name))

    def test_a_link_replaces_a_pdf_and_its_file_goes(self):
        material = add_pdf(self.cast.facilitator)
        old = material.file.name
        with self.captureOnCommitCallbacks(execute=True):
            changed = materials.update_material(
                curator=self.cast.facilitator, material=material, changes={"url": "https://example.org/now-a-link"}
            )
        self.assertEqual((changed.kind, changed.file.name, changed.file_size), (Material.LINK, "", 0))
        self.assertFalse(materials.storage().exists(old))

    def test_a_pdf_edited_with_an_empty_link_keeps_its_file(self):
        material = add_pdf(self.cast.facilitator)
        changed = materials.update_material(
            curator=self.cast.facilitator, material=material, changes={"url": "", "title": "Renamed"}
        )
        self.assertEqual((changed.kind, changed.file.name), (Material.PDF, material.file.name))

    def test_a_file_replaces_a_link(self):
        material = add_link(self.cast.facilitator)
        changed = materials.update_material(
            curator=self.cast.facilitator, material=material, changes={"url": "", "upload": pdf_upload()}
        )
        self.assertEqual((changed.kind, changed.url), (Material.PDF, ""))

    def test_link_emptied_without_a_file_is_refused(self):
        material = add_link(self.cast.facilitator)
        with self.assertRaises(Invalid):
            materials.update_material(curator=self.cast.facilitator, material=material, changes={"url": ""})

    def test_a_bad_new_file_leaves_the_old_one(self):
        material = add_pdf(self.cast.facilitator)
        with self.assertRaises(Invalid):
            materials.update_material(
                curator=self.cast.facilitator,
                material=material,
                changes={"upload": pdf_upload("x.pdf", FAKE_PDFS["html"])},
            )
        material.refresh_from_db()
        self.assertTrue(materials.storage().exists(material.file.name))

    def test_member_may_not_edit(self):
        material = add_link(self.cast.facilitator)
        with self.assertRaises(NotAllowed):
            materials.update_material(curator=self.cast.member, material=material, changes={"title": "Mine"})


class PublishAndDeleteTests(TemporaryMedia, KinshipTestCase):
    def test_unpublish_and_publish_again(self):
        material = add_link(self.cast.facilitator)
        materials.set_published(curator=self.cast.facilitator, material=material, published=False)
        material.refresh_from_db()
        self.assertFalse(material.published)
        materials.set_published(curator=self.cast.staff, material=material, published=True)
        material.refresh_from_db()
        self.assertTrue(material.published)

    def test_member_may_not_unpublish(self):
        material = add_link(self.cast.facilitator)
        with self.assertRaises(NotAllowed):
            materials.set_published(curator=self.cast.member, material=material, published=False)

    def test_published_must_be_a_boolean(self):
        material = add_link(self.cast.facilitator)
        with self.assertRaises(Invalid):
            materials.set_published(curator=self.cast.staff, material=material, published="no")  # type: ignore[arg-type]

    def test_delete_removes_the_row_and_then_the_file(self):
        material = add_pdf(self.cast.facilitator)
        name = material.file.name
        with self.captureOnCommitCallbacks(execute=True):
            materials.delete_material(curator=self.cast.staff, material=material)
        self.assertFalse(Material.objects.exists())
        self.assertFalse(materials.storage().exists(name))


class ConstraintTests(TemporaryMedia, KinshipTestCase):
    def test_the_database_refuses_a_link_with_a_file_or_neither(self):
        from django.db import IntegrityError, transaction

        for fields in (
            {"kind": "link", "url": "", "file": ""},
            {"kind": "link", "url": "https://example.org", "file": "library/x.pdf"},
            {"kind": "pdf", "url": "", "file": ""},
            {"kind": "pdf", "url": "https://example.org", "file": "library/x.pdf"},
            {"kind": "link", "url": "https://example.org", "file": "", "theme": "bogus"},
        ):
            values = {"title": "T", "theme": PAIN, **fields}
            with self.subTest(fields), self.assertRaises(IntegrityError), transaction.atomic():
                Material.objects.create(**values)

    def test_content_file_from_code_is_accepted(self):
        material = materials.add_material(
            curator=self.cast.staff, title="From code", theme=PAIN, upload=ContentFile(PDF_BYTES, name="x.pdf")
        )
        self.assertRegex(material.file.name, STORED_NAME)

    def test_file_object_without_a_name_still_gets_a_display_name(self):
        upload = ContentFile(PDF_BYTES)
        material = materials.add_material(curator=self.cast.staff, title="No name", theme=PAIN, upload=upload)
        self.assertEqual(material.original_name, "document.pdf")
