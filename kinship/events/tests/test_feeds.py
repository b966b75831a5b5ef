import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events
from django.test import Client
from django.urls import reverse

from kinship.accounts.models import ApiToken, User
from kinship.circles.models import Circle, Membership
from kinship.core import factories
from kinship.core.testing import KinshipTestCase, make_cast
from kinship.events import calendars, queries, services
from kinship.events.models import Event

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
# Far enough ahead for RSVPs, near enough that open-ended rules are still expanded by queries.expand.
WINDOW = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2027, 11, 20, tzinfo=UTC))
MEETING_LINK = "https://meet.example.org/secret-room-4821"


def make_event(circle: Circle, facilitator: User, **values: Any) -> Event:
    tz = ZoneInfo(values.setdefault("timezone", "Europe/London"))
    values.setdefault("title", "Tuesday support meeting")
    start = values.pop("start", datetime(2027, 3, 2, 18, 0))
    values.setdefault("starts_at", start.replace(tzinfo=tz))
    values.setdefault("ends_at", values["starts_at"] + timedelta(hours=1, minutes=30))
    values.setdefault("in_person", True)
    values.setdefault("address", "Maggie's Centre, 1 Hospital Road")
    values.setdefault("description", "Tea, biscuits and **honest talk**.")
    return services.create_event(facilitator=facilitator, circle=circle, **values)


def parse(response: Any) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(response.content)


def feed_occurrences(
    cal: icalendar.Calendar, after: datetime, before: datetime
) -> list[tuple[str, datetime, datetime]]:
    """What a calendar app shows: the feed expanded, cancelled ones dropped, starts in UTC."""
    found = []
    for component in recurring_ical_events.of(cal).between(after - timedelta(days=15), before):
        if str(component.get("STATUS", "")) == "CANCELLED":
            continue
        start = component.decoded("DTSTART").astimezone(UTC)
        if after <= start < before:
            found.append((str(component["UID"]), start, component.decoded("DTEND").astimezone(UTC)))
    return sorted(found, key=lambda o: (o[1], o[0]))


def listed_occurrences(slots: list[queries.Slot]) -> list[tuple[str, datetime, datetime]]:
    return sorted(
        ((calendars.uid_for(s.event), s.starts_at, s.ends_at) for s in slots if not s.cancelled),
        key=lambda o: (o[1], o[0]),
    )


def listed(events: list[Event], after: datetime, before: datetime) -> list[tuple[str, datetime, datetime]]:
    fresh = list(Event.objects.filter(pk__in=[e.pk for e in events]))
    return listed_occurrences(queries.expand(fresh, after=after, before=before))


def feed_url(circle: Circle) -> str:
    return reverse("events:circle-feed", args=[circle.slug])


def api_feed_url(circle: Circle) -> str:
    return reverse("api-circle-feed", args=[circle.slug])


def assert_private_bits_absent(test: KinshipTestCase, content: bytes) -> None:
    text = content.decode()
    test.assertNotIn(MEETING_LINK, text)
    test.assertNotIn("meet.example.org", text)
    for email in User.objects.values_list("email", flat=True):
        test.assertNotIn(email, text)
    # Lines folded at 75 octets could split an address, so look at the unfolded text too.
    unfolded = text.replace("\r\n ", "")
    test.assertEqual(re.findall(r"@(?!kinship\b)[\w.-]+", unfolded), [])


class CircleFeedMatchesListsTests(KinshipTestCase):
    """The feed, expanded by a calendar app, shows exactly the meetings the site lists."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        circle, facilitator = cls.cast.circle, cls.cast.facilitator
        cls.london_weekly = make_event(circle, facilitator, rrule="FREQ=WEEKLY;BYDAY=TU")
        cls.new_york_count = make_event(
            circle,
            facilitator,
            title="Thursday evening check-in",
            timezone="America/New_York",
            start=datetime(2027, 3, 4, 19, 0),
            rrule="FREQ=WEEKLY;COUNT=6",
        )
        cls.new_york_fortnightly = make_event(
            circle,
            facilitator,
            title="Prosthetics workshop",
            timezone="America/New_York",
            start=datetime(2027, 10, 2, 10, 30),
            rrule="FREQ=WEEKLY;INTERVAL=2",
            in_person=False,
            address="",
            online=True,
            meeting_link=MEETING_LINK,
        )
        cls.first_tuesday = make_event(
            circle,
            facilitator,
            title="First Tuesday physio Q&A",
            start=datetime(2027, 1, 5, 12, 0),
            rrule="FREQ=MONTHLY;BYDAY=1TU;COUNT=12",
        )
        cls.single = make_event(circle, facilitator, title="Summer picnic", start=datetime(2027, 7, 17, 13, 0))
        cls.cancelled_event = make_event(
            circle, facilitator, title="Cancelled outing", start=datetime(2027, 6, 5, 10, 0), rrule="FREQ=DAILY;COUNT=3"
        )
        services.cancel_event(actor=facilitator, event=cls.cancelled_event)
        # One London date cancelled, one New York date moved across the DST change, one retitled.
        cls.cancelled_start = datetime(2027, 3, 30, 18, 0, tzinfo=LONDON).astimezone(UTC)
        services.change_occurrence(
            actor=facilitator, event=cls.london_weekly, original_start=cls.cancelled_start, changes={"cancelled": True}
        )
        cls.moved_from = datetime(2027, 3, 11, 19, 0, tzinfo=NEW_YORK).astimezone(UTC)
        cls.moved_to = datetime(2027, 3, 15, 17, 0, tzinfo=NEW_YORK).astimezone(UTC)
        services.change_occurrence(
            actor=facilitator,
            event=cls.new_york_count,
            original_start=cls.moved_from,
            changes={"starts_at": cls.moved_to},
        )
        services.change_occurrence(
            actor=facilitator,
            event=cls.london_weekly,
            original_start=datetime(2027, 4, 6, 18, 0, tzinfo=LONDON).astimezone(UTC),
            changes={"title": "Easter meeting", "note": "Bring a friend."},
        )
        services.change_occurrence(
            actor=facilitator,
            event=cls.single,
            original_start=cls.single.starts_at,
            changes={"starts_at": datetime(2027, 7, 18, 13, 0, tzinfo=LONDON)},
        )
        # From July the first-Tuesday meeting is an hour later under a new title: the series splits.
        cls.split_at = datetime(2027, 7, 6, 12, 0, tzinfo=LONDON).astimezone(UTC)
        services.change_following(
            actor=facilitator,
            event=cls.first_tuesday,
            original_start=cls.split_at,
            changes={
                "title": "First Tuesday physio Q&A (afternoon)",
                "starts_at": datetime(2027, 7, 6, 13, 0, tzinfo=LONDON),
                "ends_at": datetime(2027, 7, 6, 14, 30, tzinfo=LONDON),
            },
        )

    def events(self) -> list[Event]:
        return list(Event.objects.filter(circle=self.cast.circle))

    def get_feed(self) -> icalendar.Calendar:
        response = self.client.get(feed_url(self.cast.circle))
        self.assertEqual(response.status_code, 200)
        return parse(response)

    def test_expanded_feed_equals_listed_occurrences(self):
        cal = self.get_feed()
        expected = listed(self.events(), *WINDOW)
        self.assertGreater(len(expected), 50)
        self.assertEqual(feed_occurrences(cal, *WINDOW), expected)

    def test_smaller_windows_across_dst_changes_match(self):
        cal = self.get_feed()
        for after, before in [
            (datetime(2027, 3, 8, tzinfo=UTC), datetime(2027, 4, 15, tzinfo=UTC)),
            (datetime(2027, 10, 20, tzinfo=UTC), datetime(2027, 11, 15, tzinfo=UTC)),
            (datetime(2027, 6, 1, tzinfo=UTC), datetime(2027, 9, 1, tzinfo=UTC)),
        ]:
            with self.subTest(after=after):
                self.assertEqual(feed_occurrences(cal, after, before), listed(self.events(), after, before))

    def test_local_time_stays_put_across_dst_in_london(self):
        starts = [
            s
            for uid, s, _ in feed_occurrences(self.get_feed(), *WINDOW)
            if uid == f"event-{self.london_weekly.pk}@kinship"
        ]
        by_day = {s.date().isoformat(): s.hour for s in starts}
        self.assertEqual(by_day["2027-03-23"], 18)  # GMT
        self.assertEqual(by_day["2027-04-13"], 17)  # BST: 18:00 local is 17:00 UTC
        self.assertEqual(by_day["2027-10-26"], 17)
        self.assertEqual(by_day["2027-11-02"], 18)  # back on GMT after 31 October

    def test_local_time_stays_put_across_dst_in_new_york(self):
        uid = f"event-{self.new_york_fortnightly.pk}@kinship"
        starts = [s for u, s, _ in feed_occurrences(self.get_feed(), *WINDOW) if u == uid]
        self.assertEqual(starts[:4], [
            datetime(2027, 10, 2, 14, 30, tzinfo=UTC),  # EDT, UTC-4
            datetime(2027, 10, 16, 14, 30, tzinfo=UTC),
            datetime(2027, 10, 30, 14, 30, tzinfo=UTC),
            datetime(2027, 11, 13, 15, 30, tzinfo=UTC),  # EST after 7 November, UTC-5
        ])  # fmt: skip

    def test_cancelled_occurrence_is_an_exdate_and_absent(self):
        cal = self.get_feed()
        starts = [s for _, s, _ in feed_occurrences(cal, *WINDOW)]
        self.assertNotIn(self.cancelled_start, starts)
        master = next(
            c for c in cal.walk("VEVENT") if str(c["UID"]) == calendars.uid_for(self.london_weekly) and "RRULE" in c
        )
        self.assertIn("EXDATE;TZID=Europe/London:20270330T180000", master.to_ical().decode())

    def test_moved_occurrence_is_an_override_at_the_new_time(self):
        cal = self.get_feed()
        uid = calendars.uid_for(self.new_york_count)
        overrides = [c for c in cal.walk("VEVENT") if str(c["UID"]) == uid and "RECURRENCE-ID" in c]
        self.assertEqual(len(overrides), 1)
        self.assertEqual(overrides[0].decoded("RECURRENCE-ID").astimezone(UTC), self.moved_from)
        self.assertEqual(overrides[0].decoded("DTSTART").astimezone(UTC), self.moved_to)
        starts = [s for u, s, _ in feed_occurrences(cal, *WINDOW) if u == uid]
        self.assertIn(self.moved_to, starts)
        self.assertNotIn(self.moved_from, starts)
        self.assertEqual(len(starts), 6)

    def test_retitled_occurrence_keeps_its_title_and_note(self):
        cal = self.get_feed()
        easter = [c for c in recurring_ical_events.of(cal).at((2027, 4, 6)) if "Easter" in str(c["SUMMARY"])]
        self.assertEqual(len(easter), 1)
        self.assertIn("Bring a friend.", str(easter[0]["DESCRIPTION"]))

    def test_edit_following_splits_into_two_series(self):
        cal = self.get_feed()
        tail = Event.objects.get(circle=self.cast.circle, title="First Tuesday physio Q&A (afternoon)")
        head = [s for u, s, _ in feed_occurrences(cal, *WINDOW) if u == calendars.uid_for(self.first_tuesday)]
        rest = [s for u, s, _ in feed_occurrences(cal, *WINDOW) if u == calendars.uid_for(tail)]
        self.assertEqual(len(head), 6)
        self.assertTrue(all(s < self.split_at for s in head))
        self.assertEqual(rest[0], datetime(2027, 7, 6, 12, 0, tzinfo=UTC))  # 13:00 BST
        self.assertEqual(len(rest), 5)  # July to November; the sixth, in December, is past the window

    def test_recurring_series_use_rrule_with_local_dtstart(self):
        text = self.client.get(feed_url(self.cast.circle)).content.decode()
        self.assertIn("DTSTART;TZID=Europe/London:20270302T180000", text)
        self.assertIn("RRULE:FREQ=WEEKLY;BYDAY=TU", text)
        self.assertIn("DTSTART;TZID=America/New_York:20271002T103000", text)
        self.assertIn("RRULE:FREQ=WEEKLY;INTERVAL=2", text)
        self.assertIn("RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=1TU", text)
        self.assertIn("METHOD:PUBLISH", text)

    def test_one_vtimezone_per_zone_used(self):
        cal = self.get_feed()
        zones = sorted(str(tz["TZID"]) for tz in cal.walk("VTIMEZONE"))
        self.assertEqual(zones, ["America/New_York", "Europe/London"])

    def test_moved_single_event_is_one_vevent_at_the_new_time(self):
        cal = self.get_feed()
        (vevent,) = [c for c in cal.walk("VEVENT") if str(c["UID"]) == calendars.uid_for(self.single)]
        self.assertNotIn("RECURRENCE-ID", vevent)
        self.assertEqual(vevent.decoded("DTSTART").astimezone(UTC), datetime(2027, 7, 18, 12, 0, tzinfo=UTC))

    def test_whole_cancelled_event_is_marked_cancelled(self):
        cal = self.get_feed()
        (master,) = [c for c in cal.walk("VEVENT") if str(c["UID"]) == calendars.uid_for(self.cancelled_event)]
        self.assertEqual(str(master["STATUS"]), "CANCELLED")

    def test_feed_has_no_meeting_link_and_no_email(self):
        response = self.client.get(feed_url(self.cast.circle))
        assert_private_bits_absent(self, response.content)
        cal = parse(response)
        online = [c for c in cal.walk("VEVENT") if str(c["UID"]) == calendars.uid_for(self.new_york_fortnightly)]
        self.assertEqual(str(online[0]["LOCATION"]), "Online")

    def test_response_headers(self):
        response = self.client.get(feed_url(self.cast.circle))
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], f'inline; filename="{self.cast.circle.slug}.ics"')

    def test_every_vevent_has_required_properties(self):
        for component in self.get_feed().walk("VEVENT"):
            for name in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"):
                self.assertIn(name, component)


class CircleFeedAccessTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.private = make_cast(visibility=Circle.PRIVATE)
        cls.hidden = make_cast(visibility=Circle.HIDDEN)
        for cast in (cls.cast, cls.private, cls.hidden):
            make_event(cast.circle, cast.facilitator, title=f"Meeting of {cast.circle.name}")

    def get(self, url: str, user: User | None = None, **extra: Any) -> Any:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client.get(url, **extra)

    def test_visitor_reads_public_circle_feed(self):
        response = self.get(feed_url(self.cast.circle))
        self.assertEqual(response.status_code, 200)
        self.assertIn(f"Meeting of {self.cast.circle.name}", response.content.decode())

    def test_visitor_and_outsider_get_404_for_private_and_hidden(self):
        for cast in (self.private, self.hidden):
            for user in (None, cast.outsider, self.cast.member):
                with self.subTest(circle=cast.circle.visibility, user=user):
                    self.assertEqual(self.get(feed_url(cast.circle), user).status_code, 404)

    def test_pending_applicant_gets_404(self):
        for cast in (self.private, self.hidden):
            self.assertEqual(self.get(feed_url(cast.circle), cast.pending).status_code, 404)

    def test_member_facilitator_and_staff_read_private_and_hidden(self):
        for cast in (self.private, self.hidden):
            for user in (cast.member, cast.facilitator, cast.staff):
                with self.subTest(circle=cast.circle.visibility, user=user.display_name):
                    response = self.get(feed_url(cast.circle), user)
                    self.assertEqual(response.status_code, 200)
                    self.assertIn(f"Meeting of {cast.circle.name}", response.content.decode())

    def test_removed_member_loses_the_feed(self):
        Membership.objects.filter(circle=self.hidden.circle, user=self.hidden.member).update(status=Membership.REMOVED)
        self.assertEqual(self.get(feed_url(self.hidden.circle), self.hidden.member).status_code, 404)

    def test_api_alias_with_bearer_token(self):
        _, key = ApiToken.issue(self.hidden.member)
        response = self.get(api_feed_url(self.hidden.circle), HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")

    def test_api_alias_outsider_token_gets_404(self):
        _, key = ApiToken.issue(self.hidden.outsider)
        response = self.get(api_feed_url(self.hidden.circle), HTTP_AUTHORIZATION=f"Bearer {key}")
        self.assertEqual(response.status_code, 404)

    def test_api_alias_ignores_the_session_cookie(self):
        self.assertEqual(self.get(api_feed_url(self.hidden.circle), self.hidden.member).status_code, 404)
        self.assertEqual(self.get(api_feed_url(self.cast.circle)).status_code, 200)

    def test_bad_bearer_tokens_get_401(self):
        for header in ["Bearer nonsense", "Bearer ", "Basic abc", "Bearer " + "x" * 5000, "Bearer a\x00b", "Bearer é"]:
            with self.subTest(header=header[:20]):
                response = self.get(api_feed_url(self.cast.circle), HTTP_AUTHORIZATION=header)
                self.assertEqual(response.status_code, 401)
                self.assertNotIn(b"BEGIN:VCALENDAR", response.content)

    def test_unknown_circle_gets_404(self):
        self.assertEqual(self.get("/c/no-such-circle/calendar.ics").status_code, 404)
        self.assertEqual(self.get("/api/v1/circles/no-such-circle/calendar.ics").status_code, 404)
        self.assertEqual(self.get("/c/%00/calendar.ics").status_code, 404)
        self.assertEqual(self.get("/c/" + "a" * 5000 + "/calendar.ics").status_code, 404)

    def test_post_is_not_allowed(self):
        self.assertEqual(Client().post(feed_url(self.cast.circle)).status_code, 405)

    def test_private_feeds_carry_no_emails(self):
        response = self.get(feed_url(self.hidden.circle), self.hidden.member)
        assert_private_bits_absent(self, response.content)


class CircleFeedQueryTests(KinshipTestCase):
    def test_queries_stay_flat(self):
        cast = make_cast(visibility=Circle.PRIVATE)
        circle, facilitator = cast.circle, cast.facilitator
        event = make_event(circle, facilitator, rrule="FREQ=WEEKLY;BYDAY=TU")
        self.client.force_login(cast.member)
        url = feed_url(circle)
        # session, user, circle, memberships, events, occurrences
        with self.assertNumQueries(6):
            self.assertEqual(self.client.get(url).status_code, 200)
        for week in range(1, 8):
            start = datetime(2027, 3, 2, 18, 0, tzinfo=LONDON) + timedelta(weeks=week)
            services.change_occurrence(
                actor=facilitator, event=event, original_start=start.astimezone(UTC), changes={"cancelled": week % 2}
            )
        for n in range(12):
            make_event(
                circle,
                facilitator,
                title=f"Meeting {n}",
                timezone="America/New_York" if n % 2 else "Europe/London",
                rrule="FREQ=MONTHLY;BYDAY=1TU" if n % 3 else "",
            )
        with self.assertNumQueries(6):
            self.assertEqual(self.client.get(url).status_code, 200)


class OccurrenceIcsTests(KinshipTestCase):
    """The single-occurrence calendar attached to reminder emails."""

    def test_one_occurrence_of_a_series(self):
        event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=8")
        slot = queries.expand([event], after=datetime(2027, 4, 1, tzinfo=UTC), before=datetime(2027, 4, 8, tzinfo=UTC))[
            0
        ]
        data = calendars.occurrence_ics(slot, base_url="https://kinship.example/")
        cal = icalendar.Calendar.from_ical(data)
        (vevent,) = cal.walk("VEVENT")
        self.assertEqual(str(cal["METHOD"]), "PUBLISH")
        self.assertEqual([str(z["TZID"]) for z in cal.walk("VTIMEZONE")], ["Europe/London"])
        self.assertEqual(str(vevent["UID"]), f"event-{event.pk}@kinship")
        self.assertEqual(vevent.decoded("RECURRENCE-ID").astimezone(UTC), slot.original_start)
        self.assertEqual(vevent.decoded("DTSTART").astimezone(UTC), datetime(2027, 4, 6, 17, 0, tzinfo=UTC))
        self.assertEqual(str(vevent.decoded("DTSTART").tzinfo), "Europe/London")
        self.assertEqual(str(vevent["URL"]), f"https://kinship.example{slot.get_absolute_url()}")
        self.assertEqual(str(vevent["LOCATION"]), "Maggie's Centre, 1 Hospital Road")
        self.assertNotIn("STATUS", vevent)

    def test_cancelled_occurrence_says_so(self):
        event = make_event(self.cast.circle, self.cast.facilitator, rrule="FREQ=WEEKLY;COUNT=8")
        start = datetime(2027, 3, 9, 18, 0, tzinfo=LONDON).astimezone(UTC)
        services.change_occurrence(
            actor=self.cast.facilitator, event=event, original_start=start, changes={"cancelled": True}
        )
        slot = queries.slot_for(Event.objects.get(pk=event.pk), start)
        assert slot is not None
        (vevent,) = icalendar.Calendar.from_ical(calendars.occurrence_ics(slot)).walk("VEVENT")
        self.assertEqual(str(vevent["STATUS"]), "CANCELLED")
        self.assertEqual(int(vevent["SEQUENCE"]), 1)
        self.assertNotIn("URL", vevent)

    def test_single_event_has_no_recurrence_id_and_no_link(self):
        event = make_event(
            self.cast.circle, self.cast.facilitator, online=True, meeting_link=MEETING_LINK, in_person=False, address=""
        )
        slot = queries.slot_for(event, event.starts_at)
        assert slot is not None
        data = calendars.occurrence_ics(slot)
        (vevent,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
        self.assertNotIn("RECURRENCE-ID", vevent)
        assert_private_bits_absent(self, data)


def going(member: User, event: Event, start: datetime, answer: str = "going") -> queries.Slot:
    slot = queries.slot_for(Event.objects.get(pk=event.pk), start.astimezone(UTC))
    assert slot is not None
    services.rsvp(member=member, event=event, original_start=slot.original_start, answer=answer)
    return slot


def member_feed_url(token: str) -> str:
    return reverse("events:member-feed") + "?token=" + token


class MemberFeedTests(KinshipTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.hidden = make_cast(visibility=Circle.HIDDEN)
        factories.add_member(cls.hidden.circle, cls.cast.member)
        cls.weekly = make_event(cls.cast.circle, cls.cast.facilitator, rrule="FREQ=WEEKLY;BYDAY=TU")
        cls.new_york = make_event(
            cls.hidden.circle,
            cls.hidden.facilitator,
            title="Hidden circle evening",
            timezone="America/New_York",
            start=datetime(2027, 3, 4, 19, 0),
            rrule="FREQ=WEEKLY;INTERVAL=2;COUNT=20",
            online=True,
            meeting_link=MEETING_LINK,
        )
        cls.small = make_event(cls.cast.circle, cls.cast.facilitator, title="Small workshop", capacity=1,
                               start=datetime(2027, 5, 1, 10, 0))  # fmt: skip
        member = cls.cast.member
        cls.mine = [
            going(member, cls.weekly, datetime(2027, 3, 23, 18, 0, tzinfo=LONDON)),
            going(member, cls.weekly, datetime(2027, 3, 30, 18, 0, tzinfo=LONDON)),  # after the UK change
            going(member, cls.weekly, datetime(2027, 11, 2, 18, 0, tzinfo=LONDON)),  # after the change back
            going(member, cls.new_york, datetime(2027, 3, 18, 19, 0, tzinfo=NEW_YORK)),  # after the US change
            going(member, cls.new_york, datetime(2027, 11, 11, 19, 0, tzinfo=NEW_YORK)),
        ]
        going(member, cls.weekly, datetime(2027, 4, 6, 18, 0, tzinfo=LONDON), answer="maybe")
        going(member, cls.weekly, datetime(2027, 4, 13, 18, 0, tzinfo=LONDON), answer="not_going")
        # Someone else's answers never show in the member's feed.
        cls.other = cls.hidden.member
        factories.add_member(cls.cast.circle, cls.other)
        going(cls.other, cls.new_york, datetime(2027, 4, 1, 19, 0, tzinfo=NEW_YORK))
        going(cls.other, cls.small, datetime(2027, 5, 1, 10, 0, tzinfo=LONDON))
        going(member, cls.small, datetime(2027, 5, 1, 10, 0, tzinfo=LONDON))  # full: waitlisted
        cls.token = calendars.regenerate_token(user=member)

    def get_feed(self, token: str | None = None) -> Any:
        return Client().get(member_feed_url(token or self.token))

    def test_feed_lists_exactly_the_dates_the_member_is_going_to(self):
        response = self.get_feed()
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn("inline;", response["Content-Disposition"])
        found = feed_occurrences(parse(response), *WINDOW)
        seated = listed_occurrences(self.mine)
        waitlisted = (calendars.uid_for(self.small), datetime(2027, 5, 1, 9, 0, tzinfo=UTC),
                      datetime(2027, 5, 1, 10, 30, tzinfo=UTC))  # fmt: skip
        self.assertEqual(found, sorted([*seated, waitlisted], key=lambda o: (o[1], o[0])))

    def test_matches_the_listed_occurrences_after_a_move(self):
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=self.weekly,
            original_start=self.mine[0].original_start,
            changes={"starts_at": datetime(2027, 3, 24, 18, 0, tzinfo=LONDON)},
        )
        found = feed_occurrences(parse(self.get_feed()), *WINDOW)
        self.assertIn((calendars.uid_for(self.weekly), datetime(2027, 3, 24, 18, 0, tzinfo=UTC),
                       datetime(2027, 3, 24, 19, 30, tzinfo=UTC)), found)  # fmt: skip
        self.assertNotIn(datetime(2027, 3, 23, 18, 0, tzinfo=UTC), [s for _, s, _ in found])

    def test_cancelled_date_is_marked_cancelled(self):
        services.change_occurrence(
            actor=self.cast.facilitator,
            event=self.weekly,
            original_start=self.mine[1].original_start,
            changes={"cancelled": True},
        )
        cal = parse(self.get_feed())
        (vevent,) = [
            c
            for c in cal.walk("VEVENT")
            if str(c["UID"]) == calendars.uid_for(self.weekly)
            and c.decoded("RECURRENCE-ID").astimezone(UTC) == self.mine[1].original_start
        ]
        self.assertEqual(str(vevent["STATUS"]), "CANCELLED")
        self.assertNotIn(self.mine[1].starts_at, [s for _, s, _ in feed_occurrences(cal, *WINDOW)])

    def test_waitlisted_date_says_so(self):
        cal = parse(self.get_feed())
        (vevent,) = [c for c in cal.walk("VEVENT") if str(c["UID"]) == calendars.uid_for(self.small)]
        self.assertEqual(str(vevent["STATUS"]), "TENTATIVE")
        self.assertIn("waitlist", str(vevent["SUMMARY"]))
        self.assertNotIn("RECURRENCE-ID", vevent)  # a single event

    def test_recurring_dates_carry_recurrence_id_and_local_time(self):
        text = self.get_feed().content.decode()
        self.assertIn("RECURRENCE-ID;TZID=Europe/London:20270330T180000", text)
        self.assertIn("DTSTART;TZID=America/New_York:20270318T190000", text)
        cal = icalendar.Calendar.from_ical(text)
        self.assertEqual(sorted(str(z["TZID"]) for z in cal.walk("VTIMEZONE")), ["America/New_York", "Europe/London"])

    def test_includes_hidden_circle_but_never_links_or_emails(self):
        response = self.get_feed()
        self.assertIn("Hidden circle evening", response.content.decode())
        assert_private_bits_absent(self, response.content)

    def test_never_shows_another_members_dates(self):
        other_token = calendars.regenerate_token(user=self.other)
        mine = {(u, s) for u, s, _ in feed_occurrences(parse(self.get_feed()), *WINDOW)}
        theirs = {(u, s) for u, s, _ in feed_occurrences(parse(self.get_feed(other_token)), *WINDOW)}
        self.assertNotIn((calendars.uid_for(self.new_york), datetime(2027, 4, 1, 23, 0, tzinfo=UTC)), mine)
        self.assertEqual(mine & theirs, {(calendars.uid_for(self.small), datetime(2027, 5, 1, 9, 0, tzinfo=UTC))})
        self.assertEqual(len(theirs), 2)

    def test_leaving_a_hidden_circle_drops_its_dates(self):
        Membership.objects.filter(circle=self.hidden.circle, user=self.cast.member).delete()
        self.assertNotIn("Hidden circle evening", self.get_feed().content.decode())

    def test_old_token_stops_working_after_regenerating(self):
        new = calendars.regenerate_token(user=self.cast.member)
        self.assertEqual(self.get_feed(self.token).status_code, 404)
        self.assertEqual(self.get_feed(new).status_code, 200)

    def test_inactive_member_feed_is_gone(self):
        User.objects.filter(pk=self.cast.member.pk).update(is_active=False)
        self.assertEqual(self.get_feed().status_code, 404)

    def test_bad_tokens_get_404(self):
        base = reverse("events:member-feed")
        for query in [
            "",
            "?token=",
            "?token=nonsense",
            "?token=" + "a" * 5000,
            "?token=%00" + self.token[1:],
            "?token=" + self.token + "%00",
            "?token=%C3%A9%C3%A9",
            "?token[]=" + self.token,
            "?token=" + self.token.upper(),
        ]:
            with self.subTest(query=query[:30]):
                response = Client().get(base + query)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn(b"VCALENDAR", response.content)

    def test_session_alone_does_not_open_the_feed(self):
        self.client.force_login(self.cast.member)
        self.assertEqual(self.client.get(reverse("events:member-feed")).status_code, 404)

    def test_api_alias(self):
        response = Client().get(reverse("api-member-feed") + "?token=" + self.token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Client().get(reverse("api-member-feed") + "?token=x").status_code, 404)

    def test_post_is_not_allowed(self):
        self.assertEqual(Client().post(member_feed_url(self.token)).status_code, 405)

    def test_queries_stay_flat(self):
        # token, memberships, answers
        with self.assertNumQueries(3):
            self.get_feed()
        for week in range(20, 35):
            going(self.cast.member, self.weekly, datetime(2027, 3, 2, 18, 0, tzinfo=LONDON) + timedelta(weeks=week))
        with self.assertNumQueries(3):
            response = self.get_feed()
        self.assertEqual(len(parse(response).walk("VEVENT")), 21)
