import datetime
import os

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kinship.accounts import services
from kinship.accounts.models import User
from kinship.accounts.tests.support import (
    COMBINING_ACUTE,
    NULL,
    RTL_OVERRIDE,
    WHEELCHAIR_EMOJI,
    ZERO_WIDTH_SPACE,
    AccountsAssertions,
    database_state,
    image_bytes,
    image_upload,
)
from kinship.core.errors import Invalid
from kinship.core.testing import KinshipTestCase, TemporaryMedia


def stored_files(root: str) -> set[str]:
    return {os.path.join(folder, name) for folder, _, names in os.walk(root) for name in names}


def profile_form(**overrides):
    data = {
        "display_name": "Mia",
        "bio": "Two years after a knee replacement.",
        "diagnosis": "Osteosarcoma",
        "diagnosis_visibility": User.MY_CIRCLES,
        "surgery_type": "limb_salvage",
        "surgery_type_visibility": User.ONLY_ME,
        "body_site": "Left femur",
        "body_site_visibility": User.MY_CIRCLES,
        "surgery_date": "2024-03-14",
        "surgery_date_visibility": User.ONLY_ME,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


class ProfileEditTests(TemporaryMedia, AccountsAssertions, KinshipTestCase):
    def setUp(self):
        self.user = self.cast.member
        self.client.force_login(self.user)

    def save(self, **overrides):
        return self.client.post(reverse("accounts:profile-edit"), profile_form(**overrides))

    def test_visitor_is_sent_to_sign_in(self):
        self.client.logout()
        for method in (self.client.get, self.client.post):
            with self.subTest(method=method.__name__):
                response = method(reverse("accounts:profile-edit"))
                self.assertRedirects(
                    response,
                    f"{reverse('accounts:login')}?next={reverse('accounts:profile-edit')}",
                    fetch_redirect_response=False,
                )

    def test_member_sees_their_own_values_and_email(self):
        User.objects.filter(pk=self.user.pk).update(bio="Hello from the ward", diagnosis="Ewing sarcoma")
        response = self.client.get(reverse("accounts:profile-edit"))
        self.assertContains(response, "Hello from the ward")
        self.assertContains(response, "Ewing sarcoma")
        self.assertContains(response, self.user.email)  # shown to its owner only
        self.assertContains(response, 'enctype="multipart/form-data"')

    def test_member_saves_their_profile(self):
        response = self.save()
        self.assertRedirects(response, reverse("accounts:profile-edit"), fetch_redirect_response=False)
        self.user.refresh_from_db()
        self.assertEqual(self.user.display_name, "Mia")
        self.assertEqual(self.user.bio, "Two years after a knee replacement.")
        self.assertEqual(self.user.diagnosis, "Osteosarcoma")
        self.assertEqual(self.user.diagnosis_visibility, User.MY_CIRCLES)
        self.assertEqual(self.user.surgery_type, "limb_salvage")
        self.assertEqual(self.user.body_site, "Left femur")
        self.assertEqual(self.user.surgery_date, datetime.date(2024, 3, 14))
        self.assertContains(self.client.get(response.url), "Your profile is saved.")

    def test_optional_fields_can_be_cleared(self):
        self.save()
        self.save(bio="", diagnosis="", surgery_type="", body_site="", surgery_date="")
        self.user.refresh_from_db()
        self.assertEqual(
            (self.user.bio, self.user.diagnosis, self.user.surgery_type, self.user.body_site), ("", "", "", "")
        )
        self.assertIsNone(self.user.surgery_date)

    def test_bio_keeps_emoji_and_line_breaks_and_normalises_them(self):
        self.save(bio=f"Day one.\r\nDay two {WHEELCHAIR_EMOJI}\r\nCafe{COMBINING_ACUTE}")
        self.user.refresh_from_db()
        self.assertEqual(self.user.bio, f"Day one.\nDay two {WHEELCHAIR_EMOJI}\nCaf\u00e9")

    def test_display_name_keeps_emoji_sequences_and_combining_marks(self):
        self.save(display_name=f"Zoe{COMBINING_ACUTE} {WHEELCHAIR_EMOJI}")
        self.user.refresh_from_db()
        self.assertEqual(self.user.display_name, f"Zo\u00e9 {WHEELCHAIR_EMOJI}")

    def test_fields_outside_the_form_are_ignored(self):
        self.save(
            email="taken.over@example.org",
            is_staff="on",
            role="caregiver",
            email_verified_at="",
            terms_version="x",
            is_active="",
        )
        self.user.refresh_from_db()
        self.assertNotEqual(self.user.email, "taken.over@example.org")
        self.assertFalse(self.user.is_staff)
        self.assertEqual(self.user.role, User.PATIENT)
        self.assertTrue(self.user.is_verified)
        self.assertTrue(self.user.is_active)

    def test_empty_post_is_refused_with_a_message(self):
        before = database_state()
        response = self.client.post(reverse("accounts:profile-edit"), {})
        self.assertRefused(response, "Please correct the fields marked below.")
        self.assertRefused(response, "This field is required.")
        self.assertNothingChanged(before)

    def test_blank_display_name_is_refused(self):
        before = database_state()
        for name in ("", "   ", ZERO_WIDTH_SPACE * 2):
            with self.subTest(name=ascii(name)):
                response = self.save(display_name=name)
                self.assertEqual(response.status_code, 422)
                self.assertRefused(response, "Please correct the fields marked below.")
        self.assertNothingChanged(before)

    def test_oversized_fields_are_refused_and_nothing_changes(self):
        before = database_state()
        cases = {
            "display_name": ("D" * 61, "Ensure this value has at most 60 characters (it has 61)."),
            "bio": ("b" * 501, "At most 500 characters (this is 501)."),
            "diagnosis": ("d" * 121, "Ensure this value has at most 120 characters (it has 121)."),
            "body_site": ("s" * 81, "Ensure this value has at most 80 characters (it has 81)."),
        }
        for field, (value, message) in cases.items():
            with self.subTest(field=field):
                self.assertRefused(self.save(**{field: value}), message)
        self.assertRefused(self.save(bio="b" * 1_000_000), "At most 500 characters")
        self.assertNothingChanged(before)

    def test_fields_at_their_limits_are_accepted(self):
        self.assertEqual(
            self.save(display_name="D" * 60, bio="b" * 500, diagnosis="d" * 120, body_site="s" * 80).status_code, 302
        )
        self.user.refresh_from_db()
        self.assertEqual(
            (len(self.user.display_name), len(self.user.bio), len(self.user.diagnosis), len(self.user.body_site)),
            (60, 500, 120, 80),
        )

    def test_null_byte_in_every_field_is_refused_and_nothing_changes(self):
        before = database_state()
        for field, value in profile_form().items():
            with self.subTest(field=field):
                response = self.save(**{field: value[:3] + NULL + value[3:]})
                self.assertRefused(response, "Please correct the fields marked below.")
        self.assertNothingChanged(before)

    def test_control_characters_in_text_are_refused(self):
        before = database_state()
        self.assertRefused(self.save(bio="bell\x07 ringing"), "Contains control characters.")
        self.assertRefused(self.save(display_name="Mia\x1b[31m"), "Please correct the fields marked below.")
        self.assertNothingChanged(before)

    def test_text_direction_override_in_display_name_is_refused(self):
        before = database_state()
        self.assertRefused(self.save(display_name=f"Mia{RTL_OVERRIDE}rotatilicaf"), "text direction")
        self.assertNothingChanged(before)

    def test_wrong_choices_are_refused(self):
        before = database_state()
        for field, value in (
            ("diagnosis_visibility", "everyone"),
            ("surgery_type", "magic"),
            ("body_site_visibility", ""),
            ("surgery_date_visibility", "ONLY_ME"),
        ):
            with self.subTest(field=field):
                self.assertRefused(self.save(**{field: value}), "Please correct the fields marked below.")
        self.assertNothingChanged(before)

    def test_bad_surgery_dates_are_refused(self):
        before = database_state()
        tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
        cases = {
            tomorrow: "Must be in the past.",
            "1850-01-01": "Must be in the past.",
            "2024-02-30": "Enter a valid date.",
            "yesterday": "Enter a valid date.",
            "9" * 5000: "Enter a valid date.",
            "99999-01-01": "Enter a valid date.",
        }
        for value, message in cases.items():
            with self.subTest(value=value[:20]):
                self.assertRefused(self.save(surgery_date=value), message)
        self.assertNothingChanged(before)

    def test_one_bad_field_saves_none_of_the_good_ones(self):
        before = database_state()
        self.assertRefused(self.save(display_name="A new name", bio="x" * 501), "At most 500 characters")
        self.assertNothingChanged(before)


class AvatarTests(TemporaryMedia, AccountsAssertions, KinshipTestCase):
    def setUp(self):
        self.user = self.cast.member
        self.client.force_login(self.user)

    def upload(self, avatar, **overrides):
        return self.client.post(reverse("accounts:profile-edit"), {**profile_form(**overrides), "avatar": avatar})

    def test_png_jpeg_and_webp_are_stored_under_a_random_name(self):
        for fmt, ext in (("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")):
            with self.subTest(fmt=fmt):
                response = self.upload(image_upload(fmt, name=f"../../etc/{fmt}<script>.{ext}"))
                self.assertEqual(response.status_code, 302)
                self.user.refresh_from_db()
                name = os.path.basename(self.user.avatar.name)
                self.assertRegex(name, rf"^[0-9a-f]{{32}}\.{ext}$")
                self.assertTrue(self.user.avatar.name.startswith("avatars/"))
                self.assertTrue(os.path.exists(self.user.avatar.path))

    def test_new_avatar_replaces_the_old_file(self):
        self.upload(image_upload("PNG"))
        self.user.refresh_from_db()
        old_path = self.user.avatar.path
        self.upload(image_upload("JPEG"))
        self.user.refresh_from_db()
        self.assertFalse(os.path.exists(old_path))
        self.assertTrue(os.path.exists(self.user.avatar.path))

    def test_avatar_can_be_removed(self):
        self.upload(image_upload("PNG"))
        self.user.refresh_from_db()
        path = self.user.avatar.path
        response = self.client.post(reverse("accounts:profile-edit"), {**profile_form(), "remove_avatar": "on"})
        self.assertEqual(response.status_code, 302)
        self.user.refresh_from_db()
        self.assertFalse(self.user.avatar)
        self.assertFalse(os.path.exists(path))

    def test_file_that_is_not_an_image_is_refused(self):
        before = database_state()
        for upload in (
            SimpleUploadedFile("me.png", b"<?php echo 1; ?>", content_type="image/png"),
            SimpleUploadedFile("me.png", b"", content_type="image/png"),
            SimpleUploadedFile("me.png", image_bytes("PNG")[:40], content_type="image/png"),
        ):
            with self.subTest(name=upload.name, size=upload.size):
                response = self.upload(upload, display_name="Changed name")
                self.assertEqual(response.status_code, 422)
                self.assertRefused(response, "Please correct the fields marked below.")
        self.assertNothingChanged(before)

    def test_image_of_another_kind_is_refused_and_the_other_changes_are_not_saved(self):
        before, files = database_state(), stored_files(self.media_root)
        response = self.upload(image_upload("GIF"), display_name="Changed name", bio="Changed bio")
        self.assertRefused(response, "Use a PNG, JPEG or WebP image.")
        self.assertNothingChanged(before)
        self.assertEqual(stored_files(self.media_root), files)

    def test_image_over_two_megabytes_is_refused(self):
        before = database_state()
        big = image_upload("PNG", size=(1100, 1100), noise=True)
        self.assertGreater(big.size, 2 * 1024 * 1024)
        files = stored_files(self.media_root)
        response = self.upload(big, display_name="Changed name")
        self.assertRefused(response, "At most 2 MB.")
        self.assertNothingChanged(before)
        self.assertEqual(stored_files(self.media_root), files)

    def test_avatar_shows_on_the_profile_page(self):
        self.upload(image_upload("PNG"))
        self.user.refresh_from_db()
        response = self.client.get(self.user.get_absolute_url())
        self.assertContains(response, f'src="{self.user.avatar.url}"')


class UpdateProfileServiceTests(KinshipTestCase):
    def assertRefusedField(self, changes, field):
        before = database_state()
        with self.assertRaises(Invalid) as caught:
            services.update_profile(user=self.cast.member, changes=changes)
        self.assertIn(field, caught.exception.errors)
        self.assertEqual(database_state(), before)

    def test_wrong_types_are_refused(self):
        cases = [
            ({"display_name": None}, "display_name"),
            ({"display_name": 42}, "display_name"),
            ({"bio": ["a", "list"]}, "bio"),
            ({"bio": b"bytes"}, "bio"),
            ({"diagnosis": {"a": 1}}, "diagnosis"),
            ({"body_site": 3.5}, "body_site"),
            ({"surgery_date": 20240314}, "surgery_date"),
            ({"surgery_date": ["2024-03-14"]}, "surgery_date"),
            ({"surgery_type": None}, "surgery_type"),
            ({"diagnosis_visibility": ["circles"]}, "diagnosis_visibility"),
            ({"surgery_type_visibility": {"circles": 1}}, "surgery_type_visibility"),
            ({"body_site_visibility": True}, "body_site_visibility"),
        ]
        for changes, field in cases:
            with self.subTest(changes=changes):
                self.assertRefusedField(changes, field)

    def test_fields_that_are_not_part_of_the_profile_are_refused(self):
        for field in ("email", "is_staff", "is_superuser", "email_verified_at", "role", "password", "pk"):
            with self.subTest(field=field):
                self.assertRefusedField({field: "x", "display_name": "Fine"}, field)

    def test_avatar_that_is_not_a_file_is_refused(self):
        before = database_state()
        for upload in ("avatar.png", b"\x89PNG", 42, {"name": "a.png"}):
            with self.subTest(upload=upload), self.assertRaises(Invalid) as caught:
                services.set_avatar(user=self.cast.member, upload=upload)
            self.assertIn("avatar", caught.exception.errors)
        self.assertEqual(database_state(), before)

    def test_a_real_date_object_is_accepted(self):
        user = services.update_profile(user=self.cast.member, changes={"surgery_date": datetime.date(2023, 5, 1)})
        user.refresh_from_db()
        self.assertEqual(user.surgery_date, datetime.date(2023, 5, 1))
