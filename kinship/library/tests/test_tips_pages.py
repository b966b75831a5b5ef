"""Member tip pages: the list with its form and filters, a tip, and the helpful, feature, hide, edit and delete actions."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.library import tips
from kinship.library.models import PAIN, PHYSIO, PROSTHETICS, Tip, TipVote
from kinship.library.tests.test_tips_services import BODY, make_tip

HTMX = {"HTTP_HX_REQUEST": "true"}
NOTE = "Shared experience, not medical advice."
LIST = reverse("library:tip-list")


def url(name: str, tip: Tip) -> str:
    return reverse(f"library:{name}", args=[tip.pk])


class TipPageCase(KinshipTestCase):
    def login(self, user) -> None:
        self.client.force_login(user)

    def assertNote(self, response) -> None:
        self.assertContains(response, NOTE)


# The list -----------------------------------------------------------------------------------


class TipListTests(TipPageCase):
    def test_visitor_gets_a_sign_in_prompt_and_no_tip(self):
        make_tip(self.cast.member, body="Secret cushion trick")
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Sign in to read the tips")
        self.assertNote(response)
        self.assertNotContains(response, "Secret cushion trick")
        self.assertNotContains(response, self.cast.member.display_name)

    def test_visitor_posting_goes_to_sign_in_and_saves_nothing(self):
        response = self.client.post(LIST, {"theme": PAIN, "body": BODY})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        self.assertFalse(Tip.objects.exists())

    def test_member_sees_tips_with_author_name_theme_and_the_note_never_an_email(self):
        make_tip(self.cast.member, theme=PROSTHETICS, body="Talc and a fresh liner")
        self.login(self.cast.outsider)
        response = self.client.get(LIST)
        self.assertContains(response, "<h1>Member tips</h1>", html=True)
        self.assertNote(response)
        self.assertContains(response, "Talc and a fresh liner")
        self.assertContains(response, "Shared by Mia Member")
        self.assertContains(response, "Prosthetics and mobility aids")
        self.assertNotContains(response, "@example.org")
        self.assertContains(response, 'aria-pressed="false"')

    def test_the_form_has_labelled_fields(self):
        self.login(self.cast.member)
        response = self.client.get(LIST)
        self.assertContains(response, '<label for="id_theme">Theme:</label>', html=True)
        self.assertContains(response, '<label for="id_body">Your tip:</label>', html=True)
        self.assertContains(response, '<label for="filter-theme">Theme</label>', html=True)

    def test_unverified_person_reads_but_is_told_to_confirm_before_sharing(self):
        make_tip(self.cast.member, body="Readable")
        self.login(self.cast.unverified)
        response = self.client.get(LIST)
        self.assertContains(response, "Readable")
        self.assertContains(response, "confirm your email address")
        self.assertNotContains(response, 'name="body"')
        self.assertNotContains(response, "aria-pressed")
        response = self.client.post(LIST, {"theme": PAIN, "body": BODY})
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Tip.objects.filter(author=self.cast.unverified).exists())

    def test_member_shares_a_tip(self):
        self.login(self.cast.member)
        response = self.client.post(LIST, {"theme": PHYSIO, "body": "Set an **alarm** for exercises."})
        tip = Tip.objects.get()
        self.assertRedirects(response, tip.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual((tip.theme, tip.author), (PHYSIO, self.cast.member))
        page = self.client.get(tip.get_absolute_url())
        self.assertContains(page, "<strong>alarm</strong>", html=True)
        self.assertContains(page, "Your tip is shared")

    def test_bad_input_redisplays_the_form_with_messages_and_saves_nothing(self):
        self.login(self.cast.member)
        for data, message in (
            ({"theme": PAIN, "body": ""}, "This field is required."),
            ({"theme": PAIN, "body": "x" * 1001}, "At most 1,000 characters (this is 1,001)."),
            ({"theme": "", "body": BODY}, "Choose a theme."),
            ({"theme": "cooking", "body": BODY}, "Choose one of"),
            ({"theme": PAIN, "body": "nul \x00 byte"}, "control characters"),
            ({}, "Choose a theme."),
        ):
            with self.subTest(data=str(data)[:40]):
                response = self.client.post(LIST, data)
                self.assertEqual(response.status_code, 422)
                self.assertContains(response, message, status_code=422)
                self.assertContains(response, NOTE, status_code=422)
        self.assertFalse(Tip.objects.exists())

    def test_posting_is_rate_limited_with_retry_after(self):
        self.login(self.cast.member)
        for i in range(tips.TIPS_PER_HOUR):
            self.assertEqual(self.client.post(LIST, {"theme": PAIN, "body": f"Tip {i}"}).status_code, 302)
        response = self.client.post(LIST, {"theme": PAIN, "body": "One more"})
        self.assertEqual(response.status_code, 429)
        self.assertGreater(int(response["Retry-After"]), 0)
        self.assertContains(response, "10 tips in the last hour", status_code=429)
        self.assertEqual(Tip.objects.count(), tips.TIPS_PER_HOUR)

    def test_featured_section_comes_first_and_its_tips_are_not_repeated(self):
        featured = make_tip(self.cast.member, body="The featured one")
        make_tip(self.cast.member, body="An ordinary one")
        tips.feature_tip(curator=self.cast.facilitator, tip=featured)
        self.login(self.cast.outsider)
        content = self.client.get(LIST).content.decode()
        self.assertIn("Featured by facilitators", content)
        self.assertEqual(content.count("The featured one"), 1)
        self.assertLess(content.index("The featured one"), content.index("An ordinary one"))

    def test_filter_by_theme_and_sort_by_helpful(self):
        pain = make_tip(self.cast.member, theme=PAIN, body="Pain tip")
        make_tip(self.cast.member, theme=PHYSIO, body="Physio tip")
        newer = make_tip(self.cast.member, theme=PAIN, body="Newer pain tip")
        tips.mark_helpful(member=self.cast.outsider, tip=pain)
        self.login(self.cast.facilitator)
        response = self.client.get(LIST, {"theme": PAIN})
        self.assertContains(response, "Pain tip")
        self.assertNotContains(response, "Physio tip")
        content = response.content.decode()
        self.assertLess(content.index("Newer pain tip"), content.index("Pain tip<"))
        content = self.client.get(LIST, {"theme": PAIN, "sort": "helpful"}).content.decode()
        self.assertLess(content.index("Pain tip<"), content.index("Newer pain tip"))
        self.assertIn("Most helpful: Pain management", content)
        self.assertTrue(newer)

    def test_bad_filters_and_page_links_show_a_message_never_a_500(self):
        make_tip(self.cast.member, body="Still listed")
        self.login(self.cast.member)
        for query in (
            {"theme": "cooking"},
            {"sort": "oldest"},
            {"cursor": "not-a-cursor"},
            {"cursor": "WyJcdTAwMDAiXQ"},
            {"theme": "\x00"},
            {"sort": "helpful", "cursor": tips.tip_page(self.cast.member, limit=1)[1] or "x"},
        ):
            with self.subTest(query=query):
                response = self.client.get(LIST, query)
                self.assertIn(response.status_code, (200, 422))
                self.assertContains(response, NOTE, status_code=response.status_code)
        response = self.client.get(LIST, {"theme": "cooking"})
        self.assertContains(response, "That theme does not exist", status_code=422)
        self.assertContains(response, "Still listed", status_code=422)

    def test_pages_follow_the_cursor(self):
        for i in range(25):
            make_tip(self.cast.member, body=f"Numbered tip {i:02d}")
        self.login(self.cast.outsider)
        response = self.client.get(LIST)
        first = response.context["listing"]
        self.assertEqual(len(first.rows), 20)
        self.assertIsNotNone(first.next)
        self.assertContains(response, "More tips")
        second = self.client.get(LIST, {"cursor": first.next}).context["listing"]
        self.assertEqual(len(second.rows), 5)
        self.assertIsNone(second.next)
        seen = {r.tip.pk for r in first.rows} | {r.tip.pk for r in second.rows}
        self.assertEqual(len(seen), 25)

    def test_hidden_tips_listed_for_curators_only_and_deleted_for_nobody(self):
        make_tip(self.cast.member, body="Hidden words", hidden=True)
        make_tip(self.cast.member, body="Deleted words", deleted_at=timezone.now())
        for user, sees_hidden in (
            (self.cast.member, False),
            (self.cast.outsider, False),
            (self.cast.facilitator, True),
            (self.cast.staff, True),
        ):
            with self.subTest(user=user.display_name):
                self.login(user)
                response = self.client.get(LIST)
                self.assertNotContains(response, "Deleted words")
                if sees_hidden:
                    self.assertContains(response, "Hidden words")
                    self.assertContains(response, "Hidden from members")
                else:
                    self.assertNotContains(response, "Hidden words")

    def test_curators_get_feature_and_hide_buttons_members_do_not(self):
        make_tip(self.cast.member)
        self.login(self.cast.outsider)
        self.assertNotContains(self.client.get(LIST), "Facilitators and staff:")
        self.login(self.cast.facilitator)
        response = self.client.get(LIST)
        self.assertContains(response, ">Feature<")
        self.assertContains(response, ">Hide<")


class ListQueryCountTests(TipPageCase):
    def count(self, user, **query) -> int:
        self.login(user)
        self.client.get(LIST, query)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = self.client.get(LIST, query)
        self.assertEqual(response.status_code, 200)
        return len(queries)

    def fill(self, n: int) -> None:
        authors = [factories.make_user() for _ in range(3)]
        voters = [self.cast.member, self.cast.facilitator, self.cast.staff]
        for i in range(n):
            tip = make_tip(authors[i % 3], theme=PAIN if i % 2 else PHYSIO, body=f"Tip {i}")
            for voter in voters[: i % 4]:
                tips.mark_helpful(member=voter, tip=tip)
            if i % 7 == 0:
                tips.feature_tip(curator=self.cast.staff, tip=tip)
            if i % 9 == 5:
                tips.hide_tip(curator=self.cast.staff, tip=tip)

    def test_the_list_costs_the_same_with_3_and_30_tips(self):
        viewers = (self.cast.member, self.cast.facilitator, self.cast.staff, self.cast.outsider)
        queries = [{}, {"sort": "helpful"}, {"theme": PAIN}]
        self.fill(3)
        few = {(v.pk, str(q)): self.count(v, **q) for v in viewers for q in queries}
        # Session, user, memberships (curator check), featured, a page, the viewer's votes.
        self.assertLessEqual(max(few.values()), 6, few)
        self.fill(27)
        for viewer in viewers:
            for query in queries:
                with self.subTest(viewer=viewer.display_name, query=query):
                    self.assertEqual(self.count(viewer, **query), few[(viewer.pk, str(query))])


# A tip --------------------------------------------------------------------------------------


class TipDetailTests(TipPageCase):
    def setUp(self) -> None:
        self.tip = make_tip(self.cast.member, theme=PAIN, body="A cushion under the knee")

    def test_visitor_is_sent_to_sign_in(self):
        response = self.client.get(url("tip-detail", self.tip))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])

    def test_member_reads_the_tip_with_the_note_author_and_theme(self):
        self.login(self.cast.outsider)
        response = self.client.get(url("tip-detail", self.tip))
        self.assertContains(response, "A cushion under the knee")
        self.assertNote(response)
        self.assertContains(response, "Shared by Mia Member")
        self.assertContains(response, "Pain management")
        self.assertNotContains(response, self.cast.member.email)
        self.assertContains(response, 'aria-pressed="false"')

    def test_author_sees_edit_and_delete_and_no_helpful_button(self):
        self.login(self.cast.member)
        response = self.client.get(url("tip-detail", self.tip))
        self.assertContains(response, "Edit your tip")
        self.assertContains(response, "Delete your tip")
        self.assertNotContains(response, "aria-pressed")

    def test_hidden_tip_is_404_to_members_and_its_author_but_shown_to_curators(self):
        tips.hide_tip(curator=self.cast.staff, tip=self.tip)
        for user in (self.cast.member, self.cast.outsider, self.cast.unverified):
            self.login(user)
            self.assertEqual(self.client.get(url("tip-detail", self.tip)).status_code, 404)
        for user in (self.cast.facilitator, self.cast.staff):
            self.login(user)
            response = self.client.get(url("tip-detail", self.tip))
            self.assertContains(response, "Hidden from members")
            self.assertNote(response)

    def test_deleted_tip_is_404_to_everyone(self):
        tips.delete_tip(actor=self.cast.member, tip=self.tip)
        for user in (self.cast.member, self.cast.facilitator, self.cast.staff):
            self.login(user)
            self.assertEqual(self.client.get(url("tip-detail", self.tip)).status_code, 404)

    def test_missing_and_absurd_ids_are_404(self):
        self.login(self.cast.member)
        for path in ("/tips/999999/", f"/tips/{10**19}/", "/tips/0/", "/tips/abc/"):
            self.assertEqual(self.client.get(path).status_code, 404, path)

    def test_detail_costs_the_same_with_3_and_30_votes(self):
        def count() -> int:
            self.login(self.cast.facilitator)
            self.client.get(url("tip-detail", self.tip))
            with CaptureQueriesContext(connection) as queries:
                self.assertEqual(self.client.get(url("tip-detail", self.tip)).status_code, 200)
            return len(queries)

        for _ in range(3):
            tips.mark_helpful(member=factories.make_user(), tip=self.tip)
        few = count()
        for _ in range(27):
            tips.mark_helpful(member=factories.make_user(), tip=self.tip)
        self.assertEqual(count(), few)


# Helpful ------------------------------------------------------------------------------------


class HelpfulTests(TipPageCase):
    def setUp(self) -> None:
        self.tip = make_tip(self.cast.member)
        self.path = url("tip-helpful", self.tip)

    def count(self) -> int:
        self.tip.refresh_from_db()
        return self.tip.helpful_count

    def test_plain_form_marks_once_and_returns_to_the_page(self):
        self.login(self.cast.outsider)
        response = self.client.post(self.path, {"helpful": "1", "next": LIST})
        self.assertRedirects(response, f"{LIST}#tip-{self.tip.pk}", fetch_redirect_response=False)
        self.client.post(self.path, {"helpful": "1"})
        self.assertEqual(self.count(), 1)
        self.assertEqual(TipVote.objects.filter(tip=self.tip).count(), 1)
        page = self.client.get(url("tip-detail", self.tip))
        self.assertContains(page, 'aria-pressed="true"')
        self.assertContains(page, "1 member found this helpful, you too")
        self.client.post(self.path, {"helpful": "0"})
        self.assertEqual(self.count(), 0)

    def test_without_a_value_it_toggles(self):
        self.login(self.cast.outsider)
        self.client.post(self.path)
        self.assertEqual(self.count(), 1)
        self.client.post(self.path)
        self.assertEqual(self.count(), 0)

    def test_htmx_gets_the_button_and_count_redrawn(self):
        self.login(self.cast.outsider)
        response = self.client.post(self.path, {"helpful": "1", "next": LIST}, **HTMX)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'aria-pressed="true"')
        self.assertContains(response, "1 member found this helpful")
        self.assertContains(response, f'id="helpful-{self.tip.pk}"')
        self.assertContains(response, f'value="{LIST}"')
        self.assertNotContains(response, "<html")
        self.assertEqual(response["Cache-Control"], "no-store, private")

    def test_own_tip_is_refused(self):
        self.login(self.cast.member)
        self.assertEqual(self.client.post(self.path, {"helpful": "1"}).status_code, 403)
        response = self.client.post(self.path, {"helpful": "1"}, **HTMX)
        self.assertContains(response, "You cannot mark your own tip as helpful.", status_code=403)
        self.assertEqual(self.count(), 0)

    def test_unverified_and_visitors_are_refused(self):
        response = self.client.post(self.path, {"helpful": "1"})
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("accounts:login"), response["Location"])
        self.login(self.cast.unverified)
        self.assertEqual(self.client.post(self.path, {"helpful": "1"}).status_code, 403)
        self.assertEqual(self.count(), 0)

    def test_hidden_or_deleted_tip_is_404_to_members(self):
        tips.hide_tip(curator=self.cast.staff, tip=self.tip)
        self.login(self.cast.outsider)
        self.assertEqual(self.client.post(self.path, {"helpful": "1"}).status_code, 404)
        self.login(self.cast.facilitator)
        self.assertEqual(self.client.post(self.path, {"helpful": "1"}).status_code, 409)
        self.assertEqual(self.count(), 0)

    def test_bad_value_and_get_are_refused(self):
        self.login(self.cast.outsider)
        self.assertEqual(self.client.post(self.path, {"helpful": "yes"}).status_code, 422)
        self.assertEqual(self.client.get(self.path).status_code, 405)
        self.assertEqual(self.count(), 0)

    def test_next_never_leaves_the_tips_pages(self):
        self.login(self.cast.outsider)
        for bad in ("https://evil.example/", "//evil.example/tips/", "/accounts/logout/", "javascript:alert(1)"):
            response = self.client.post(self.path, {"helpful": "1", "next": bad})
            self.assertTrue(response["Location"].startswith(self.tip.get_absolute_url()), (bad, response["Location"]))


# Feature and hide ---------------------------------------------------------------------------


class CurateTests(TipPageCase):
    def setUp(self) -> None:
        self.tip = make_tip(self.cast.member)

    def test_facilitator_features_and_unfeatures(self):
        self.login(self.cast.facilitator)
        response = self.client.post(url("tip-feature", self.tip), {"value": "1", "next": LIST})
        self.assertRedirects(response, LIST, fetch_redirect_response=False)
        self.tip.refresh_from_db()
        self.assertIsNotNone(self.tip.featured_at)
        self.client.post(url("tip-feature", self.tip), {"value": "0"})
        self.tip.refresh_from_db()
        self.assertIsNone(self.tip.featured_at)

    def test_staff_hides_and_unhides(self):
        self.login(self.cast.staff)
        response = self.client.post(url("tip-hide", self.tip), {"value": "1"})
        self.assertRedirects(response, self.tip.get_absolute_url(), fetch_redirect_response=False)
        self.tip.refresh_from_db()
        self.assertTrue(self.tip.hidden)
        self.client.post(url("tip-hide", self.tip), {"value": "0"})
        self.tip.refresh_from_db()
        self.assertFalse(self.tip.hidden)

    def test_members_and_the_author_may_not_curate(self):
        for user in (self.cast.member, self.cast.outsider, self.cast.unverified):
            self.login(user)
            self.assertEqual(self.client.post(url("tip-feature", self.tip), {"value": "1"}).status_code, 403)
            self.assertEqual(self.client.post(url("tip-hide", self.tip), {"value": "1"}).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.post(url("tip-hide", self.tip), {"value": "1"}).status_code, 302)
        self.tip.refresh_from_db()
        self.assertFalse(self.tip.hidden)
        self.assertIsNone(self.tip.featured_at)

    def test_bad_value_get_and_hidden_feature_are_refused(self):
        self.login(self.cast.facilitator)
        for value in ("", "yes", "2"):
            self.assertEqual(self.client.post(url("tip-feature", self.tip), {"value": value}).status_code, 422)
        self.assertEqual(self.client.get(url("tip-feature", self.tip)).status_code, 405)
        self.assertEqual(self.client.get(url("tip-hide", self.tip)).status_code, 405)
        tips.hide_tip(curator=self.cast.staff, tip=self.tip)
        response = self.client.post(url("tip-feature", self.tip), {"value": "1"})
        self.assertContains(response, "Unhide it before featuring it", status_code=409)


# Edit and delete ----------------------------------------------------------------------------


class EditDeleteTests(TipPageCase):
    def setUp(self) -> None:
        self.tip = tips.post_tip(author=self.cast.member, theme=PAIN, body=BODY)

    def test_author_edits_their_tip(self):
        self.login(self.cast.member)
        page = self.client.get(url("tip-edit", self.tip))
        self.assertContains(page, BODY)
        self.assertNote(page)
        response = self.client.post(url("tip-edit", self.tip), {"theme": PHYSIO, "body": "Changed *words*"})
        self.assertRedirects(response, self.tip.get_absolute_url(), fetch_redirect_response=False)
        self.tip.refresh_from_db()
        self.assertEqual((self.tip.theme, self.tip.body), (PHYSIO, "Changed *words*"))
        self.assertIn("<em>words</em>", self.tip.body_html)

    def test_bad_edit_is_422_and_changes_nothing(self):
        self.login(self.cast.member)
        for data in ({"theme": PAIN, "body": ""}, {"theme": "x", "body": BODY}, {"theme": PAIN, "body": "y" * 1001}):
            response = self.client.post(url("tip-edit", self.tip), data)
            self.assertEqual(response.status_code, 422)
            self.assertContains(response, NOTE, status_code=422)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.body, BODY)

    def test_others_may_not_edit_or_delete(self):
        for user in (self.cast.outsider, self.cast.facilitator, self.cast.staff):
            self.login(user)
            for name in ("tip-edit", "tip-delete"):
                self.assertEqual(self.client.get(url(name, self.tip)).status_code, 403)
                self.assertEqual(self.client.post(url(name, self.tip), {"body": "Mine"}).status_code, 403)
        self.client.logout()
        self.assertEqual(self.client.get(url("tip-edit", self.tip)).status_code, 302)
        self.tip.refresh_from_db()
        self.assertEqual(self.tip.body, BODY)
        self.assertIsNone(self.tip.deleted_at)

    def test_author_deletes_after_confirming(self):
        self.login(self.cast.member)
        page = self.client.get(url("tip-delete", self.tip))
        self.assertContains(page, "Delete this tip?")
        self.assertNote(page)
        response = self.client.post(url("tip-delete", self.tip))
        self.assertRedirects(response, LIST, fetch_redirect_response=False)
        self.tip.refresh_from_db()
        self.assertIsNotNone(self.tip.deleted_at)
        self.assertEqual(self.tip.body, "")
        self.assertEqual(self.client.get(url("tip-detail", self.tip)).status_code, 404)
        self.assertEqual(self.client.get(url("tip-edit", self.tip)).status_code, 404)
        self.assertNotContains(self.client.get(LIST), BODY)

    def test_hidden_tip_cannot_be_edited_by_its_author(self):
        tips.hide_tip(curator=self.cast.staff, tip=self.tip)
        self.login(self.cast.member)
        self.assertEqual(self.client.get(url("tip-edit", self.tip)).status_code, 404)
        self.assertEqual(self.client.post(url("tip-delete", self.tip)).status_code, 404)


class NoteOnEveryPageTests(TipPageCase):
    def test_every_tip_page_carries_the_note(self):
        tip = tips.post_tip(author=self.cast.member, theme=PAIN, body=BODY)
        self.assertNote(self.client.get(LIST))
        self.login(self.cast.member)
        for path in (
            LIST,
            f"{LIST}?theme={PAIN}",
            url("tip-detail", tip),
            url("tip-edit", tip),
            url("tip-delete", tip),
        ):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 200)
                self.assertNote(response)
                self.assertContains(response, '<p class="notice tip-note" role="note">')
