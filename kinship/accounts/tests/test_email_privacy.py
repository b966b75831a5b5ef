from django.urls import reverse

from kinship.accounts.tests.support import AccountsAssertions, email_forms
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.testing import KinshipTestCase

# Characters that change when HTML-escaped (') or URL-encoded (' + @), so every form is looked for.
PRIVATE_EMAIL = "o'neil+kinship.private@example.org"


class EmailNeverShownToOthersTests(AccountsAssertions, KinshipTestCase):
    """A member's email address appears on no page anyone but its owner gets."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.person = factories.make_member(cls.cast.circle, email=PRIVATE_EMAIL, display_name="Orla")
        cls.topic = factories.make_topic(circle=cls.cast.circle, author=cls.person, title="Orla's first week")
        factories.make_replies(cls.topic, count=1, author=cls.person)
        cls.anonymous = factories.make_topic(
            circle=cls.cast.circle, author=cls.person, anonymous=True, title="Something I can't say with my name"
        )
        other = factories.make_topic(circle=cls.cast.circle, author=cls.cast.member)
        factories.make_replies(other, count=1, author=cls.person)
        cls.other_topic = other
        approval = factories.make_circle(join_policy=Circle.APPROVAL)
        factories.add_member(approval, cls.cast.facilitator, role="facilitator")
        factories.add_member(approval, cls.person, status="pending")
        cls.approval = approval

    def pages(self) -> list[str]:
        return [
            reverse("accounts:profile", args=[self.person.pk]),
            reverse("circles:member-list", args=[self.cast.circle.slug]),
            reverse("circles:member-list", args=[self.approval.slug]),
            self.cast.circle.get_absolute_url(),
            self.topic.get_absolute_url(),
            self.anonymous.get_absolute_url(),
            self.other_topic.get_absolute_url(),
            reverse("circles:circle-list"),
            reverse("core:home"),
        ]

    def test_the_address_is_stored_as_given(self):
        self.person.refresh_from_db()
        self.assertEqual(self.person.email, PRIVATE_EMAIL)
        self.assertIn("o&#x27;neil+kinship.private@example.org", email_forms(PRIVATE_EMAIL))
        self.assertIn("o%27neil%2bkinship.private%40example.org", email_forms(PRIVATE_EMAIL))

    def test_owner_sees_their_own_address_on_their_settings_page(self):
        # Proves the scan would catch the address if it were shown.
        self.client.force_login(self.person)
        response = self.client.get(reverse("accounts:profile-edit"))
        body = response.content.decode().lower()
        self.assertTrue(any(form in body for form in email_forms(PRIVATE_EMAIL)))

    def test_no_page_shows_the_address_to_other_people(self):
        viewers = {
            "member": self.cast.member,
            "facilitator": self.cast.facilitator,
            "staff": self.cast.staff,
            "unverified": self.cast.unverified,
            "outsider": self.cast.outsider,
        }
        for role, viewer in viewers.items():
            self.client.force_login(viewer)
            for url in self.pages():
                with self.subTest(viewer=role, url=url):
                    response = self.client.get(url)
                    self.assertIn(response.status_code, (200, 403, 404))
                    self.assertNoEmailIn(response, PRIVATE_EMAIL)
                    for header, value in response.items():
                        self.assertNotIn(PRIVATE_EMAIL, value.lower(), header)

    def test_pages_other_people_get_do_show_the_person_so_the_scan_means_something(self):
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(reverse("accounts:profile", args=[self.person.pk])), "Orla")
        self.assertContains(self.client.get(reverse("circles:member-list", args=[self.cast.circle.slug])), "Orla")
        self.assertContains(self.client.get(self.topic.get_absolute_url()), "Orla")

    def test_visitor_pages_do_not_show_the_address(self):
        for url in (
            self.cast.circle.get_absolute_url(),
            reverse("circles:circle-list"),
            reverse("core:home"),
            self.topic.get_absolute_url(),
        ):
            with self.subTest(url=url):
                self.assertNoEmailIn(self.client.get(url), PRIVATE_EMAIL)

    def test_sign_in_and_reset_answers_do_not_confirm_the_address_to_someone_else(self):
        response = self.client.post(reverse("accounts:password-reset"), {"email": PRIVATE_EMAIL}, follow=True)
        self.assertNoEmailIn(response, PRIVATE_EMAIL)
