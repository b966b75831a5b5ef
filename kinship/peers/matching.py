"""Mentor matching: a pure function from a mentee's preferences and the mentors on offer to a ranked list.

No ORM here: `kinship.peers.mentoring` loads the candidates (plain `Candidate` values) and passes them in,
so the ranking is tested on hand-made cases and by property tests.

The rules, in order:

1. Never the mentee themselves, nor a mentor they already have an open request or active mentorship with.
2. Only approved mentors with a free place: capacity minus the requests and mentorships they hold.
3. The mentor is at least `FURTHER_ALONG_MONTHS` further along since surgery than the mentee (or, when the
   mentee gave no surgery date, that long since their own surgery), unless the mentee waives it.
4. Required preferences filter; preferred ones add their weight to the score.
5. Higher score first, then more free places, then the longer road, then the lower user id (stable ties).

Each suggestion carries its reasons in plain words: "both had limb salvage of the femur; both speak
Spanish; 2 years further along".
"""

import re
from dataclasses import dataclass, field
from datetime import date

FURTHER_ALONG_MONTHS = 12

SURGERY_TYPE = "surgery_type"
BODY_SITE = "body_site"
DIAGNOSIS = "diagnosis"
AGE_BAND = "age_band"
LANGUAGE = "language"
GENDER = "gender"
CRITERIA = (SURGERY_TYPE, BODY_SITE, DIAGNOSIS, AGE_BAND, LANGUAGE, GENDER)
# What a preferred criterion adds when it matches: the road itself counts more than who walked it.
WEIGHTS = {SURGERY_TYPE: 3, BODY_SITE: 3, DIAGNOSIS: 2, LANGUAGE: 2, AGE_BAND: 1, GENDER: 1}

APPROVED = "approved"

SURGERY_WORDS = {
    "limb_salvage": "limb salvage",
    "amputation": "an amputation",
    "rotationplasty": "a rotationplasty",
    "other": "bone surgery",
}
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "it": "Italian",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "zh": "Chinese",
}
AGE_BAND_WORDS = {
    "13-17": "13 to 17",
    "18-24": "18 to 24",
    "25-39": "25 to 39",
    "40-59": "40 to 59",
    "60+": "60 or over",
}
GENDER_WORDS = {"woman": "a woman", "man": "a man", "nonbinary": "non-binary"}
# Bones and joints a body site names; two sites match when they share one ("Left distal femur" and
# "Right femur, above-knee" are both the femur). Longer words first so "femoral" is not "femur" twice.
SITE_WORDS = {
    "femur": "femur",
    "femoral": "femur",
    "tibia": "tibia",
    "tibial": "tibia",
    "fibula": "fibula",
    "humerus": "humerus",
    "humeral": "humerus",
    "pelvis": "pelvis",
    "pelvic": "pelvis",
    "sacrum": "sacrum",
    "spine": "spine",
    "knee": "knee",
    "hip": "hip",
    "shoulder": "shoulder",
    "elbow": "elbow",
    "ankle": "ankle",
    "radius": "radius",
    "ulna": "ulna",
    "scapula": "scapula",
    "rib": "ribs",
    "ribs": "ribs",
    "jaw": "jaw",
    "foot": "foot",
    "hand": "hand",
}


@dataclass(frozen=True)
class Candidate:
    """A mentor as matching sees them: their own statement for matching, and their load."""

    user_id: int
    status: str
    capacity: int
    holding: int  # requests waiting for them plus active mentorships
    diagnosis: str = ""
    surgery_type: str = ""
    body_site: str = ""
    surgery_date: date | None = None
    languages: tuple[str, ...] = ()
    age_band: str = ""
    gender: str = ""

    @property
    def free_places(self) -> int:
        return max(0, self.capacity - self.holding)


@dataclass(frozen=True)
class Wish:
    """One criterion the mentee cares about: the value they want and whether it is a must."""

    value: str
    required: bool = False


@dataclass(frozen=True)
class Preferences:
    wishes: dict[str, Wish] = field(default_factory=dict)
    # The mentee's own surgery date (None: they did not say), for "further along".
    surgery_date: date | None = None
    waive_further_along: bool = False


@dataclass(frozen=True)
class Suggestion:
    candidate: Candidate
    score: int
    months_further: int | None
    reasons: tuple[str, ...]

    @property
    def reason_text(self) -> str:
        return "; ".join(self.reasons)


def months_between(earlier: date, later: date) -> int:
    """Whole months completed from `earlier` to `later` (negative when `later` is before)."""
    months = (later.year - earlier.year) * 12 + (later.month - earlier.month)
    return months - 1 if later.day < earlier.day else months


def site_words(text: str) -> set[str]:
    """The bones and joints a body site names, lower case ("Left distal femur" -> {"femur"})."""
    words = re.findall(r"[a-z]+", text.lower())
    return {SITE_WORDS[w] for w in words if w in SITE_WORDS}


def _norm(text: str) -> str:
    return " ".join(text.lower().split())


def _matches(criterion: str, wanted: str, mentor: Candidate) -> str | None:
    """The shared thing in words when the mentor matches the wanted value, else None."""
    if criterion == SURGERY_TYPE:
        return SURGERY_WORDS.get(wanted, wanted) if mentor.surgery_type == wanted else None
    if criterion == BODY_SITE:
        shared = site_words(wanted) & site_words(mentor.body_site)
        if shared:
            return sorted(shared)[0]
        # A site with no bone we know ("left side") matches only the same words.
        if not site_words(wanted) and _norm(wanted) and _norm(wanted) == _norm(mentor.body_site):
            return _norm(wanted)
        return None
    if criterion == DIAGNOSIS:
        return _norm(wanted) if _norm(wanted) and _norm(wanted) == _norm(mentor.diagnosis) else None
    if criterion == LANGUAGE:
        return LANGUAGE_NAMES.get(wanted, wanted) if wanted in mentor.languages else None
    if criterion == AGE_BAND:
        return AGE_BAND_WORDS.get(wanted, wanted) if mentor.age_band == wanted else None
    if criterion == GENDER:
        return GENDER_WORDS.get(wanted, wanted) if mentor.gender == wanted else None
    return None


def _road_words(months: int) -> str:
    if months >= 24:
        years = months // 12
        return f"{years} years further along"
    if months >= 12:
        return "a year further along" if months < 18 else "a year and a half further along"
    if months > 0:
        return f"{months} month{'s' if months != 1 else ''} further along"
    return "about as far along as you"


def _reasons(matched: dict[str, str], months_further: int | None) -> list[str]:
    reasons = []
    surgery, site = matched.get(SURGERY_TYPE), matched.get(BODY_SITE)
    if surgery and site:
        reasons.append(f"both had {surgery} of the {site}")
    elif surgery:
        reasons.append(f"both had {surgery}")
    elif site:
        reasons.append(f"both had surgery on the {site}")
    if DIAGNOSIS in matched:
        reasons.append(f"both had {matched[DIAGNOSIS]}")
    if LANGUAGE in matched:
        reasons.append(f"both speak {matched[LANGUAGE]}")
    if AGE_BAND in matched:
        reasons.append(f"in your age group ({matched[AGE_BAND]})")
    if GENDER in matched:
        reasons.append(f"{matched[GENDER]}, as you asked")
    if months_further is not None:
        reasons.append(_road_words(months_further))
    return reasons


def evaluate(
    preferences: Preferences, mentor: Candidate, *, mentee_id: int, excluded: frozenset[int], today: date
) -> Suggestion | None:
    """The suggestion this mentor makes for this mentee, or None when a rule rules them out."""
    if mentor.user_id == mentee_id or mentor.user_id in excluded:
        return None
    if mentor.status != APPROVED or mentor.free_places <= 0:
        return None
    months_further: int | None = None
    if mentor.surgery_date is not None:
        months_further = months_between(mentor.surgery_date, preferences.surgery_date or today)
    further_enough = months_further is not None and months_further >= FURTHER_ALONG_MONTHS
    if not further_enough and not preferences.waive_further_along:
        return None
    score = 0
    matched: dict[str, str] = {}
    for criterion in CRITERIA:
        wish = preferences.wishes.get(criterion)
        if wish is None or not wish.value:
            continue
        shared = _matches(criterion, wish.value, mentor)
        if shared is None:
            if wish.required:
                return None
            continue
        matched[criterion] = shared
        if not wish.required:
            score += WEIGHTS[criterion]
    return Suggestion(
        candidate=mentor,
        score=score,
        months_further=months_further,
        reasons=tuple(_reasons(matched, months_further)),
    )


def rank(
    preferences: Preferences,
    candidates: list[Candidate],
    *,
    mentee_id: int,
    excluded: frozenset[int] = frozenset(),
    today: date,
    limit: int | None = None,
) -> list[Suggestion]:
    """Mentors suggested for this mentee, best first (see the module docstring for the rules)."""
    found = [
        s
        for s in (evaluate(preferences, c, mentee_id=mentee_id, excluded=excluded, today=today) for c in candidates)
        if s is not None
    ]
    found.sort(
        key=lambda s: (-s.score, -s.candidate.free_places, -(s.months_further or 0), s.candidate.user_id),
    )
    return found if limit is None else found[:limit]
