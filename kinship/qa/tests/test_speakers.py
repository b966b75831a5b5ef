"""Guest speakers: invitations by email, accepting them, speaker profiles and staff verification."""

import hashlib
import itertools
import re
import smtplib
import threading
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib.admin.sites import site as admin_site
from django.db import connection, connections
from django.test import TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import timezone

from kinship.accounts.models import User
from kinship.accounts.tests.support import email_forms
from kinship.circles.models import Circle
from kinship.core import factories
from kinship.core.errors import Conflict, Invalid, NotAllowed, RateLimited
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import services as event_services
from kinship.events.models import Event
from kinship.events.tasks import format_when
from kinship.notifications.tests.mail import SITE, SmtpTestMixin, parts
from kinship.qa import access, queries, speakers
from kinship.qa import services as qa_services
from kinship.qa.models import Question, SpeakerInvitation, SpeakerProfile

# Characters that change when escaped or URL-encoded, so every form of the address is looked for.
INVITEE = "dr.o'shea+talks@Clinic.example.org"
INVITEE_STORED = INVITEE.lower()
MEETING_LINK = "https://meet.example.org/room-secret-4711"
PASSWORD = "a long walk on new crutches"
ODD_TOKENS = [
    "a" * 5000,
    "x" * 101,
    "short",
    "ünïcödé-tökén-ünïcödé-tökén-ünïcödé-tökén",
    "%00" + "a" * 42,
    "a" * 21 + "%00" + "a" * 21,
    "%F0%9F%A6%B4" * 10,
    "%20" * 30,
    "A" * 43,
]
_tokens = itertools.count(1)
ADDRESS = re.compile(r"[\w.'+-]+@[\w-]+(?:\.[\w-]+)+")


def private_cast() -> Any:
    return make_cast(visibility=Circle.PRIVATE)


def online_event(cast: Any, **fields: Any) -> Event:
    fields.setdefault("title", "Ask a physiotherapist")
    return factories.make_event(
        circle=cast.circle, facilitator=cast.facilitator, online=True, meeting_link=MEETING_LINK, **fields
    )


def invite(event: Event, inviter: User, *, name: str = "Dr Aoife O'Shea", email: str = INVITEE) -> SpeakerInvitation:
    return speakers.invite(inviter=inviter, event=event, name=name, email=email)


def token_from(text: str) -> str:
    found = re.search(re.escape(SITE) + r"/speak/([A-Za-z0-9_-]+)/", text)
    assert found, text
    return found.group(1)


def make_invitation(event: Event, inviter: User, **fields: Any) -> tuple[SpeakerInvitation, str]:
    """An invitation with a known token, made without mail (for tests about the link, not the email)."""
    token = f"tok-{next(_tokens):05d}-" + "k" * 30
    fields.setdefault("name", "Dr Pia Physio")
    fields.setdefault("email", "pia@example.org")
    fields.setdefault("expires_at", timezone.now() + timedelta(days=14))
    invitation = SpeakerInvitation.objects.create(
        event=event, token_hash=hashlib.sha256(token.encode()).hexdigest(), invited_by=inviter, **fields
    )
    return invitation, token


def accept_url(token: str) -> str:
    return reverse("qa:accept", args=[token])


class SpeakerFlowTests(SmtpTestMixin, TestCase):
    """The whole way: invite, the email arrives, a person signs up or signs in, accepts, answers, is verified."""

    def setUp(self) -> None:
        super().setUp()
        self.cast = private_cast()
        self.event = online_event(self.cast)

    def send_invitation(self) -> str:
        self.client.force_login(self.cast.facilitator)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("qa:speakers", args=[self.event.pk]), {"name": "Dr Aoife O'Shea", "email": INVITEE}
            )
        self.assertRedirects(response, reverse("qa:speakers", args=[self.event.pk]))
        self.client.logout()
        (message,) = self.inbox.wait_for(1)
        return self.check_email(message)

    def check_email(self, message: Any) -> str:
        self.assertEqual(self.inbox.envelopes[0][1], [INVITEE_STORED])
        self.assertEqual(message["To"], INVITEE_STORED)
        self.assertIn("Fiona Facilitator invites you to speak at Ask a physiotherapist", message["Subject"])
        found = parts(message)
        self.assertIn("text/plain", found)
        self.assertIn("text/html", found)
        text = found["text/plain"].get_content()
        page = found["text/html"].get_content()
        raw = message.as_string()
        for body in (text, page):
            self.assertIn("Ask a physiotherapist", body)
            self.assertIn(self.cast.circle.name, body)
            self.assertIn("Fiona Facilitator", body)
            self.assertIn(format_when(self.event.starts_at, self.event), body)
        # The meeting link opens on the page to people with a seat; it never travels in mail.
        self.assertNotIn("meet.example.org", raw)
        self.assertNotIn("room-secret", raw)
        # Nobody's address but the invitee's (and the sender's) is in the message.
        for person in (self.cast.facilitator, self.cast.member, self.cast.staff):
            self.assertNotIn(person.email, raw)
        addresses = {a.lower() for a in ADDRESS.findall(text + page)}
        self.assertLessEqual(addresses, {INVITEE_STORED})
        token = token_from(text)
        self.assertEqual(token, token_from(page))
        self.assertEqual(len(token), 43)
        invitation = SpeakerInvitation.objects.get()
        # Only the hash is stored: no column holds the working link.
        self.assertEqual(invitation.token_hash, hashlib.sha256(token.encode()).hexdigest())
        self.assertNotIn(token, str(SpeakerInvitation.objects.values().get()))
        self.assertEqual(invitation.email, INVITEE_STORED)
        return token

    def ask_and_answer(self, speaker: User) -> Question:
        question = qa_services.ask(author=self.cast.member, event=self.event, body="When can I drive again?")
        qa_services.answer(answerer=speaker, question=question, body="Usually after **six weeks**.")
        return question

    def badge(self) -> str:
        questions = list(Question.objects.select_related("answered_by__speaker_profile").filter(event=self.event))
        return queries.rows_for(self.cast.member, self.event, questions)[0].answerer_badge

    def test_a_new_person_signs_up_accepts_answers_and_is_verified(self) -> None:
        token = self.send_invitation()
        page = self.client.get(accept_url(token))
        self.assertContains(page, "Ask a physiotherapist")
        self.assertContains(page, self.cast.circle.name)
        self.assertContains(page, "What being a speaker means")
        login = reverse("accounts:login") + "?next=" + accept_url(token).replace("/", "%2F")
        self.assertContains(page, login)
        signup_url = reverse("accounts:signup") + "?next=" + accept_url(token).replace("/", "%2F")
        self.assertContains(page, signup_url)
        self.assertContains(page, "brings you back here")

        with self.captureOnCommitCallbacks(execute=True):
            signup = self.client.post(
                signup_url,
                {
                    "email": INVITEE,
                    "password": PASSWORD,
                    "display_name": "Aoife",
                    "role": User.CAREGIVER,
                    "accept_terms": "on",
                },
            )
        self.assertRedirects(signup, reverse("accounts:verify-sent"))
        verification = self.inbox.wait_for(2)[1]
        # Sign-up links use the host of the request that signed up; the invitation rides along as next.
        link = re.search(r"https?://[^/\s]+(/accounts/verify/[^/\s]+/\?next=\S+)", self.inbox.text_of(verification))
        assert link
        confirmed = self.client.get(link.group(1))
        self.assertRedirects(confirmed, login, fetch_redirect_response=False)
        signed_in = self.client.post(confirmed["Location"], {"email": INVITEE_STORED, "password": PASSWORD})
        self.assertRedirects(signed_in, accept_url(token))
        speaker = User.objects.get(email__iexact=INVITEE)
        self.assertTrue(speaker.is_verified)

        form = self.client.get(accept_url(token))
        self.assertContains(form, 'name="profession"')
        self.assertContains(form, "Accept and become a speaker")
        hidden = self.client.get(self.event.get_absolute_url())
        self.assertEqual(hidden.status_code, 404)

        accepted = self.client.post(
            accept_url(token), {"profession": "Physiotherapist", "organisation": "Royal Orthopaedic Hospital"}
        )
        self.assertRedirects(accepted, self.event.get_absolute_url())
        self.assertIn(speaker, self.event.speakers.all())
        invitation = SpeakerInvitation.objects.get()
        self.assertEqual((invitation.accepted_by, invitation.revoked_at), (speaker, None))
        self.assertIsNotNone(invitation.accepted_at)
        self.assertEqual(self.client.get(self.event.get_absolute_url()).status_code, 200)

        question = self.ask_and_answer(speaker)
        self.assertEqual(Question.objects.get(pk=question.pk).answered_by, speaker)
        self.assertEqual(self.badge(), "")

        self.client.force_login(self.cast.staff)
        profile = SpeakerProfile.objects.get(user=speaker)
        response = self.client.post(
            reverse("qa:verify", args=[profile.pk]),
            {"action": "verify", "note": "Registration number checked with the national register"},
        )
        self.assertRedirects(response, reverse("qa:verification"))
        self.assertEqual(self.badge(), "Verified professional · Physiotherapist")
        profile.refresh_from_db()
        self.assertEqual(profile.verified_by, self.cast.staff)
        self.assertEqual(profile.verification_note, "Registration number checked with the national register")

    def test_an_existing_account_signs_in_from_the_link_and_accepts(self) -> None:
        existing = factories.make_user(display_name="Dr Ken Okafor", email="ken@example.org")
        SpeakerProfile.objects.create(user=existing, profession="Orthopaedic surgeon")
        token = self.send_invitation()
        response = self.client.post(
            reverse("accounts:login"),
            {"email": "ken@example.org", "password": factories.PASSWORD, "next": accept_url(token)},
        )
        self.assertRedirects(response, accept_url(token))
        form = self.client.get(accept_url(token))
        self.assertNotContains(form, 'name="profession"')
        self.assertContains(form, "Orthopaedic surgeon")
        self.assertRedirects(self.client.post(accept_url(token)), self.event.get_absolute_url())
        self.assertTrue(self.event.speakers.filter(pk=existing.pk).exists())
        self.ask_and_answer(existing)
        speakers.verify(
            staff_user=self.cast.staff, profile=existing.speaker_profile, note="Checked with the hospital's HR office"
        )
        self.assertEqual(self.badge(), "Verified professional · Orthopaedic surgeon")
        # The link has done its work: a second visit says so rather than offering it again.
        self.assertContains(self.client.get(accept_url(token)), "You have already accepted this invitation")

    def test_the_mail_server_failing_withdraws_the_invitation(self) -> None:
        with (
            mock.patch(
                "django.core.mail.EmailMultiAlternatives.send", side_effect=smtplib.SMTPServerDisconnected("down")
            ),
            self.assertRaises(speakers.MailNotSent),
            self.captureOnCommitCallbacks(execute=True),
        ):
            invite(self.event, self.cast.facilitator)
        self.assertFalse(SpeakerInvitation.objects.exists())
        self.assert_no_more_mail(0)


class MailFailurePageTests(TransactionTestCase):
    """Real commits: the email goes out after the invitation is committed, and a failure undoes it."""

    def test_a_mail_server_failure_shows_a_clear_page_and_leaves_no_invitation(self) -> None:
        cast = make_cast()
        event = online_event(cast)
        self.client.force_login(cast.facilitator)
        with mock.patch("django.core.mail.EmailMultiAlternatives.send", side_effect=OSError("unreachable")):
            response = self.client.post(
                reverse("qa:speakers", args=[event.pk]), {"name": "Pia", "email": "pia@example.org"}
            )
        self.assertContains(response, "could not send the invitation email", status_code=503)
        self.assertFalse(SpeakerInvitation.objects.exists())

    def test_a_sent_invitation_is_committed(self) -> None:
        cast = make_cast()
        event = online_event(cast)
        self.client.force_login(cast.facilitator)
        with mock.patch("django.core.mail.EmailMultiAlternatives.send", return_value=1) as send:
            response = self.client.post(
                reverse("qa:speakers", args=[event.pk]), {"name": "Pia", "email": "pia@example.org"}
            )
        self.assertRedirects(response, reverse("qa:speakers", args=[event.pk]))
        send.assert_called_once()
        self.assertEqual(SpeakerInvitation.objects.get().name, "Pia")


class InviteTests(KinshipTestCase):
    def setUp(self) -> None:
        self.event = online_event(self.cast)
        self.url = reverse("qa:speakers", args=[self.event.pk])

    def test_facilitator_and_staff_invite(self) -> None:
        for who in (self.cast.facilitator, self.cast.staff):
            invitation = invite(self.event, who, email=f"{who.pk}@example.org")
            self.assertEqual(invitation.invited_by, who)
            self.assertAlmostEqual(
                invitation.expires_at, timezone.now() + timedelta(days=14), delta=timedelta(minutes=1)
            )

    def test_members_and_others_may_not_invite(self) -> None:
        for who in (self.cast.member, self.cast.outsider, self.cast.pending, self.cast.unverified):
            with self.assertRaises(NotAllowed):
                invite(self.event, who)
        self.assertFalse(SpeakerInvitation.objects.exists())

    def test_the_page_is_for_facilitators(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('accounts:login')}?next={self.url}")
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(self.client.post(self.url, {"name": "X", "email": "x@example.org"}).status_code, 403)
        self.client.force_login(self.cast.facilitator)
        self.assertContains(self.client.get(self.url), "Invite a speaker")
        self.assertEqual(self.client.get(reverse("qa:speakers", args=[10**9])).status_code, 404)
        self.assertFalse(SpeakerInvitation.objects.exists())

    def test_outsiders_of_a_private_circle_get_404(self) -> None:
        cast = private_cast()
        event = online_event(cast)
        url = reverse("qa:speakers", args=[event.pk])
        for who in (cast.outsider, self.cast.facilitator, cast.pending):
            self.client.force_login(who)
            self.assertEqual(self.client.get(url).status_code, 404)
            self.assertEqual(self.client.post(url, {"name": "X", "email": "x@example.org"}).status_code, 404)

    def test_bad_input_is_refused_and_nothing_is_saved(self) -> None:
        self.client.force_login(self.cast.facilitator)
        cases = [
            ({"name": "", "email": "pia@example.org"}, "name"),
            ({"name": "   ", "email": "pia@example.org"}, "name"),
            ({"name": "\u200b\u200b", "email": "pia@example.org"}, "name"),
            ({"name": "Pia\u202eevil", "email": "pia@example.org"}, "name"),
            ({"name": "x" * 121, "email": "pia@example.org"}, "name"),
            ({"name": "Pia\x00", "email": "pia@example.org"}, "name"),
            ({"name": "Pia", "email": ""}, "email"),
            ({"name": "Pia", "email": "not an address"}, "email"),
            ({"name": "Pia", "email": "pia@"}, "email"),
            ({"name": "Pia", "email": "a" * 250 + "@example.org"}, "email"),
            ({"name": "Pia", "email": "pia@example.org\nBcc: all@example.org"}, "email"),
            ({"name": "Pia", "email": "pia\x00@example.org"}, "email"),
        ]
        for data, field in cases:
            response = self.client.post(self.url, data)
            self.assertEqual(response.status_code, 422, data)
            self.assertIn(field, response.context["form"].errors, data)
        for bad in (None, 5, ["pia@example.org"], {"a": 1}):
            with self.assertRaises(Invalid):
                invite(self.event, self.cast.facilitator, email=bad)  # type: ignore[arg-type]
            with self.assertRaises(Invalid):
                invite(self.event, self.cast.facilitator, name=bad)  # type: ignore[arg-type]
        self.assertFalse(SpeakerInvitation.objects.exists())

    def test_the_address_is_normalised_and_a_waiting_duplicate_refused(self) -> None:
        first = invite(self.event, self.cast.facilitator, email="  Pia@Example.ORG ")
        self.assertEqual(first.email, "pia@example.org")
        with self.assertRaises(Invalid) as refused:
            invite(self.event, self.cast.facilitator, email="PIA@example.org")
        self.assertIn("email", refused.exception.errors)
        speakers.revoke(actor=self.cast.facilitator, invitation=first)
        invite(self.event, self.cast.facilitator, email="pia@example.org")

    def test_a_cancelled_event_takes_no_invitations(self) -> None:
        event_services.cancel_event(actor=self.cast.facilitator, event=self.event)
        with self.assertRaises(Invalid):
            invite(self.event, self.cast.facilitator)
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(self.url, {"name": "Pia", "email": "pia@example.org"})
        self.assertEqual(response.status_code, 422)
        self.assertNotContains(response, "Send the invitation", status_code=422)
        self.assertContains(response, "This event is cancelled, so it takes no speakers.", status_code=422)
        self.assertFalse(SpeakerInvitation.objects.exists())

    def test_at_most_ten_waiting_invitations_per_event(self) -> None:
        invitations = [invite(self.event, self.cast.facilitator, email=f"s{n}@example.org") for n in range(10)]
        with self.assertRaises(Invalid) as refused:
            invite(self.event, self.cast.staff, email="eleven@example.org")
        self.assertIn("10 invitations waiting", refused.exception.detail)
        # Revoked, accepted and expired ones no longer count.
        speakers.revoke(actor=self.cast.facilitator, invitation=invitations[0])
        SpeakerInvitation.objects.filter(pk=invitations[1].pk).update(expires_at=timezone.now())
        invite(self.event, self.cast.staff, email="eleven@example.org")
        invite(self.event, self.cast.staff, email="twelve@example.org")
        with self.assertRaises(Invalid):
            invite(self.event, self.cast.staff, email="thirteen@example.org")

    def test_each_inviter_is_rate_limited(self) -> None:
        other = online_event(self.cast, title="Another seminar")
        sent = 0
        with self.assertRaises(RateLimited):
            for n in range(30):
                invite([self.event, other][n // 10 % 2], self.cast.facilitator, email=f"r{n}@example.org")
                sent += 1
        self.assertEqual(sent, speakers.INVITES_PER_HOUR)
        # Another facilitator is counted apart.
        invite(online_event(self.cast, title="Third"), self.cast.staff, email="staff-pick@example.org")

    def test_the_invitation_email_is_sent_only_on_commit(self) -> None:
        with mock.patch.object(speakers, "_deliver") as deliver, self.captureOnCommitCallbacks() as callbacks:
            invite(self.event, self.cast.facilitator)
            deliver.assert_not_called()
        self.assertEqual(len(callbacks), 1)


class AcceptTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.cast = private_cast()
        cls.event = online_event(cls.cast)
        cls.speaker = factories.make_user(display_name="Dr Pia Physio")
        cls.other = factories.make_user(display_name="Someone Else")

    def setUp(self) -> None:
        self.invitation, self.token = make_invitation(self.event, self.cast.facilitator)

    def test_invitation_for_token(self) -> None:
        self.assertEqual(speakers.invitation_for_token(self.token), self.invitation)
        for odd in ["", None, 5, b"bytes", self.token + "x", self.token.upper(), "\x00" * 43, "ü" * 43, "a" * 10**5]:
            self.assertIsNone(speakers.invitation_for_token(odd), odd)
        SpeakerInvitation.objects.filter(pk=self.invitation.pk).update(expires_at=timezone.now())
        self.assertIsNone(speakers.invitation_for_token(self.token))

    def test_accepting_makes_a_speaker_who_sees_the_private_event_and_may_answer(self) -> None:
        self.assertEqual(self.event_page(self.speaker), 404)
        speakers.accept(user=self.speaker, token=self.token, profession="Physiotherapist", organisation="")
        self.assertEqual(self.event_page(self.speaker), 200)
        event = Event.objects.select_related("circle").get(pk=self.event.pk)
        self.assertTrue(access.can_answer(self.speaker, event))
        self.assertFalse(access.can_moderate(self.speaker, event))
        self.assertEqual(SpeakerProfile.objects.get(user=self.speaker).profession, "Physiotherapist")

    def event_page(self, user: User) -> int:
        self.client.force_login(user)
        return self.client.get(self.event.get_absolute_url()).status_code

    def test_a_second_accept_is_refused_clearly(self) -> None:
        speakers.accept(user=self.speaker, token=self.token)
        with self.assertRaises(Conflict) as again:
            speakers.accept(user=self.speaker, token=self.token)
        self.assertIn("already accepted", again.exception.detail)
        self.assertEqual(list(self.event.speakers.all()), [self.speaker])

    def test_a_used_link_does_not_work_for_another_account(self) -> None:
        speakers.accept(user=self.speaker, token=self.token)
        with self.assertRaises(Invalid) as refused:
            speakers.accept(user=self.other, token=self.token)
        self.assertIn("already been used", refused.exception.detail)
        self.client.force_login(self.other)
        self.assertContains(self.client.get(accept_url(self.token)), speakers.NO_LONGER_VALID, status_code=404)
        self.assertContains(self.client.post(accept_url(self.token)), speakers.NO_LONGER_VALID, status_code=404)
        self.assertNotIn(self.other, self.event.speakers.all())
        self.assertEqual(SpeakerInvitation.objects.get(pk=self.invitation.pk).accepted_by, self.speaker)

    def test_revoked_and_expired_links_are_no_longer_valid(self) -> None:
        _, expired_token = make_invitation(
            self.event, self.cast.facilitator, expires_at=timezone.now() - timedelta(seconds=1)
        )
        speakers.revoke(actor=self.cast.facilitator, invitation=self.invitation)
        self.client.force_login(self.speaker)
        for token in (self.token, expired_token):
            with self.assertRaises(Invalid):
                speakers.accept(user=self.speaker, token=token)
            self.assertContains(self.client.get(accept_url(token)), speakers.NO_LONGER_VALID, status_code=404)
            self.assertContains(self.client.post(accept_url(token)), speakers.NO_LONGER_VALID, status_code=404)
        self.assertFalse(self.event.speakers.exists())

    def test_odd_tokens_get_the_clear_404_never_a_500(self) -> None:
        for who in (None, self.speaker):
            if who:
                self.client.force_login(who)
            for token in ODD_TOKENS:
                for method in (self.client.get, self.client.post):
                    response = method(f"/speak/{token}/")
                    self.assertEqual(response.status_code, 404, token[:40])
                    self.assertContains(response, speakers.NO_LONGER_VALID, status_code=404)
        for token in ["", None, 7, ["x"], "\x00" * 43, "ü" * 43]:
            with self.assertRaises(Invalid):
                speakers.accept(user=self.speaker, token=token)

    def test_signed_out_visitors_are_sent_to_sign_in_and_come_back(self) -> None:
        page = self.client.get(accept_url(self.token))
        self.assertContains(page, "Sign in and accept")
        self.assertNotContains(page, "Accept and become a speaker")
        self.assertNotContains(page, MEETING_LINK)
        response = self.client.post(accept_url(self.token))
        self.assertRedirects(
            response, reverse("accounts:login") + "?next=" + accept_url(self.token).replace("/", "%2F"), 302, 200
        )
        self.assertFalse(self.event.speakers.exists())

    def test_unverified_accounts_confirm_their_address_first(self) -> None:
        unverified = factories.make_user(verified=False)
        self.client.force_login(unverified)
        page = self.client.get(accept_url(self.token))
        self.assertContains(page, "Please confirm your email address first")
        self.assertNotContains(page, "Accept and become a speaker")
        self.assertEqual(self.client.post(accept_url(self.token)).status_code, 403)
        with self.assertRaises(NotAllowed):
            speakers.accept(user=unverified, token=self.token)
        self.assertFalse(self.event.speakers.exists())

    def test_profession_is_asked_once_and_checked(self) -> None:
        self.client.force_login(self.speaker)
        for data in ({}, {"profession": ""}, {"profession": "x" * 121}, {"profession": "Physio\u202e"}):
            response = self.client.post(accept_url(self.token), data)
            self.assertEqual(response.status_code, 422, data)
            self.assertIn("profession", response.context["form"].errors)
        response = self.client.post(accept_url(self.token), {"profession": "Nurse", "organisation": "x" * 201})
        self.assertEqual(response.status_code, 422)
        self.assertFalse(self.event.speakers.exists())
        self.assertFalse(SpeakerProfile.objects.exists())
        self.client.post(accept_url(self.token), {"profession": " Specialist  nurse ", "organisation": "Sarcoma UK"})
        profile = SpeakerProfile.objects.get(user=self.speaker)
        self.assertEqual((profile.profession, profile.organisation), ("Specialist nurse", "Sarcoma UK"))

    def test_a_cancelled_event_or_a_removed_member_cannot_accept(self) -> None:
        removed = factories.make_user()
        factories.add_member(self.cast.circle, removed, status="removed")
        with self.assertRaises(NotAllowed):
            speakers.accept(user=removed, token=self.token)
        Event.objects.filter(pk=self.event.pk).update(cancelled_at=timezone.now())
        with self.assertRaises(Invalid):
            speakers.accept(user=self.speaker, token=self.token)
        self.assertFalse(self.event.speakers.exists())

    def test_an_event_has_at_most_ten_speakers(self) -> None:
        self.event.speakers.set([factories.make_member(self.cast.circle) for _ in range(10)])
        with self.assertRaises(Invalid):
            speakers.accept(user=self.speaker, token=self.token)

    def test_revoking_an_accepted_invitation_removes_the_speaker(self) -> None:
        speakers.accept(user=self.speaker, token=self.token)
        self.assertEqual(self.event_page(self.speaker), 200)
        with self.assertRaises(NotAllowed):
            speakers.revoke(actor=self.cast.member, invitation=self.invitation)
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(reverse("qa:invitation-revoke", args=[self.invitation.pk]))
        self.assertRedirects(response, reverse("qa:speakers", args=[self.event.pk]))
        self.assertFalse(self.event.speakers.exists())
        self.assertEqual(self.event_page(self.speaker), 404)
        self.client.force_login(self.speaker)
        self.assertContains(self.client.get(accept_url(self.token)), speakers.NO_LONGER_VALID, status_code=404)
        # Revoking twice changes nothing.
        first = SpeakerInvitation.objects.get(pk=self.invitation.pk).revoked_at
        speakers.revoke(actor=self.cast.facilitator, invitation=self.invitation)
        self.assertEqual(SpeakerInvitation.objects.get(pk=self.invitation.pk).revoked_at, first)

    def test_revoke_is_post_only_and_for_facilitators(self) -> None:
        url = reverse("qa:invitation-revoke", args=[self.invitation.pk])
        self.assertEqual(self.client.post(url).status_code, 302)  # to sign in
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.get(url).status_code, 405)
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.post(url).status_code, 403)
        for who in (self.cast.outsider, self.speaker):
            self.client.force_login(who)
            self.assertEqual(self.client.post(url).status_code, 404)
        self.client.force_login(self.cast.facilitator)
        self.assertEqual(self.client.post(reverse("qa:invitation-revoke", args=[10**9])).status_code, 404)
        self.assertEqual(self.client.post("/speaker-invitations/abc/revoke/").status_code, 404)
        self.assertIsNone(SpeakerInvitation.objects.get(pk=self.invitation.pk).revoked_at)

    def test_statuses_on_the_facilitator_page(self) -> None:
        _, accepted_token = make_invitation(self.event, self.cast.facilitator, name="Accepted Person")
        speakers.accept(user=self.speaker, token=accepted_token)
        make_invitation(self.event, self.cast.facilitator, name="Late Person", expires_at=timezone.now())
        revoked, _ = make_invitation(self.event, self.cast.facilitator, name="Revoked Person")
        speakers.revoke(actor=self.cast.facilitator, invitation=revoked)
        self.client.force_login(self.cast.facilitator)
        response = self.client.get(reverse("qa:speakers", args=[self.event.pk]))
        statuses = {row.invitation.name: row.status for row in response.context["rows"]}
        self.assertEqual(
            statuses,
            {
                "Dr Pia Physio": "waiting",
                "Accepted Person": "accepted by Dr Pia Physio",
                "Late Person": "expired",
                "Revoked Person": "revoked",
            },
        )
        self.assertContains(response, "Accepted by Dr Pia Physio")
        self.assertNotContains(response, "pia@example.org")


class SpeakerEditTests(KinshipTestCase):
    """Editing an event keeps speakers who came by invitation, though they are not members."""

    def test_invited_speakers_survive_an_edit_and_outsiders_are_still_refused(self) -> None:
        event = online_event(self.cast)
        guest = factories.make_user(display_name="Guest Surgeon")
        _, token = make_invitation(event, self.cast.facilitator)
        speakers.accept(user=guest, token=token)
        ids = [guest.pk, self.cast.member.pk]
        event_services.update_event(actor=self.cast.facilitator, event=event, changes={"speakers": ids})
        self.assertEqual(set(event.speakers.values_list("pk", flat=True)), set(ids))
        event_services.update_event(actor=self.cast.facilitator, event=event, changes={"title": "Renamed"})
        self.assertEqual(set(event.speakers.values_list("pk", flat=True)), set(ids))
        for bad in ([self.cast.outsider.pk], [guest.pk, self.cast.outsider.pk], [True]):
            with self.assertRaises(Invalid):
                event_services.update_event(actor=self.cast.facilitator, event=event, changes={"speakers": bad})
        # Dropping the guest is allowed; bringing them back then needs a new invitation.
        event_services.update_event(actor=self.cast.facilitator, event=event, changes={"speakers": []})
        with self.assertRaises(Invalid):
            event_services.update_event(actor=self.cast.facilitator, event=event, changes={"speakers": [guest.pk]})
        # A new event cannot name the guest: they speak at the other one only.
        with self.assertRaises(Invalid):
            factories.make_event(circle=self.cast.circle, facilitator=self.cast.facilitator, speakers=[guest.pk])

    def test_the_api_edit_keeps_the_invited_speaker(self) -> None:
        event = online_event(self.cast)
        guest = factories.make_user(display_name="Guest Surgeon")
        _, token = make_invitation(event, self.cast.facilitator)
        speakers.accept(user=guest, token=token)
        self.client.force_login(self.cast.facilitator)
        from kinship.accounts.models import ApiToken

        _, key = ApiToken.issue(self.cast.facilitator)
        response = self.client.patch(
            f"/api/v1/events/{event.pk}",
            {"speakers": [guest.pk], "title": "Still with the guest"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(list(event.speakers.all()), [guest])


class ProfileTests(KinshipTestCase):
    def setUp(self) -> None:
        self.url = reverse("qa:speaker-profile")

    def test_own_profile_is_saved_and_shown(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('accounts:login')}?next={self.url}")
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(self.url), "You have no speaker profile yet")
        response = self.client.post(self.url, {"profession": "Prosthetist", "organisation": "Limb Centre"})
        self.assertRedirects(response, self.url)
        page = self.client.get(self.url)
        self.assertContains(page, "Not verified yet")
        self.assertContains(page, 'value="Prosthetist"')

    def test_changing_a_verified_profile_asks_staff_to_check_again(self) -> None:
        profile = speakers.save_profile(user=self.cast.member, profession="Prosthetist", organisation="Limb Centre")
        speakers.verify(staff_user=self.cast.staff, profile=profile, note="Checked the register")
        same = speakers.save_profile(user=self.cast.member, profession=" Prosthetist", organisation="Limb Centre ")
        self.assertTrue(same.is_verified)
        self.client.force_login(self.cast.member)
        self.assertContains(self.client.get(self.url), "Verified professional · Prosthetist")
        for changes in ({"profession": "Surgeon", "organisation": "Limb Centre"}, {"organisation": "Elsewhere"}):
            speakers.verify(staff_user=self.cast.staff, profile=profile, note="Checked the register")
            response = self.client.post(self.url, {"profession": "Prosthetist", **changes})
            self.assertRedirects(response, self.url)
            profile.refresh_from_db()
            self.assertFalse(profile.is_verified)
            self.assertEqual((profile.verified_by, profile.verification_note), (None, ""))

    def test_bad_input_changes_nothing(self) -> None:
        speakers.save_profile(user=self.cast.member, profession="Prosthetist", organisation="")
        self.client.force_login(self.cast.member)
        for data in (
            {"profession": ""},
            {"profession": "x" * 121},
            {"profession": "Nurse", "organisation": "x" * 201},
            {"profession": "Nurse\x00"},
            {"profession": "\u200b"},
            {"profession": "Nurse", "organisation": "\u202eecnarf"},
        ):
            self.assertEqual(self.client.post(self.url, data).status_code, 422, data)
        self.assertEqual(SpeakerProfile.objects.get(user=self.cast.member).profession, "Prosthetist")
        for bad in (None, 3, ["Nurse"]):
            with self.assertRaises(Invalid):
                speakers.save_profile(user=self.cast.member, profession=bad, organisation="")

    def test_unverified_accounts_have_no_profile(self) -> None:
        with self.assertRaises(NotAllowed):
            speakers.save_profile(user=self.cast.unverified, profession="Nurse", organisation="")
        self.client.force_login(self.cast.unverified)
        self.assertEqual(self.client.post(self.url, {"profession": "Nurse"}).status_code, 403)
        self.assertFalse(SpeakerProfile.objects.exists())


class VerificationTests(KinshipTestCase):
    def setUp(self) -> None:
        self.url = reverse("qa:verification")
        self.profile = SpeakerProfile.objects.create(user=self.cast.member, profession="Physiotherapist")
        self.verify_url = reverse("qa:verify", args=[self.profile.pk])

    def test_only_staff(self) -> None:
        self.assertRedirects(self.client.get(self.url), f"{reverse('accounts:login')}?next={self.url}")
        self.assertEqual(self.client.post(self.verify_url, {"note": "x"}).status_code, 302)
        for who in (self.cast.member, self.cast.facilitator, self.cast.outsider):
            self.client.force_login(who)
            self.assertEqual(self.client.get(self.url).status_code, 403)
            self.assertEqual(self.client.post(self.verify_url, {"note": "Looked it up"}).status_code, 403)
            with self.assertRaises(NotAllowed):
                speakers.verify(staff_user=who, profile=self.profile, note="Looked it up")
            with self.assertRaises(NotAllowed):
                speakers.unverify(staff_user=who, profile=self.profile)
        self.profile.refresh_from_db()
        self.assertFalse(self.profile.is_verified)

    def test_staff_verify_with_a_note_and_unverify(self) -> None:
        self.client.force_login(self.cast.staff)
        self.assertEqual(self.client.get(self.verify_url).status_code, 405)
        response = self.client.post(self.verify_url, {"action": "verify", "note": "HCPC register, PH123456"})
        self.assertRedirects(response, self.url)
        page = self.client.get(self.url)
        self.assertContains(page, "HCPC register, PH123456")
        self.assertContains(page, "by Sam Staff")
        self.assertContains(page, "Remove the verification")
        self.client.post(self.verify_url, {"action": "unverify"})
        self.profile.refresh_from_db()
        self.assertEqual(
            (self.profile.verified_at, self.profile.verified_by, self.profile.verification_note), (None, None, "")
        )

    def test_bad_input(self) -> None:
        self.client.force_login(self.cast.staff)
        for data in ({"note": ""}, {"note": "   "}, {"note": "x" * 1001}, {"note": "ok\x00"}, {"action": "verify"}):
            response = self.client.post(self.verify_url, data)
            self.assertEqual(response.status_code, 422, data)
            self.assertContains(response, 'aria-invalid="true"', status_code=422)
        self.assertEqual(self.client.post(self.verify_url, {"action": "approve", "note": "x"}).status_code, 422)
        self.assertEqual(self.client.post(reverse("qa:verify", args=[10**9]), {"note": "x"}).status_code, 404)
        self.assertEqual(self.client.post("/staff/speakers/x/verify/", {"note": "x"}).status_code, 404)
        self.profile.refresh_from_db()
        self.assertFalse(self.profile.is_verified)

    def test_staff_do_not_verify_themselves(self) -> None:
        own = SpeakerProfile.objects.create(user=self.cast.staff, profession="Doctor")
        with self.assertRaises(NotAllowed):
            speakers.verify(staff_user=self.cast.staff, profile=own, note="Me")

    def test_unverified_come_first_with_their_events(self) -> None:
        event = online_event(self.cast, title="Pain after surgery")
        event.speakers.add(self.cast.member)
        verified = SpeakerProfile.objects.create(user=self.cast.facilitator, profession="Nurse")
        speakers.verify(staff_user=self.cast.staff, profile=verified, note="Checked")
        self.client.force_login(self.cast.staff)
        page = self.client.get(self.url)
        text = page.content.decode()
        self.assertLess(text.index("Physiotherapist"), text.index("Nurse"))
        self.assertContains(page, "Pain after surgery")
        self.assertEqual([p.pk for p in page.context["list"].unverified], [self.profile.pk])
        self.assertEqual([p.pk for p in page.context["list"].verified], [verified.pk])


class EmailNeverOnAPageTests(KinshipTestCase):
    """The invitee's address is typed once by the facilitator; no page ever shows it."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.event = online_event(cls.cast)
        cls.waiting = invite(cls.event, cls.cast.facilitator, name="Waiting Person", email=INVITEE)
        cls.guest = factories.make_user(display_name="Guest", email="guest.speaker@hospital.example.org")
        _, token = make_invitation(cls.event, cls.cast.facilitator, email="guest.speaker@hospital.example.org")
        speakers.accept(user=cls.guest, token=token, profession="Surgeon", organisation="")
        cls.question = qa_services.ask(author=cls.cast.member, event=cls.event, body="Will it hurt?")
        qa_services.answer(answerer=cls.guest, question=cls.question, body="A little, at first.")

    def test_no_page_shows_an_invitee_address(self) -> None:
        pages = [
            reverse("qa:speakers", args=[self.event.pk]),
            self.event.get_absolute_url(),
            reverse("qa:questions", args=[self.event.pk]),
            reverse("qa:verification"),
            reverse("qa:speaker-profile"),
        ]
        forms = email_forms(INVITEE_STORED) | email_forms(INVITEE) | email_forms("guest.speaker@hospital.example.org")
        for who in (self.cast.facilitator, self.cast.staff, self.cast.member):
            self.client.force_login(who)
            for url in pages:
                body = self.client.get(url).content.decode().lower()
                for form in forms:
                    self.assertNotIn(form, body, (who.display_name, url))
        self.client.force_login(self.guest)
        _, token = make_invitation(self.event, self.cast.facilitator, email=INVITEE_STORED)
        for url in [*pages[1:3], accept_url(token)]:
            body = self.client.get(url).content.decode().lower()
            for form in email_forms(INVITEE_STORED) | email_forms(INVITEE):
                self.assertNotIn(form, body, url)

    def test_after_inviting_the_page_names_the_person_not_the_address(self) -> None:
        self.client.force_login(self.cast.facilitator)
        response = self.client.post(
            reverse("qa:speakers", args=[self.event.pk]),
            {"name": "Dr New", "email": "new.person@example.org"},
            follow=True,
        )
        self.assertContains(response, "The invitation is on its way to Dr New")
        self.assertNotContains(response, "new.person@example.org")

    def test_staff_see_the_address_in_the_admin_only(self) -> None:
        admin = factories.make_user(is_staff=True, is_superuser=True)
        self.client.force_login(admin)
        listing = self.client.get(reverse("admin:qa_speakerinvitation_changelist"))
        self.assertContains(listing, INVITEE_STORED.replace("'", "&#x27;"))
        change = self.client.get(reverse("admin:qa_speakerinvitation_change", args=[self.waiting.pk]))
        self.assertEqual(change.status_code, 200)
        self.assertNotContains(change, "token_hash")
        self.assertNotContains(change, self.waiting.token_hash)
        self.assertFalse(admin_site._registry[SpeakerInvitation].has_add_permission(mock.Mock()))
        for name in ("speakerprofile", "question", "vote"):
            self.assertEqual(self.client.get(reverse(f"admin:qa_{name}_changelist")).status_code, 200, name)
        profiles = reverse("admin:qa_speakerprofile_changelist")
        self.assertContains(self.client.get(profiles, {"q": "Surg"}), "Surgeon")
        self.assertContains(self.client.get(profiles, {"verified": "no"}), "Surgeon")
        self.assertNotContains(self.client.get(profiles, {"verified": "yes"}), "Surgeon")


class QueryCountTests(KinshipTestCase):
    """Session, user, then the page's own: the same number for a few rows and for many."""

    def check(self, url: str, expected: int) -> None:
        with self.assertNumQueries(expected):
            response = self.client.get(url)
        self.assertEqual(response.status_code, 200)

    def test_invitations_page_queries_stay_flat(self) -> None:
        event = online_event(self.cast)
        url = reverse("qa:speakers", args=[event.pk])

        def add(n: int) -> None:
            for _ in range(n):
                _, token = make_invitation(event, self.cast.facilitator)
                guest = factories.make_user()
                SpeakerProfile.objects.create(user=guest, profession="Nurse")
                speakers.accept(user=guest, token=token)
                make_invitation(event, self.cast.staff)

        add(1)
        self.client.force_login(self.cast.facilitator)
        # event, the facilitator's membership, invitations, speakers with their profiles
        self.check(url, 6)
        add(4)
        self.check(url, 6)

    def test_verification_page_queries_stay_flat(self) -> None:
        url = reverse("qa:verification")

        def add(n: int) -> None:
            for _ in range(n):
                for verified in (False, True):
                    person = factories.make_user()
                    profile = SpeakerProfile.objects.create(user=person, profession="Surgeon")
                    if verified:
                        speakers.verify(staff_user=self.cast.staff, profile=profile, note="Checked")
                    for _ in range(2):
                        online_event(self.cast).speakers.add(person)

        add(1)
        self.client.force_login(self.cast.staff)
        # unverified and verified profiles, each with one query for the events they speak at
        self.check(url, 6)
        add(4)
        self.check(url, 6)


class AcceptPageTests(KinshipTestCase):
    def test_accept_page_shows_the_event_and_nothing_private(self) -> None:
        cast = private_cast()
        event = online_event(cast, description="Bring your **questions**.")
        _, token = make_invitation(event, cast.facilitator)
        page = self.client.get(accept_url(token))
        self.assertContains(page, event.title)
        self.assertContains(page, cast.circle.name)
        self.assertContains(page, "Fiona Facilitator")
        self.assertNotContains(page, MEETING_LINK)
        self.assertIn("no-store", page["Cache-Control"])

    def test_other_methods_are_refused(self) -> None:
        _, token = make_invitation(online_event(self.cast), self.cast.facilitator)
        self.client.force_login(self.cast.member)
        for url in (accept_url(token), reverse("qa:speaker-profile")):
            self.assertEqual(self.client.put(url).status_code, 405)
            self.assertEqual(self.client.delete(url).status_code, 405)
        self.assertFalse(SpeakerInvitation.objects.filter(accepted_at__isnull=False).exists())

    def test_a_path_that_is_not_a_token_is_an_ordinary_404(self) -> None:
        self.assertEqual(self.client.get("/speak/..%2F..%2Fetc%2Fpasswd/").status_code, 404)
        self.assertEqual(self.client.get("/speak/").status_code, 404)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
class SimultaneousTests(TransactionTestCase):
    """Under real concurrency one link makes one speaker, and the waiting-invitation cap holds."""

    def run_at_once(self, calls: list[Any]) -> tuple[list[Any], list[BaseException]]:
        start = threading.Barrier(len(calls))
        results: list[Any] = []
        failures: list[BaseException] = []

        def run(call: Any) -> None:
            try:
                start.wait()
                results.append(call())
            except BaseException as error:
                failures.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, args=(c,)) for c in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return results, failures

    def test_one_link_opened_by_six_accounts_at_once_makes_one_speaker(self) -> None:
        cast = make_cast()
        event = online_event(cast)
        _, token = make_invitation(event, cast.facilitator)
        people = [factories.make_user() for _ in range(6)]
        results, failures = self.run_at_once([lambda p=p: speakers.accept(user=p, token=token) for p in people])
        self.assertEqual(len(results), 1)
        self.assertEqual(len(failures), 5)
        self.assertTrue(all(isinstance(f, Invalid) for f in failures), failures)
        self.assertEqual(event.speakers.count(), 1)
        self.assertEqual(SpeakerInvitation.objects.get().accepted_by, event.speakers.get())

    def test_the_waiting_cap_holds_when_facilitators_invite_at_once(self) -> None:
        cast = make_cast()
        event = online_event(cast)
        inviters = [cast.facilitator, cast.staff]
        calls = [
            lambda n=n: speakers.invite(
                inviter=inviters[n % 2], event=event, name=f"Speaker {n}", email=f"s{n}@example.org"
            )
            for n in range(14)
        ]
        with mock.patch.object(speakers, "_deliver"):
            results, failures = self.run_at_once(calls)
        self.assertEqual(len(results), speakers.OPEN_INVITATIONS_PER_EVENT)
        self.assertTrue(all(isinstance(f, Invalid) for f in failures), failures)
        self.assertEqual(SpeakerInvitation.objects.count(), speakers.OPEN_INVITATIONS_PER_EVENT)
