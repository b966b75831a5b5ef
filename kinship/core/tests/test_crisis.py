import unicodedata

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from kinship.core.crisis import SCAN_LIMIT, CrisisSignal, detect, suggests_crisis
from kinship.core.tests.crisis_cases import CASES, FRESH, HELD_OUT

POSITIVES = [text for text, _, label in CASES if label]


class SignalTests(SimpleTestCase):
    def test_signal_names_the_language_and_the_phrases_found(self) -> None:
        self.assertEqual(detect("I want to kill myself"), CrisisSignal(language="en", phrases=("kill myself",)))
        self.assertEqual(detect("Quiero quitarme la vida"), CrisisSignal(language="es", phrases=("quitarme la vida",)))

    def test_every_phrase_found_is_listed_once_in_reading_order(self) -> None:
        signal = detect("I feel suicidal. I want to die. Honestly I want to die.")
        assert signal is not None
        self.assertEqual(signal.phrases, ("suicidal", "want to die"))

    def test_mixed_text_is_named_after_the_language_with_more_phrases(self) -> None:
        signal = detect("sorry my english. me quiero morir, ya no quiero vivir, I want to die")
        assert signal is not None
        self.assertEqual(signal.language, "es")

    def test_suggests_crisis_agrees_with_detect(self) -> None:
        self.assertTrue(suggests_crisis("no quiero vivir mas"))
        self.assertFalse(suggests_crisis("quiero vivir"))

    def test_signal_is_frozen(self) -> None:
        signal = detect("I want to die")
        assert signal is not None
        with self.assertRaises(AttributeError):
            signal.language = "es"  # type: ignore[misc]


class NegationTests(SimpleTestCase):
    def test_a_negator_just_before_a_phrase_cancels_it(self) -> None:
        for text in (
            "I'm not suicidal, just frustrated",
            "I would never hurt myself",
            "I'm not going to hurt myself, I promise",
            "I've never had suicidal thoughts",
            "I don't want to die, I want to fight this",
            "no tengo pensamientos suicidas",
            "nunca me haría daño",
            "nunca he pensado en suicidarme",
            "No quiero morir, quiero luchar",
            "no me quiero morir sin volver a esquiar",
            "Jamás me quitaría la vida",
        ):
            with self.subTest(text=text):
                self.assertIsNone(detect(text))

    def test_a_phrase_that_carries_its_own_negation_still_counts(self) -> None:
        for text in ("I don't want to live", "i dont wanna live anymore", "no quiero vivir", "ya no quiero vivir así"):
            with self.subTest(text=text):
                self.assertTrue(suggests_crisis(text))

    def test_negation_does_not_reach_across_a_clause_or_a_content_word(self) -> None:
        for text in (
            "I'm not ok, I want to die",
            "im not ok i want to die",
            "no aguanto mas me quiero morir",
            "No puedo más, quiero hacerme daño",
            "I'm not suicidal but I want to die sometimes",
            "Not gonna lie, I want to kill myself",
        ):
            with self.subTest(text=text):
                self.assertTrue(suggests_crisis(text))

    def test_a_negated_phrase_does_not_cancel_another_one(self) -> None:
        signal = detect("I'm not suicidal. But I keep cutting myself.")
        assert signal is not None
        self.assertIn("cutting myself", signal.phrases)
        self.assertNotIn("suicidal", signal.phrases)


class HardNegativeTests(SimpleTestCase):
    def test_everyday_talk_of_pain_death_and_killing_does_not_fire(self) -> None:
        for text in (
            "the pain is killing me",
            "physio is killing me",
            "I'd kill for a coffee",
            "dead tired",
            "my phone died",
            "chemo killed my appetite",
            "I'm dying to get back to football",
            "me muero de ganas",
            "me mata el dolor de la pierna",
            "Este dolor me está matando",
            "I cut my hair short before chemo",
            "Me corté el pelo antes de la quimio",
            "The nurse gave us the suicide prevention helpline, good to know",
            "hace años mi tío se suicidó y por eso hablo de salud mental",
            "My grandfather died of cancer in 2010",
            "I want to live a normal life again",
            "tengo ganas de vivir",
        ):
            with self.subTest(text=text):
                self.assertIsNone(detect(text))

    def test_an_accident_explains_a_self_injury_verb(self) -> None:
        self.assertIsNone(detect("I fell in the shower and hurt myself"))
        self.assertIsNone(detect("I burned myself on the oven door"))
        self.assertTrue(suggests_crisis("I hurt myself last night on purpose"))
        self.assertTrue(suggests_crisis("I fell over today. I hurt myself on purpose after."))

    def test_one_weak_phrase_is_frustration_and_two_are_a_signal(self) -> None:
        self.assertIsNone(detect("ya no aguanto más las muletas"))
        self.assertIsNone(detect("I can't do this anymore, stupid crutches"))
        self.assertTrue(suggests_crisis("Ya no aguanto más. No puedo más."))
        self.assertTrue(suggests_crisis("I can't do this anymore. What's the point."))


class NormalisingTests(SimpleTestCase):
    def test_accents_case_and_apostrophes_do_not_matter(self) -> None:
        for text in (
            "no quiero despertar mañana",
            "no quiero despértar manana",
            "NO QUIERO DESPERTAR MAÑANA",
            unicodedata.normalize("NFD", "No quiero despertar mañana"),
            "I don\u2019t want to live",
            "I DON'T WANT TO LIVE",
            "i dont want to live",
            "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "I want to die"),  # full width
        ):
            with self.subTest(text=text):
                self.assertTrue(suggests_crisis(text))

    def test_hyphens_whitespace_and_emoji_only_separate_words(self) -> None:
        for text in (
            "I've been self-harming",
            "i want\tto   die",
            "quiero😔quitarme la vida",
            "k\u200bill my\u00adself",
        ):
            with self.subTest(text=text):
                self.assertTrue(suggests_crisis(text))

    def test_nul_bytes_separate_words_and_alone_mean_nothing(self) -> None:
        self.assertTrue(suggests_crisis("I want to\x00die"))
        self.assertIsNone(detect("\x00" * 10_000))

    def test_empty_and_blank_text_is_none(self) -> None:
        for text in ("", " ", "\n\n", "...", "😔"):
            with self.subTest(text=repr(text)):
                self.assertIsNone(detect(text))

    def test_anything_that_is_not_text_is_none_without_raising(self) -> None:
        for value in (None, 0, 3.5, b"I want to die", ["I want to die"], {"text": "I want to die"}, object()):
            with self.subTest(value=repr(value)):
                self.assertIsNone(detect(value))
                self.assertFalse(suggests_crisis(value))

    def test_very_long_text_is_read_up_to_the_scan_limit(self) -> None:
        filler = "Physio went fine today and the knee feels stronger. " * (5_000_000 // 52)
        self.assertTrue(suggests_crisis("I want to die. " + filler))
        self.assertIsNone(detect(filler[:SCAN_LIMIT] + " I want to die."))


class MeasuredTests(SimpleTestCase):
    def test_labelled_set_is_large_balanced_and_clean(self) -> None:
        for language in ("en", "es"):
            rows = [label for _, lang, label in CASES if lang == language]
            with self.subTest(language=language):
                self.assertGreaterEqual(len(rows), 100)
                self.assertTrue(0.4 <= sum(rows) / len(rows) <= 0.6)
        every = [text for text, _, _ in CASES + HELD_OUT + FRESH]
        self.assertEqual(len(every), len(set(every)), "a sentence appears twice")
        self.assertEqual({lang for _, lang, _ in CASES + HELD_OUT + FRESH}, {"en", "es"})

    def test_precision_and_recall_on_the_labelled_set(self) -> None:
        report = []
        for name, cases in (("labelled", CASES), ("held-out", HELD_OUT), ("fresh", FRESH)):
            for language in ("en", "es", "all"):
                figures = _measure([case for case in cases if language in ("all", case[1])])
                report.append(f"{name:9} {language:3} {_format(figures)}")
                if name == "labelled" and language == "all":
                    overall = figures
        summary = "\n".join(report)
        print("\nCrisis detection, precision and recall:\n" + summary)
        self.assertGreaterEqual(overall["recall"], 0.95, summary)
        self.assertGreaterEqual(overall["precision"], 0.85, summary)

    def test_detected_language_matches_the_labelled_one(self) -> None:
        for text, language, label in CASES:
            signal = detect(text)
            if label and signal:
                with self.subTest(text=text):
                    self.assertEqual(signal.language, language)


def _measure(cases: list[tuple[str, str, bool]]) -> dict[str, float]:
    tp = sum(1 for text, _, label in cases if label and suggests_crisis(text))
    fp = sum(1 for text, _, label in cases if not label and suggests_crisis(text))
    fn = sum(1 for text, _, label in cases if label and not suggests_crisis(text))
    return {
        "n": len(cases),
        "positives": tp + fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / (tp + fn) if tp + fn else 1.0,
    }


def _format(f: dict[str, float]) -> str:
    return (
        f"n={f['n']:3} positives={f['positives']:3} tp={f['tp']:3} fp={f['fp']:2} fn={f['fn']:2} "
        f"precision={f['precision']:.3f} recall={f['recall']:.3f}"
    )


@settings(max_examples=500, deadline=None)
@given(text=st.text(max_size=400))
def test_detect_never_raises_on_any_text(text: str) -> None:
    signal = detect(text)
    assert signal is None or (signal.language in ("en", "es") and signal.phrases)


@settings(max_examples=200, deadline=None)
@given(value=st.one_of(st.none(), st.integers(), st.floats(), st.binary(), st.lists(st.text(max_size=20))))
def test_detect_never_raises_on_anything_else(value: object) -> None:
    assert detect(value) is None


@settings(max_examples=300, deadline=None)
@given(positive=st.sampled_from(POSITIVES), before=st.text(max_size=300), after=st.text(max_size=300))
def test_unrelated_text_around_a_positive_keeps_it_positive(positive: str, before: str, after: str) -> None:
    assert suggests_crisis(f"{before}\n{positive}\n{after}")


@settings(max_examples=100, deadline=None)
@given(positive=st.sampled_from(POSITIVES))
def test_capitals_do_not_hide_a_positive(positive: str) -> None:
    assert suggests_crisis(positive.upper())
