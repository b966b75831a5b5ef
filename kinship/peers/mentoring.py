"""Peer mentoring: who may see and do what, every write, and the reads pages and API share.

- **Access.** Verified members look for a mentor and see approved mentors' matching fields (display
  name, recovery context for matching, languages, age band, topics, availability), never an email.
  A mentorship is visible to its mentee, its mentor and staff; everyone else gets 404. Feedback left
  on ending is for staff only, and each staff look at a mentorship is written to the audit log.
- **Services.** Apply or edit one's mentor profile, pause/resume oneself, staff decisions (approve,
  decline, pause, resume, retire), request a mentor, accept/decline (mentor, within `respond_by`),
  withdraw (mentee), end with optional private feedback (either side). Each raises a `core.errors`
  error when it refuses. The expiry sweep lives in tasks_mentoring.py.
- **Queries.** Candidates for matching, a member's mentorships, the staff programme: fixed query counts.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.dateparse import parse_date

from kinship.accounts.models import User
from kinship.accounts.two_factor import has_two_factor
from kinship.core import ratelimit
from kinship.core.converters import id_or_404
from kinship.core.errors import Conflict, Invalid, NotAllowed
from kinship.core.forms import GENERIC
from kinship.core.text import clean_line, clean_text
from kinship.peers import matching
from kinship.peers.models import AGE_BAND_CHOICES, GENDER_CHOICES, MentorProfile, Mentorship
from kinship.safety import audit

RESPOND_DAYS = 7
SUGGESTIONS_SHOWN = 20
REQUESTS_PER_DAY = 10
NEEDS = ("", "preferred", "required")
SURGERY_TYPES = [value for value, _ in User.SURGERY_CHOICES]
AGE_BANDS = [value for value, _ in AGE_BAND_CHOICES]
GENDERS = [value for value, _ in GENDER_CHOICES if value]
LANGUAGES = sorted(matching.LANGUAGE_NAMES)
CRITERION_LABELS = {
    matching.SURGERY_TYPE: "Surgery type",
    matching.BODY_SITE: "Body site",
    matching.DIAGNOSIS: "Diagnosis",
    matching.AGE_BAND: "Age band",
    matching.LANGUAGE: "Language",
    matching.GENDER: "Gender",
}
STAFF_ACTIONS = ("approve", "decline", "pause", "resume", "retire")
# Which staff action may follow which status.
STAFF_MOVES = {
    "approve": {MentorProfile.APPLIED, MentorProfile.DECLINED, MentorProfile.RETIRED},
    "decline": {MentorProfile.APPLIED},
    "pause": {MentorProfile.APPROVED},
    "resume": {MentorProfile.PAUSED},
    "retire": {MentorProfile.APPROVED, MentorProfile.PAUSED},
}
STAFF_RESULT = {
    "approve": MentorProfile.APPROVED,
    "decline": MentorProfile.DECLINED,
    "pause": MentorProfile.PAUSED,
    "resume": MentorProfile.APPROVED,
    "retire": MentorProfile.RETIRED,
}


# Access -------------------------------------------------------------------------------------


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and bool(getattr(user, "is_active", False))


def is_staff(user: Any) -> bool:
    # Staff powers need two-step sign-in (accounts.two_factor); without it staff act as any member.
    return _signed_in(user) and bool(getattr(user, "is_staff", False)) and has_two_factor(user)


def can_seek(user: Any) -> bool:
    """Verified members look for a mentor, request one and see approved mentors' matching fields."""
    return _signed_in(user) and bool(getattr(user, "is_verified", False))


def can_apply(user: Any) -> bool:
    """Verified members apply to mentor."""
    return can_seek(user)


def can_see(user: Any, mentorship: Mentorship) -> bool:
    """Its mentee, its mentor and staff; nobody else."""
    if not _signed_in(user):
        return False
    return is_staff(user) or user.pk in (mentorship.mentee_id, mentorship.mentor_id)


def get_mentorship_for(user: Any, mentorship_id: Any) -> Mentorship:
    """The mentorship with both people, or Http404 when missing or not the user's to see."""
    found = Mentorship.objects.select_related("mentee", "mentor").filter(pk=id_or_404(mentorship_id)).first()
    if found is None or not can_see(user, found):
        raise Http404("No such mentorship.")
    return found


def look_at(user: User, mentorship: Mentorship) -> None:
    """A staff look at someone else's mentorship (its message and feedback) goes to the audit log."""
    if is_staff(user) and user.pk not in (mentorship.mentee_id, mentorship.mentor_id):
        audit.record(actor=user, action="mentorship.viewed", target=mentorship)


def own_profile(user: Any) -> MentorProfile | None:
    if not _signed_in(user):
        return None
    return MentorProfile.objects.filter(user=user).first()


# Input --------------------------------------------------------------------------------------


def _choice(value: Any, choices: list[str], *, field: str, message: str, blank: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str) or (value not in choices and not (blank and value == "")):
        raise Invalid(message, errors={field: [message]})
    return value


def _bool(value: Any) -> bool:
    """A checkbox ("on", "true", "1") or JSON boolean."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in ("on", "true", "1", "yes")


def _surgery_date(value: Any, today: date) -> date | None:
    message = "Give the surgery date as a date in the past (YYYY-MM-DD), or leave it empty."
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = parse_date(value.strip()) if len(value) <= 20 else None
        except ValueError:
            value = None
    if not isinstance(value, date) or value > today or value.year < 1900:
        raise Invalid(message, errors={"surgery_date": [message]})
    return value


def _languages(value: Any) -> str:
    message = f"Choose languages from the list ({', '.join(LANGUAGES)})."
    if value in (None, ""):
        return ""
    codes = value.split(",") if isinstance(value, str) else value
    if not isinstance(codes, (list, tuple)) or len(codes) > len(LANGUAGES):
        raise Invalid(message, errors={"languages": [message]})
    clean: list[str] = []
    for code in codes:
        if not isinstance(code, str) or code.strip() not in LANGUAGES:
            raise Invalid(message, errors={"languages": [message]})
        if code.strip() not in clean:
            clean.append(code.strip())
    return ",".join(clean)


def _capacity(value: Any) -> int:
    message = f"Choose how many mentees you can take at once, from 1 to {MentorProfile.CAPACITY_MAX}."
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 3:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MentorProfile.CAPACITY_MAX:
        raise Invalid(message, errors={"capacity": [message]})
    return value


PROFILE_FIELDS = (
    "diagnosis", "surgery_type", "body_site", "surgery_date", "languages", "age_band", "gender",
    "topics", "availability", "capacity",
)  # fmt: skip


def _clean_profile(data: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The fields present in `data`, checked all at once so a form shows every problem together."""
    cleaners = {
        "diagnosis": lambda v: clean_line(v, field="diagnosis", label="Diagnosis", max_length=120),
        "surgery_type": lambda v: _choice(
            v, SURGERY_TYPES, field="surgery_type", message="Choose a surgery type from the list."
        ),
        "body_site": lambda v: clean_line(v, field="body_site", label="Body site", max_length=80),
        "surgery_date": lambda v: _surgery_date(v, today),
        "languages": _languages,
        "age_band": lambda v: _choice(v, AGE_BANDS, field="age_band", message="Choose an age band from the list."),
        "gender": lambda v: _choice(v, GENDERS, field="gender", message="Choose a gender from the list, or none."),
        "topics": lambda v: clean_text(v, field="topics", label="What you can talk about", max_length=1000),
        "availability": lambda v: clean_line(v, field="availability", label="Availability", max_length=300),
        "capacity": _capacity,
    }
    clean: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    details: list[str] = []
    for name in PROFILE_FIELDS:
        if name not in data:
            continue
        try:
            clean[name] = cleaners[name](data[name])
        except Invalid as exc:
            errors.update(exc.errors)
            details.append(exc.detail)
    if errors:
        raise Invalid(details[0] if len(details) == 1 else GENERIC, errors=errors)
    return clean


def parse_preferences(data: Mapping[str, Any], *, mentee: User | None = None) -> matching.Preferences:
    """Preferences from a form, a query string or JSON: `<criterion>` (the value wanted) and
    `<criterion>_need` ("" for doesn't matter, "preferred", "required"), and `waive_further_along`.

    A value without a need counts as preferred. The mentee's own surgery date (from their profile)
    sets "further along".
    """
    wishes: dict[str, matching.Wish] = {}
    errors: dict[str, list[str]] = {}
    for criterion in matching.CRITERIA:
        label = CRITERION_LABELS[criterion]
        need = data.get(f"{criterion}_need", "")
        if need is None:
            need = ""
        if need not in NEEDS:
            errors[f"{criterion}_need"] = ["Choose doesn't matter, preferred or required."]
            continue
        raw = data.get(criterion, "")
        try:
            if criterion == matching.SURGERY_TYPE:
                value = _choice(raw, SURGERY_TYPES, field=criterion, message="Choose a surgery type from the list.")
            elif criterion == matching.AGE_BAND:
                value = _choice(raw, AGE_BANDS, field=criterion, message="Choose an age band from the list.")
            elif criterion == matching.GENDER:
                value = _choice(raw, GENDERS, field=criterion, message="Choose a gender from the list.")
            elif criterion == matching.LANGUAGE:
                value = _choice(raw, LANGUAGES, field=criterion, message="Choose a language from the list.")
            else:
                max_length = 120 if criterion == matching.DIAGNOSIS else 80
                value = clean_line(raw, field=criterion, label=label, max_length=max_length)
        except Invalid as exc:
            errors.update(exc.errors)
            continue
        if need and not value:
            errors[criterion] = [f"Say which {label.lower()} you want, or choose \u201cdoesn't matter\u201d."]
            continue
        # A value with no need given at all counts as preferred; an explicit "" is "doesn't matter".
        if value and (need != "" or f"{criterion}_need" not in data):
            wishes[criterion] = matching.Wish(value=value, required=need == "required")
    if errors:
        raise Invalid(GENERIC if len(errors) > 1 else next(iter(errors.values()))[0], errors=errors)
    return matching.Preferences(
        wishes=wishes,
        surgery_date=getattr(mentee, "surgery_date", None),
        waive_further_along=_bool(data.get("waive_further_along", False)),
    )


def preferences_as_data(preferences: matching.Preferences) -> dict[str, Any]:
    """The flat form of preferences (as parse_preferences reads it): stored on the request and sent back."""
    data: dict[str, Any] = {}
    for criterion, wish in preferences.wishes.items():
        data[criterion] = wish.value
        data[f"{criterion}_need"] = "required" if wish.required else "preferred"
    data["waive_further_along"] = preferences.waive_further_along
    return data


def default_preferences(user: User) -> dict[str, Any]:
    """What the find page starts from: the member's own surgery type and body site, preferred."""
    data: dict[str, Any] = {}
    if user.surgery_type:
        data.update({"surgery_type": user.surgery_type, "surgery_type_need": "preferred"})
    if user.body_site:
        data.update({"body_site": user.body_site, "body_site_need": "preferred"})
    return data


# Services: mentor profiles -----------------------------------------------------------------


@transaction.atomic
def save_application(*, user: User, data: Mapping[str, Any]) -> MentorProfile:
    """Apply to mentor, or edit one's own mentor profile.

    A first application needs `accept_guidelines` true; a declined or retired member who saves again
    applies anew (and accepts the guidelines again). An approved or paused mentor's edit keeps their
    status. Raises NotAllowed for unverified accounts and Invalid naming each bad field.
    """
    if not can_apply(user):
        raise NotAllowed("Verify your email address before applying to mentor.")
    today = timezone.localdate()
    clean = _clean_profile(data, today)
    profile = MentorProfile.objects.select_for_update().filter(user=user).first()
    reapplying = profile is None or profile.status in (MentorProfile.DECLINED, MentorProfile.RETIRED)
    if reapplying and not _bool(data.get("accept_guidelines")):
        message = "Please read and accept the mentor guidelines to apply."
        raise Invalid(message, errors={"accept_guidelines": [message]})
    now = timezone.now()
    if profile is None:
        defaults = {
            "diagnosis": user.diagnosis,
            "surgery_type": user.surgery_type,
            "body_site": user.body_site,
            "surgery_date": user.surgery_date,
        }
        try:
            with transaction.atomic():
                return MentorProfile.objects.create(
                    user=user, guidelines_accepted_at=now, status=MentorProfile.APPLIED, **{**defaults, **clean}
                )
        except IntegrityError:
            raise Conflict("Your application was just saved; reload the page to see it.") from None
    for name, value in clean.items():
        setattr(profile, name, value)
    fields = [*clean, "updated_at"]
    if reapplying:
        profile.status = MentorProfile.APPLIED
        profile.guidelines_accepted_at = now
        profile.paused_by_self = False
        profile.decided_by = None
        profile.decided_at = None
        fields += ["status", "guidelines_accepted_at", "paused_by_self", "decided_by", "decided_at"]
    profile.save(update_fields=fields)
    return profile


@transaction.atomic
def set_own_pause(*, user: User, paused: bool) -> MentorProfile:
    """A mentor pauses themselves (no new requests) or resumes; staff pauses only staff lift.

    Raises NotAllowed without an approved or paused profile, Conflict when staff paused them.
    """
    profile = MentorProfile.objects.select_for_update().filter(user=user).first()
    if profile is None or profile.status not in (MentorProfile.APPROVED, MentorProfile.PAUSED):
        raise NotAllowed("Only approved mentors can pause or resume mentoring.")
    if paused and profile.status == MentorProfile.APPROVED:
        profile.status, profile.paused_by_self = MentorProfile.PAUSED, True
    elif not paused and profile.status == MentorProfile.PAUSED:
        if not profile.paused_by_self:
            raise Conflict("The Kinship staff paused your mentoring; please write to them to resume.")
        profile.status, profile.paused_by_self = MentorProfile.APPROVED, False
    else:
        return profile
    profile.save(update_fields=["status", "paused_by_self", "updated_at"])
    return profile


@transaction.atomic
def decide(*, staff: User, profile: MentorProfile, action: Any) -> MentorProfile:
    """Staff approve, decline, pause, resume or retire a mentor; each decision is audited.

    Retiring declines the requests still waiting for that mentor (their mentees are told); active
    mentorships go on until one side ends them. Raises NotAllowed for non-staff, Invalid for an unknown
    action and Conflict for one that does not fit the current status.
    """
    if not is_staff(staff):
        raise NotAllowed("Only staff decide on mentors.")
    if not isinstance(action, str) or action not in STAFF_ACTIONS:
        raise Invalid("Choose approve, decline, pause, resume or retire.", errors={"action": ["Unknown action."]})
    locked = MentorProfile.objects.select_for_update().get(pk=profile.pk)
    if locked.status not in STAFF_MOVES[action]:
        raise Conflict(f"A mentor who is {locked.get_status_display().lower()} cannot be given \u201c{action}\u201d.")
    locked.status = STAFF_RESULT[action]
    locked.paused_by_self = False
    locked.decided_by = staff
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "paused_by_self", "decided_by", "decided_at", "updated_at"])
    audit.record(actor=staff, action=f"mentor.{action}", target=locked)
    if action == "retire":
        waiting = list(
            Mentorship.objects.select_for_update().filter(mentor_id=locked.user_id, status=Mentorship.REQUESTED)
        )
        for mentorship in waiting:
            _close_request(mentorship, Mentorship.DECLINED)
    return locked


# Services: mentorships ---------------------------------------------------------------------


def _tell(task_name: str, mentorship_id: int) -> None:
    from kinship.peers import tasks_mentoring

    job = getattr(tasks_mentoring, task_name)
    transaction.on_commit(lambda: job.enqueue(mentorship_id))


def _close_request(mentorship: Mentorship, status: str) -> None:
    mentorship.status = status
    mentorship.responded_at = timezone.now()
    mentorship.save(update_fields=["status", "responded_at", "updated_at"])
    _tell("send_mentorship_answer", mentorship.pk)


def _candidate(profile: MentorProfile, holding: int) -> matching.Candidate:
    return matching.Candidate(
        user_id=profile.user_id,
        status=profile.status,
        capacity=profile.capacity,
        holding=holding,
        diagnosis=profile.diagnosis,
        surgery_type=profile.surgery_type,
        body_site=profile.body_site,
        surgery_date=profile.surgery_date,
        languages=tuple(profile.language_list),
        age_band=profile.age_band,
        gender=profile.gender,
    )


def _mentor_id(value: Any) -> int | None:
    if isinstance(value, User):
        return value.pk
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value.strip()) < 19:
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        return None
    return value


@transaction.atomic
def request_mentor(*, mentee: User, mentor: Any, message: Any = "", preferences: Any = None) -> Mentorship:
    """The mentee asks one mentor, who answers within RESPOND_DAYS.

    The mentor must be a suggestion for these preferences right now (approved, a free place, further
    along unless waived, every required preference met). A mentee holds one request or mentorship at a
    time. The same request sent again (a double tap) returns the first. Raises NotAllowed (unverified),
    Invalid (bad field, not a suggestion), Conflict (already asked or mentored, no free place), RateLimited.
    """
    if not can_seek(mentee):
        raise NotAllowed("Verify your email address before asking for a mentor.")
    clean_message = clean_text(message, field="message", label="Message", max_length=Mentorship.MESSAGE_MAX)
    if preferences is None:
        preferences = {}
    if not isinstance(preferences, Mapping):
        raise Invalid("Preferences must be an object.", errors={"preferences": ["Must be an object."]})
    wanted = parse_preferences(preferences, mentee=mentee)
    mentor_id = _mentor_id(mentor)
    # Lock the mentor's profile: two mentees taking the last place must not both get it.
    profile = (
        MentorProfile.objects.select_for_update().filter(user_id=mentor_id, user__is_active=True).first()
        if mentor_id is not None
        else None
    )
    if profile is None or profile.status != MentorProfile.APPROVED or mentor_id == mentee.pk:
        message_text = "Choose a mentor from your suggestions."
        raise Invalid(message_text, errors={"mentor_id": [message_text]})
    held = list(Mentorship.objects.filter(mentee=mentee, status__in=Mentorship.HOLDING).select_related("mentor"))
    for existing in held:
        if (
            existing.mentor_id == mentor_id
            and existing.message == clean_message
            and existing.status == Mentorship.REQUESTED
        ):
            return existing
    if held:
        other = held[0]
        if other.status == Mentorship.ACTIVE:
            raise Conflict(f"{other.mentor.display_name} is already your mentor. End that mentorship first.")
        raise Conflict(
            f"You asked {other.mentor.display_name} already. Wait for their answer or withdraw that request first."
        )
    holding = Mentorship.objects.filter(mentor_id=mentor_id, status__in=Mentorship.HOLDING).count()
    candidate = _candidate(profile, holding)
    if candidate.free_places <= 0:
        raise Conflict(f"{profile.user.display_name} has no free place right now. Please choose another mentor.")
    if (
        matching.evaluate(wanted, candidate, mentee_id=mentee.pk, excluded=frozenset(), today=timezone.localdate())
        is None
    ):
        message_text = "This mentor does not match what you required. Choose one from your suggestions."
        raise Invalid(message_text, errors={"mentor_id": [message_text]})
    ratelimit.check(
        "mentor-request",
        str(mentee.pk),
        limit=REQUESTS_PER_DAY,
        window=86400,
        message=f"You have asked {REQUESTS_PER_DAY} mentors today. Please wait a day before asking another.",
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            mentorship = Mentorship.objects.create(
                mentee=mentee,
                mentor_id=profile.user_id,
                status=Mentorship.REQUESTED,
                preferences=preferences_as_data(wanted),
                message=clean_message,
                respond_by=now + timedelta(days=RESPOND_DAYS),
            )
    except IntegrityError:
        raise Conflict("You already have an open request to this mentor.") from None
    _tell("send_mentor_request", mentorship.pk)
    return mentorship


def _locked(mentorship: Mentorship) -> Mentorship:
    return Mentorship.objects.select_for_update().get(pk=mentorship.pk)


def _refresh(target: Mentorship, source: Mentorship) -> Mentorship:
    for name in ("status", "responded_at", "ended_at", "ended_by_id", "feedback", "updated_at"):
        setattr(target, name, getattr(source, name))
    return target


@transaction.atomic
def answer(*, mentor: User, mentorship: Mentorship, accept: bool) -> Mentorship:
    """The mentor accepts or declines a request before `respond_by`; the mentee is told by email.

    Raises NotAllowed for anyone but the mentor, Conflict when it is no longer waiting or too late.
    """
    if mentor.pk != mentorship.mentor_id:
        raise NotAllowed("Only the mentor who was asked can answer this request.")
    locked = _locked(mentorship)
    if locked.status != Mentorship.REQUESTED:
        raise Conflict(f"This request is no longer waiting for an answer ({locked.get_status_display().lower()}).")
    if locked.respond_by <= timezone.now():
        raise Conflict("The time to answer this request has passed.")
    _close_request(locked, Mentorship.ACTIVE if accept else Mentorship.DECLINED)
    return _refresh(mentorship, locked)


@transaction.atomic
def withdraw(*, mentee: User, mentorship: Mentorship) -> Mentorship:
    """The mentee withdraws a request still waiting. Raises NotAllowed / Conflict."""
    if mentee.pk != mentorship.mentee_id:
        raise NotAllowed("Only the member who asked can withdraw this request.")
    locked = _locked(mentorship)
    if locked.status != Mentorship.REQUESTED:
        raise Conflict("This request is no longer waiting, so it cannot be withdrawn.")
    locked.status = Mentorship.WITHDRAWN
    locked.responded_at = timezone.now()
    locked.save(update_fields=["status", "responded_at", "updated_at"])
    return _refresh(mentorship, locked)


@transaction.atomic
def end(*, actor: User, mentorship: Mentorship, feedback: Any = "") -> Mentorship:
    """Either side ends an active mentorship, optionally with feedback only staff read.

    Raises NotAllowed for anyone else, Invalid for bad feedback, Conflict when it is not active.
    """
    if actor.pk not in (mentorship.mentee_id, mentorship.mentor_id):
        raise NotAllowed("Only the mentee and the mentor can end this mentorship.")
    text = clean_text(feedback, field="feedback", label="Feedback", max_length=2000)
    locked = _locked(mentorship)
    if locked.status != Mentorship.ACTIVE:
        raise Conflict("Only an active mentorship can be ended.")
    locked.status = Mentorship.ENDED
    locked.ended_at = timezone.now()
    locked.ended_by = actor
    locked.feedback = text
    locked.save(update_fields=["status", "ended_at", "ended_by", "feedback", "updated_at"])
    return _refresh(mentorship, locked)


# Queries -----------------------------------------------------------------------------------


def _holding_count() -> Count:
    return Count("user__mentorships_as_mentor", filter=Q(user__mentorships_as_mentor__status__in=Mentorship.HOLDING))


def approved_profiles() -> QuerySet[MentorProfile]:
    """Approved mentors with active accounts, with the places they hold (`holding`)."""
    return (
        MentorProfile.objects.filter(status=MentorProfile.APPROVED, user__is_active=True)
        .select_related("user")
        .annotate(holding=_holding_count())
    )


@dataclass
class ShownSuggestion:
    profile: MentorProfile
    suggestion: matching.Suggestion


def suggestions(mentee: User, preferences: matching.Preferences) -> list[ShownSuggestion]:
    """Ranked suggestions for the mentee with each mentor's profile: two queries whatever the numbers."""
    profiles = {p.user_id: p for p in approved_profiles()}
    excluded = frozenset(
        Mentorship.objects.filter(mentee=mentee, status__in=Mentorship.HOLDING).values_list("mentor_id", flat=True)
    )
    candidates = [_candidate(p, p.holding) for p in profiles.values()]  # type: ignore[attr-defined]
    ranked = matching.rank(
        preferences,
        candidates,
        mentee_id=mentee.pk,
        excluded=excluded,
        today=timezone.localdate(),
        limit=SUGGESTIONS_SHOWN,
    )
    return [ShownSuggestion(profile=profiles[s.candidate.user_id], suggestion=s) for s in ranked]


def open_mentorship(mentee: User) -> Mentorship | None:
    """The request or mentorship the mentee holds, if any (a mentee holds one at a time)."""
    return Mentorship.objects.filter(mentee=mentee, status__in=Mentorship.HOLDING).select_related("mentor").first()


def mentorships_of(user: User) -> list[Mentorship]:
    """The member's mentorships both ways, newest first (one query)."""
    return list(Mentorship.objects.filter(Q(mentee=user) | Q(mentor=user)).select_related("mentee", "mentor")[:100])


def wait_words(span: timedelta | None) -> str:
    """A waiting time in words: "3 days", "5 hours", "under an hour"."""
    if span is None:
        return ""
    if span >= timedelta(days=2):
        return f"{span.days} days"
    hours = int(span.total_seconds() // 3600)
    if hours >= 2:
        return f"{hours} hours"
    return "an hour" if hours == 1 else "under an hour"


@dataclass
class Programme:
    applications: list[MentorProfile]
    mentors: list[MentorProfile]
    open_requests: list[Mentorship]
    active: list[Mentorship]
    longest_wait: timedelta | None
    average_answer: timedelta | None

    @property
    def longest_wait_text(self) -> str:
        return wait_words(self.longest_wait)

    @property
    def average_answer_text(self) -> str:
        return wait_words(self.average_answer)


def programme(now: datetime | None = None) -> Programme:
    """The staff view of the programme in four queries: applications, mentors with their load, open
    requests with how long each has waited, active pairs, and the average time to an answer."""
    now = now or timezone.now()
    profiles = list(
        MentorProfile.objects.exclude(status=MentorProfile.DECLINED)
        .select_related("user")
        .annotate(holding=_holding_count())
        .order_by("status", "created_at", "pk")[:500]
    )
    current = list(
        Mentorship.objects.filter(status__in=Mentorship.HOLDING)
        .select_related("mentee", "mentor")
        .order_by("created_at", "pk")[:500]
    )
    open_requests = [m for m in current if m.status == Mentorship.REQUESTED]
    for request in open_requests:
        request.waiting = now - request.created_at  # type: ignore[attr-defined]
        request.waiting_text = wait_words(request.waiting)  # type: ignore[attr-defined]
    answered = list(
        Mentorship.objects.filter(
            responded_at__isnull=False, status__in=[Mentorship.ACTIVE, Mentorship.ENDED, Mentorship.DECLINED]
        )
        .order_by("-responded_at")
        .values_list("created_at", "responded_at")[:200]
    )
    average = sum((r - c for c, r in answered if r is not None), timedelta()) / len(answered) if answered else None
    return Programme(
        applications=[p for p in profiles if p.status == MentorProfile.APPLIED],
        mentors=[p for p in profiles if p.status != MentorProfile.APPLIED],
        open_requests=open_requests,
        active=[m for m in current if m.status == Mentorship.ACTIVE],
        longest_wait=max((m.waiting for m in open_requests), default=None),  # type: ignore[attr-defined]
        average_answer=average,
    )


def get_profile_for_staff(user: Any, profile_id: Any) -> MentorProfile:
    if not is_staff(user):
        raise Http404("No such mentor profile.")
    found = MentorProfile.objects.select_related("user").filter(pk=id_or_404(profile_id)).first()
    if found is None:
        raise Http404("No such mentor profile.")
    return found


def due_requests(now: datetime) -> list[Mentorship]:
    """Requests still waiting past `respond_by`, oldest first."""
    return list(
        Mentorship.objects.filter(status=Mentorship.REQUESTED, respond_by__lte=now).order_by("respond_by", "pk")[:500]
    )
