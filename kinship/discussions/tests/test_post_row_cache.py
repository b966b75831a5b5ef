"""Cached post rows: what one audience's visit leaves in the cache never reaches another, and a change shows at once."""

from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.discussions import fragments, services
from kinship.discussions.models import Post


class PostRowCacheTests(KinshipTestCase):
    def setUp(self):
        fragments._cache().clear()
        self.secret = factories.make_member(self.cast.circle, display_name="Quentin Quietly")
        self.topic = factories.make_topic(circle=self.cast.circle, author=self.cast.member, body="Opening words")
        self.anonymous = services.post_reply(
            author=self.secret, topic=self.topic, body="Nobody must know it was me.", anonymous=True
        )
        self.url = self.topic.get_absolute_url()

    def page(self, user, url=None):
        self.client.force_login(user)
        response = self.client.get(url or self.url)
        self.assertEqual(response.status_code, 200)
        return response.content.decode()

    def drawing(self):
        """Counts the rows drawn (cache misses) while it is active."""
        return mock.patch.object(fragments, "_draw", wraps=fragments._draw)

    def test_a_facilitator_visit_never_fills_what_a_member_is_served(self):
        with self.drawing() as draw:
            self.assertIn("Posted anonymously by Quentin Quietly", self.page(self.cast.facilitator))
            self.assertEqual(draw.call_count, 2)
            member_page = self.page(self.cast.member)
            # The member's rows were drawn for the member: nothing the facilitator's visit left was used.
            self.assertEqual(draw.call_count, 4)
            self.page(self.cast.member)
            self.assertEqual(draw.call_count, 4)
        self.assertIn(">Anonymous member</strong>", member_page)
        self.assertNotIn("Quentin", member_page)
        self.assertNotIn(">QQ<", member_page)

    def test_a_member_visit_never_hides_the_author_from_facilitators_and_staff(self):
        self.page(self.cast.member)
        for viewer in (self.cast.facilitator, self.cast.staff):
            self.assertIn("Posted anonymously by Quentin Quietly", self.page(viewer))
        self.assertNotIn("Quentin", self.page(self.cast.member))

    def test_a_hidden_post_stays_folded_for_members_whoever_came_first(self):
        services.hide_post(moderator=self.cast.facilitator, post=self.anonymous, hidden=True)
        self.assertIn("Nobody must know it was me.", self.page(self.cast.facilitator))
        member_page = self.page(self.cast.member)
        self.assertIn("A facilitator hid this post.", member_page)
        self.assertNotIn("Nobody must know it was me.", member_page)
        self.assertIn("Nobody must know it was me.", self.page(self.cast.staff))

    def test_an_edit_shows_at_once(self):
        self.assertIn("Opening words", self.page(self.cast.member))
        opening = self.topic.posts.get(is_opening=True)
        services.edit_post(editor=self.cast.member, post=opening, changes={"body": "Better words"})
        page = self.page(self.cast.member)
        self.assertIn("Better words", page)
        self.assertNotIn("Opening words", page)
        self.assertIn(" · edited", page)

    def test_a_content_note_added_by_an_edit_folds_the_post_at_once(self):
        self.page(self.cast.outsider)
        services.edit_post(
            editor=self.cast.member, post=self.topic.posts.get(is_opening=True), changes={"content_note": "scans"}
        )
        self.assertIn("Content note: scans — open to read", self.page(self.cast.outsider))

    def test_reaction_counts_follow_every_change(self):
        button = 'value="strength:{}" aria-pressed="{}">Sending strength <span class="count">{}</span>'
        self.assertIn(button.format(1, "false", 0), self.page(self.cast.member))
        services.react(member=self.cast.facilitator, post=self.anonymous, kind="strength")
        self.assertIn(button.format(1, "false", 1), self.page(self.cast.member))
        services.react(member=self.cast.member, post=self.anonymous, kind="strength")
        self.assertIn(button.format(0, "true", 2), self.page(self.cast.member))
        # Same counts, same cached row: the other member's page shows the buttons they did not press.
        self.assertIn(button.format(1, "false", 2), self.page(self.secret))
        services.unreact(member=self.cast.member, post=self.anonymous, kind="strength")
        self.assertIn(button.format(1, "false", 1), self.page(self.cast.member))

    def test_a_deleted_post_shows_its_placeholder_at_once(self):
        self.page(self.cast.member)
        services.delete_post(actor=self.secret, post=self.anonymous)
        page = self.page(self.cast.member)
        self.assertIn("This post was deleted.", page)
        self.assertNotIn("Nobody must know it was me.", page)

    def test_a_new_display_name_and_avatar_show_at_once(self):
        self.assertIn("Mia Member", self.page(self.cast.outsider))
        member = self.cast.member
        member.display_name = "Mia Renamed"
        member.avatar = SimpleUploadedFile("mia.png", b"not really a picture", content_type="image/png")
        with mock.patch.object(member.avatar.storage, "save", return_value="avatars/mia.png"):
            member.save()
        page = self.page(self.cast.outsider)
        self.assertIn("Mia Renamed", page)
        self.assertNotIn("Mia Member", page)
        self.assertIn('<img class="avatar" src="/media/avatars/mia.png" alt="">', page)

    def test_edit_links_belong_to_each_viewer(self):
        with self.drawing() as draw:
            self.assertIn(reverse("discussions:post-edit", args=[self.anonymous.pk]), self.page(self.secret))
            drawn = draw.call_count
            page = self.page(self.cast.member)
            self.assertEqual(draw.call_count, drawn)  # the same rows, from the cache
        self.assertNotIn(reverse("discussions:post-edit", args=[self.anonymous.pk]), page)
        opening = self.topic.posts.get(is_opening=True)
        self.assertIn(reverse("discussions:post-edit", args=[opening.pk]), page)

    def test_no_entry_holds_a_viewer(self):
        services.react(member=self.cast.member, post=self.anonymous, kind="me_too")
        store = fragments._cache()
        with mock.patch.object(store, "set_many", wraps=store.set_many) as stored:
            self.page(self.cast.member)
            token = self.client.cookies["csrftoken"].value
        entries = repr([call.args[0] for call in stored.call_args_list])
        self.assertTrue(stored.called)
        self.assertNotIn(token, entries)
        self.assertNotIn("csrfmiddlewaretoken", entries)
        self.assertNotIn("Quentin", entries)
        # Both answers to "did this viewer press it" are kept; which one shows is decided per request.
        self.assertIn('value="me_too:0" aria-pressed="true"', entries)
        self.assertIn('value="me_too:1" aria-pressed="false"', entries)

    def test_each_visitor_gets_their_own_form_token(self):
        self.page(self.cast.member)
        member_token = self.client.cookies["csrftoken"].value
        self.client.logout()
        page = self.page(self.secret)
        self.assertNotIn(member_token, page)
        self.assertIn('name="csrfmiddlewaretoken"', page)

    def test_member_text_cannot_open_a_viewer_mark(self):
        Post.objects.filter(pk=self.anonymous.pk).update(body_html="<p>=csrf ?edit : . \x01x</p>")
        page = self.page(self.cast.member)
        self.assertIn("<p>=csrf ?edit : . \x01x</p>", page)


class MarkTests(KinshipTestCase):
    def test_marks_out_of_order_are_refused(self):
        marks = fragments._MARKS
        for html in (
            f"a{marks.when('x')}b",
            f"a{marks.end()}",
            f"{marks.when('x')}{marks.value('csrf')}{marks.end()}",
            f"{marks.when('x')}{marks.when('y')}{marks.end()}",
        ):
            with self.assertRaises(ValueError):
                fragments._compile(html)

    def test_a_program_fills_values_and_choices(self):
        marks = fragments._MARKS
        program = fragments._compile(
            f"<a>{marks.value('csrf')}<b {marks.when('on')}yes{marks.otherwise()}no{marks.end()}>"
        )
        filled = "".join(fragments._fill(program, {"csrf": "T", "on": False}))
        self.assertEqual(filled, "<a>T<b no>")
