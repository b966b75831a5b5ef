import pyotp
from django.urls import reverse

from kinship.accounts import consents
from kinship.accounts import services as accounts
from kinship.accounts.models import ApiToken, ConsentRecord, SignInSession, User
from kinship.core import factories
from kinship.core.errors import Invalid, NotAllowed
from kinship.core.testing import KinshipTestCase
from kinship.discussions.models import Post, Topic
from kinship.events.models import Occurrence, Rsvp
from kinship.library.models import Tip
from kinship.peers.models import Message, Participant
from kinship.qa.models import Question
from kinship.safety import data_rights
from kinship.safety.models import AuditEntry
from kinship.safety.tests.data_rights_support import MINE, plant, rows_containing
from kinship.search.queries import search

PASSWORD = factories.PASSWORD
# The member's words that "keep my posts" keeps, and where: nothing else of theirs may remain.
KEPT_WORDS = {"MinetitleQx", "MinetopicQx", "MinereplyQx", "MineanonQx", "MinenoteQx", "MinetipQx", "MinequestionQx"}
KEPT_TABLES = {"discussions_post", "discussions_topic", "library_tip", "qa_question"}


class EraseTestCase(KinshipTestCase):
    def setUp(self) -> None:
        self.planted = plant(self.cast.member, circle=self.cast.circle, facilitator=self.cast.facilitator)
        self.member = self.planted.member
        self.email = self.member.email
        self.name = self.member.display_name

    def erase(self, posts: str = data_rights.REMOVE, **kwargs) -> User:
        kwargs.setdefault("password", PASSWORD)
        return data_rights.erase(user=self.member, posts=posts, **kwargs)

    def assert_nothing_of_the_person(self) -> None:
        for needle in (self.email, self.name, "MinebioQx", "MinediagnosisQx"):
            self.assertEqual(rows_containing(needle), [], needle)


class EraseRemoveTests(EraseTestCase):
    def test_nothing_the_member_wrote_remains_anywhere(self):
        self.erase()
        left = {word: rows_containing(word) for word in MINE}
        self.assertEqual({word: rows for word, rows in left.items() if rows}, {})
        self.assert_nothing_of_the_person()

    def test_nothing_of_theirs_is_found_by_search(self):
        self.erase()
        for word in KEPT_WORDS:
            self.assertEqual(search(self.cast.staff, word).items, [], word)

    def test_posts_are_removed_and_topic_counts_stay_true(self):
        self.erase()
        mine = Post.objects.filter(author=self.member)
        self.assertFalse(mine.filter(deleted_at__isnull=True).exists())
        self.assertTrue(Topic.objects.get(pk=self.planted.topic_id).is_deleted)
        self.assertFalse(Tip.objects.filter(author=self.member, deleted_at__isnull=True).exists())
        self.assertFalse(Question.objects.filter(body="MinequestionQx").exists())
        # The other member's own topic is untouched.
        self.assertFalse(Topic.objects.get(pk=self.planted.other_topic_id).is_deleted)


class EraseAnonymiseTests(EraseTestCase):
    def test_kept_posts_read_former_member(self):
        self.erase(data_rights.ANONYMISE)
        self.client.force_login(self.planted.other)
        response = self.client.get(reverse("discussions:topic-detail", args=[self.planted.topic_id]))
        self.assertContains(response, "MinereplyQx")
        self.assertContains(response, data_rights.FORMER_MEMBER)
        self.assertNotContains(response, self.name)

    def test_only_the_kept_words_remain_and_nothing_names_the_person(self):
        self.erase(data_rights.ANONYMISE)
        for word in MINE:
            tables = {row.split(".")[0] for row in rows_containing(word)}
            allowed = KEPT_TABLES if word in KEPT_WORDS else set()
            self.assertLessEqual(tables, allowed, word)
        self.assert_nothing_of_the_person()
        self.assertIsNone(Question.objects.get(body="MinequestionQx").author_id)

    def test_search_finds_kept_posts_but_never_the_person(self):
        self.erase(data_rights.ANONYMISE)
        page = search(self.planted.other, "MinereplyQx")
        self.assertEqual(len(page.items), 1)
        self.assertNotIn(self.name, str(page.items[0]))


class EraseAccountTests(EraseTestCase):
    def test_the_account_is_closed_everywhere(self):
        erased = self.erase()
        self.assertFalse(erased.is_active)
        self.assertIsNotNone(erased.deleted_at)
        self.assertEqual(erased.display_name, data_rights.FORMER_MEMBER)
        self.assertEqual(erased.email, f"erased-{erased.pk}@invalid")
        self.assertFalse(erased.has_usable_password())
        self.assertFalse(SignInSession.objects.filter(user=erased).exists())
        self.assertFalse(ApiToken.objects.filter(user=erased).exists())
        self.assertFalse(erased.memberships.exists())

    def test_their_email_can_join_again(self):
        self.erase()
        again = accounts.sign_up(
            email=self.email,
            password="another long passphrase",
            display_name="New me",
            role="patient",
            accept_terms=True,
            base_url="http://testserver/",
            address="127.0.0.9",
        )
        self.assertIsNotNone(again)
        self.assertNotEqual(again.pk, self.member.pk)

    def test_consent_history_stays_by_account_number_and_is_closed(self):
        consents.record(user=self.member)
        self.erase()
        rows = ConsentRecord.objects.filter(account_number=self.member.pk)
        self.assertFalse(rows.filter(user__isnull=False).exists())
        self.assertEqual(set(rows.values_list("action", flat=True)), {"accepted", "withdrawn"})

    def test_deletion_is_audited(self):
        self.erase(data_rights.ANONYMISE)
        entry = AuditEntry.objects.get(action="account_deleted")
        self.assertEqual(entry.target_id, self.member.pk)
        self.assertEqual(entry.detail, "posts: anonymise")

    def test_their_seat_goes_to_the_waitlist_and_counters_drop(self):
        self.erase()
        self.assertFalse(Rsvp.objects.get(member=self.planted.other).waitlisted)
        self.assertEqual(Occurrence.objects.get(pk=self.planted.occurrence.pk).going_count, 1)
        other_reply = Post.objects.get(body="OtherreplyQx")
        self.assertEqual(other_reply.strength_count, 0)
        self.assertEqual(Question.objects.get(body="OtherquestionQx").vote_count, 0)
        self.assertEqual(Tip.objects.get(body="OthertipQx").helpful_count, 0)

    def test_the_other_side_keeps_their_own_messages(self):
        self.erase()
        left = Message.objects.filter(conversation=self.planted.conversation)
        self.assertEqual(list(left.values_list("body", flat=True)), ["OthermessageQx"])
        self.assertEqual(Participant.objects.get(user=self.planted.other).unread_count, 0)

    def test_their_profile_page_is_gone(self):
        self.erase()
        self.client.force_login(self.planted.other)
        response = self.client.get(reverse("accounts:profile", args=[self.member.pk]))
        self.assertEqual(response.status_code, 404)


class EraseRefusalTests(EraseTestCase):
    def assert_unchanged(self) -> None:
        member = User.objects.get(pk=self.member.pk)
        self.assertTrue(member.is_active)
        self.assertEqual(member.email, self.email)
        self.assertFalse(AuditEntry.objects.filter(action="account_deleted").exists())

    def test_wrong_password_changes_nothing(self):
        with self.assertRaises(Invalid) as caught:
            self.erase(password="not it")
        self.assertIn("password", caught.exception.errors)
        self.assert_unchanged()

    def test_odd_inputs_are_refused(self):
        for password, posts in [
            (None, "remove"),
            (["x"], "remove"),
            ("x" * 10_000, "remove"),
            ("nul\x00", "remove"),
            (PASSWORD, "keep"),
            (PASSWORD, None),
            (PASSWORD, ["remove"]),
        ]:
            with self.subTest(password=str(password)[:20], posts=posts), self.assertRaises(Invalid):
                data_rights.erase(user=self.member, password=password, posts=posts)
        self.assert_unchanged()

    def test_two_factor_accounts_need_a_code(self):
        device = factories.give_two_factor(self.member)
        for code in (None, "", "000000", ["1"]):
            with self.subTest(code=code), self.assertRaises(Invalid) as caught:
                self.erase(code=code)
            self.assertIn("otp", caught.exception.errors)
        self.assert_unchanged()
        self.erase(code=pyotp.TOTP(device.secret).now())
        self.assertFalse(User.objects.get(pk=self.member.pk).is_active)

    def test_an_erased_account_cannot_be_erased_again(self):
        erased = self.erase()
        with self.assertRaises(NotAllowed):
            data_rights.erase(user=erased, password=PASSWORD, posts="remove")


class DeletePageTests(EraseTestCase):
    url = reverse("data_rights:delete")

    def test_member_sees_the_consequences_and_the_choice(self):
        self.client.force_login(self.member)
        response = self.client.get(self.url)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Former member")
        self.assertContains(response, 'name="posts"', count=2)
        self.assertNotContains(response, 'name="otp"')

    def test_two_factor_member_is_asked_for_a_code(self):
        factories.give_two_factor(self.member)
        self.client.force_login(self.member)
        self.assertContains(self.client.get(self.url), 'name="otp"')

    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.post(self.url, {"password": PASSWORD, "posts": "remove"})
        self.assertEqual(response.status_code, 302)
        self.assertIn("/accounts/login/", response["Location"])

    def test_deleting_signs_out_and_goes_home(self):
        self.client.force_login(self.member)
        response = self.client.post(self.url, {"password": PASSWORD, "posts": "anonymise"}, follow=True)
        self.assertRedirects(response, reverse("core:home"))
        self.assertContains(response, "Your account is deleted")
        self.assertFalse(response.wsgi_request.user.is_authenticated)
        self.assertFalse(User.objects.get(pk=self.member.pk).is_active)

    def test_wrong_password_is_shown_and_nothing_changes(self):
        self.client.force_login(self.member)
        response = self.client.post(self.url, {"password": "wrong", "posts": "remove"})
        self.assertEqual(response.status_code, 422)
        self.assertContains(response, "That password is not right.", status_code=422)
        self.assertTrue(User.objects.get(pk=self.member.pk).is_active)

    def test_bad_input_is_shown_and_nothing_changes(self):
        self.client.force_login(self.member)
        for data in [
            {},
            {"password": PASSWORD},
            {"password": PASSWORD, "posts": "keep"},
            {"password": "x" * 5000, "posts": "remove"},
            {"password": "nul\x00", "posts": "remove"},
            {"password": PASSWORD, "posts": "remove\x00"},
        ]:
            with self.subTest(data=str(data)[:40]):
                response = self.client.post(self.url, data)
                self.assertEqual(response.status_code, 422)
        self.assertTrue(User.objects.get(pk=self.member.pk).is_active)

    def test_delete_page_queries_are_fixed(self):
        self.client.force_login(self.member)
        with self.assertNumQueries(DELETE_PAGE_QUERIES):
            self.client.get(self.url)
        plant(self.member, circle=self.cast.circle, facilitator=self.cast.facilitator)
        with self.assertNumQueries(DELETE_PAGE_QUERIES):
            self.client.get(self.url)


DELETE_PAGE_QUERIES = 2
