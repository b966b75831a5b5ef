"""The ranking: a pure function, tested on hand-made cases and by properties."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from kinship.peers import matching
from kinship.peers.matching import Candidate, Preferences, Wish

TODAY = date(2026, 6, 1)


def mentor(user_id: int, **fields) -> Candidate:
    fields.setdefault("status", "approved")
    fields.setdefault("capacity", 2)
    fields.setdefault("holding", 0)
    fields.setdefault("surgery_date", date(2023, 1, 1))
    return Candidate(user_id=user_id, **fields)


def rank(prefs: Preferences, candidates: list[Candidate], **kwargs) -> list[matching.Suggestion]:
    kwargs.setdefault("mentee_id", 999)
    return matching.rank(prefs, candidates, today=TODAY, **kwargs)


def ids(suggestions: list[matching.Suggestion]) -> list[int]:
    return [s.candidate.user_id for s in suggestions]


def test_no_candidates_gives_no_suggestions() -> None:
    assert rank(Preferences(), []) == []


def test_required_filters_and_preferred_weighs() -> None:
    spanish = mentor(1, languages=("es",), surgery_type="amputation")
    english_salvage = mentor(2, languages=("en",), surgery_type="limb_salvage")
    spanish_salvage = mentor(3, languages=("es", "en"), surgery_type="limb_salvage")
    prefs = Preferences(wishes={"language": Wish("es", required=True), "surgery_type": Wish("limb_salvage")})
    assert ids(rank(prefs, [spanish, english_salvage, spanish_salvage])) == [3, 1]


def test_preferred_never_filters() -> None:
    prefs = Preferences(wishes={"surgery_type": Wish("rotationplasty")})
    assert ids(rank(prefs, [mentor(1, surgery_type="amputation")])) == [1]


def test_full_paused_and_self_and_excluded_are_left_out() -> None:
    candidates = [
        mentor(1, capacity=1, holding=1),
        mentor(2, status="paused"),
        mentor(3, status="applied"),
        mentor(999),
        mentor(5),
        mentor(6),
    ]
    assert ids(rank(Preferences(), candidates, excluded=frozenset({5}))) == [6]


def test_further_along_by_12_months_unless_waived() -> None:
    mentee_date = date(2025, 1, 15)
    close = mentor(1, surgery_date=date(2024, 6, 1))  # 7 months before
    far = mentor(2, surgery_date=date(2024, 1, 15))  # exactly 12 months before
    undated = mentor(3, surgery_date=None)
    prefs = Preferences(surgery_date=mentee_date)
    assert ids(rank(prefs, [close, far, undated])) == [2]
    waived = Preferences(surgery_date=mentee_date, waive_further_along=True)
    assert set(ids(rank(waived, [close, far, undated]))) == {1, 2, 3}


def test_without_a_mentee_date_the_mentor_is_a_year_past_surgery_today() -> None:
    assert ids(rank(Preferences(), [mentor(1, surgery_date=date(2025, 9, 1)), mentor(2)])) == [2]


def test_ties_go_to_more_free_places_then_longer_road_then_lower_id() -> None:
    a = mentor(4, capacity=3, holding=0)
    b = mentor(2, capacity=3, holding=1)
    c = mentor(3, capacity=3, holding=1, surgery_date=date(2020, 1, 1))
    d = mentor(1, capacity=3, holding=1)
    assert ids(rank(Preferences(), [d, c, b, a])) == [4, 3, 1, 2]


def test_score_beats_free_places() -> None:
    prefs = Preferences(wishes={"language": Wish("es")})
    assert ids(rank(prefs, [mentor(1, capacity=5), mentor(2, capacity=1, languages=("es",))])) == [2, 1]


def test_reasons_in_plain_words() -> None:
    prefs = Preferences(
        wishes={
            "surgery_type": Wish("limb_salvage"),
            "body_site": Wish("Right femur"),
            "language": Wish("es", required=True),
        },
        surgery_date=date(2025, 1, 1),
    )
    found = rank(prefs, [mentor(1, surgery_type="limb_salvage", body_site="Left distal femur", languages=("es",))])
    assert found[0].reason_text == "both had limb salvage of the femur; both speak Spanish; 2 years further along"


def test_body_sites_match_on_the_bone_not_the_words() -> None:
    assert matching.site_words("Left femur, above-knee") == {"femur", "knee"}
    prefs = Preferences(wishes={"body_site": Wish("pelvis", required=True)})
    assert ids(rank(prefs, [mentor(1, body_site="Left pelvic bone"), mentor(2, body_site="Right tibia")])) == [1]


def test_months_between() -> None:
    assert matching.months_between(date(2024, 1, 31), date(2025, 1, 30)) == 11
    assert matching.months_between(date(2024, 1, 31), date(2025, 1, 31)) == 12
    assert matching.months_between(date(2025, 1, 1), date(2024, 1, 1)) == -12


def test_limit() -> None:
    assert len(rank(Preferences(), [mentor(i) for i in range(1, 30)], limit=20)) == 20


# Properties ---------------------------------------------------------------------------------

VALUES = {
    "surgery_type": st.sampled_from(["limb_salvage", "amputation", "rotationplasty", "other", ""]),
    "body_site": st.sampled_from(["Left femur", "Right tibia", "pelvis", "hip", ""]),
    "diagnosis": st.sampled_from(["Osteosarcoma", "Ewing sarcoma", ""]),
    "age_band": st.sampled_from(["13-17", "18-24", "25-39", ""]),
    "gender": st.sampled_from(["woman", "man", "nonbinary", ""]),
}
candidates = st.builds(
    Candidate,
    user_id=st.integers(1, 40),
    status=st.sampled_from(["approved", "approved", "paused", "applied", "retired"]),
    capacity=st.integers(1, 5),
    holding=st.integers(0, 6),
    diagnosis=VALUES["diagnosis"],
    surgery_type=VALUES["surgery_type"],
    body_site=VALUES["body_site"],
    surgery_date=st.none() | st.dates(date(2000, 1, 1), TODAY),
    languages=st.lists(st.sampled_from(["en", "es", "de"]), max_size=3).map(tuple),
    age_band=VALUES["age_band"],
    gender=VALUES["gender"],
)
wishes = st.dictionaries(
    st.sampled_from(list(matching.CRITERIA)),
    st.builds(Wish, value=st.sampled_from(["limb_salvage", "Left femur", "Osteosarcoma", "18-24", "es", "woman"]),
              required=st.booleans()),
)  # fmt: skip
preferences = st.builds(
    Preferences,
    wishes=wishes,
    surgery_date=st.none() | st.dates(date(2010, 1, 1), TODAY),
    waive_further_along=st.booleans(),
)


@settings(max_examples=300, deadline=None)
@given(prefs=preferences, pool=st.lists(candidates, max_size=15), mentee_id=st.integers(1, 40),
       excluded=st.frozensets(st.integers(1, 40), max_size=5))  # fmt: skip
def test_no_suggestion_breaks_a_rule(prefs, pool, mentee_id, excluded) -> None:
    found = matching.rank(prefs, pool, mentee_id=mentee_id, excluded=excluded, today=TODAY)
    for s in found:
        c = s.candidate
        assert c.status == "approved"
        assert c.holding < c.capacity
        assert c.user_id != mentee_id and c.user_id not in excluded
        for criterion, wish in prefs.wishes.items():
            if wish.required and wish.value:
                assert matching._matches(criterion, wish.value, c) is not None
        if not prefs.waive_further_along:
            assert s.months_further is not None and s.months_further >= matching.FURTHER_ALONG_MONTHS
    scores = [(-s.score, -s.candidate.free_places) for s in found]
    assert scores == sorted(scores)


@settings(max_examples=200, deadline=None)
@given(prefs=preferences, pool=st.lists(candidates, max_size=10))
def test_making_a_preference_required_never_adds_suggestions(prefs, pool) -> None:
    loose = matching.rank(prefs, pool, mentee_id=0, today=TODAY)
    strict_prefs = Preferences(
        wishes={k: Wish(w.value, required=True) for k, w in prefs.wishes.items()},
        surgery_date=prefs.surgery_date,
        waive_further_along=prefs.waive_further_along,
    )
    strict = matching.rank(strict_prefs, pool, mentee_id=0, today=TODAY)
    assert len(strict) <= len(loose)
