import icalendar
from django.core import signing

from kinship.core import factories
from kinship.core.testing import KinshipTestCase
from kinship.events import calendars, queries
from kinship.notifications import services
from kinship.notifications.models import EmailPreference
from kinship.notifications.tests.mail import SITE, SmtpTestMixin, parts


class SendTests(SmtpTestMixin, KinshipTestCase):
    def send(self, kind: str = EmailPreference.REMINDER_DAY, attachments=()) -> bool:  # type: ignore[no-untyped-def]
        return services.send(
            kind,
            self.cast.member,
            "Reminder:  a   title",
            "events/email/reminder.txt",
            "events/email/reminder.html",
            {"title": "Tea <b>& talk</b>", "lead": "tomorrow", "when": "Tue", "ends": "Tue", "url": SITE + "/x/"},
            attachments=attachments,
        )

    def test_message_has_text_html_and_one_click_unsubscribe_headers(self) -> None:
        self.assertTrue(self.send())
        (message,) = self.inbox.wait_for(1)
        self.assertEqual(message["To"], self.cast.member.email)
        self.assertIsNone(message["Cc"])
        self.assertEqual(self.inbox.envelopes[0][1], [self.cast.member.email])
        self.assertEqual(message["Subject"], "Reminder: a title")
        self.assertEqual(message["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click")
        # A long header is folded onto its own line; unfolded, it is the bracketed address.
        link = message["List-Unsubscribe"].strip()
        self.assertTrue(link.startswith(f"<{SITE}/email/unsubscribe/") and link.endswith("/>"), link)
        found = parts(message)
        self.assertIn("Tea <b>& talk</b>", found["text/plain"].get_content())
        # Member-controlled text is escaped in the HTML part.
        self.assertIn("Tea &lt;b&gt;&amp; talk&lt;/b&gt;", found["text/html"].get_content())
        self.assertIn(link[1:-1], found["text/plain"].get_content())

    def test_unsubscribe_token_names_the_member_and_kind_but_not_the_address(self) -> None:
        token = services.unsubscribe_token(self.cast.member, EmailPreference.SEAT_OPENED)
        self.assertNotIn(self.cast.member.email, token)
        self.assertNotIn(self.cast.member.email, signing.b64_decode(token.split(":")[0].encode()).decode())
        user, kind = services.read_unsubscribe_token(token)  # type: ignore[misc]
        self.assertEqual((user.pk, kind), (self.cast.member.pk, EmailPreference.SEAT_OPENED))

    def test_calendar_attachment_is_text_calendar_with_method_publish(self) -> None:
        event = factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator)
        slot = queries.slot_for(event, event.starts_at)
        assert slot is not None
        self.send(attachments=[services.calendar_attachment(calendars.occurrence_ics(slot, base_url=SITE))])
        (message,) = self.inbox.wait_for(1)
        attachment = parts(message)["text/calendar"]
        self.assertEqual(attachment.get_param("method"), "PUBLISH")
        self.assertEqual(attachment.get_filename(), "meeting.ics")
        cal = icalendar.Calendar.from_ical(attachment.get_content())
        (vevent,) = cal.walk("VEVENT")
        self.assertEqual(str(vevent["SUMMARY"]), event.title)

    def test_switched_off_kind_sends_nothing(self) -> None:
        services.update_preferences(user=self.cast.member, changes={EmailPreference.REMINDER_DAY: False})
        self.assertFalse(self.send(EmailPreference.REMINDER_DAY))
        self.assertTrue(self.send(EmailPreference.REMINDER_HOUR))
        self.assert_no_more_mail(1)

    def test_inactive_member_gets_nothing(self) -> None:
        self.cast.member.is_active = False
        self.cast.member.save(update_fields=["is_active"])
        self.assertFalse(self.send())
        self.assert_no_more_mail(0)

    def test_unknown_kind_is_a_programming_error(self) -> None:
        with self.assertRaises(ValueError):
            self.send("newsletter")
