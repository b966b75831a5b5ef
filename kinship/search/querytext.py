"""What a person typed, read the way web search engines read it, and written out safely for each database.

The syntax is PostgreSQL's `websearch_to_tsquery`: words are all required, "quoted words" are a
phrase, `or` between two terms accepts either, and `-word` or `-"a phrase"` excludes. Everything
else is punctuation. The parse keeps only runs of letters and digits, so what reaches FTS5 is a
list of double-quoted strings joined by AND, OR and NOT that no input can turn into a syntax error,
and what reaches PostgreSQL is a websearch string rebuilt from the same parse.

A query with nothing positive to look for (blank, only punctuation or emoji, only exclusions, only
common words such as "the") finds nothing, on both databases: an exclusion alone would otherwise
match nearly every row.
"""

import re
import unicodedata
from dataclasses import dataclass, field

# Longer input is cut here: ample for a search, and it bounds the work a query can ask for.
MAX_LENGTH = 200
# At most this many terms are kept (words and phrases, exclusions included).
MAX_TERMS = 16

# Letters and digits in any script; "_" is punctuation to SQLite's unicode61 tokenizer too.
_WORD = re.compile(r"[^\W_]+")
# Inside a bare token, what separates words that are meant apart ("pain,night"); a hyphen or an
# apostrophe joins words that belong together ("knee-bend", "don't").
_SEPARATOR = re.compile(r"[^\w'\u2019-]+|_+")
# A quoted phrase (an unclosed quote runs to the end), or a run of anything but spaces and quotes.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|([^\s"]+)')

# PostgreSQL's english.stop (Snowball), so both databases drop the same words.
_ENGLISH_STOP = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
    her hers herself it its itself they them their theirs themselves what which who whom this that
    these those am is are was were be been being have has had having do does did doing a an the
    and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now
"""
STOPWORDS = frozenset(_ENGLISH_STOP.split())


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    phrase: bool  # typed in quotes: the words must come in this order


@dataclass
class Parsed:
    """Groups of terms to AND together, each group an OR of terms; and terms to exclude."""

    groups: list[list[Term]] = field(default_factory=list)
    excluded: list[Term] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups


def normalise(raw: object) -> str:
    """The query as text: NFC, control characters (NUL included) as spaces, cut at MAX_LENGTH."""
    if not isinstance(raw, str):
        return ""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cs") else ch for ch in raw[: MAX_LENGTH * 4])
    text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())[:MAX_LENGTH].strip()


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def _chunks(bare: str) -> list[tuple[str, ...]]:
    """A bare token's parts: "pain,night" is two words, "knee-bend" and "don't" one joined word each."""
    return [words for chunk in _SEPARATOR.split(bare) if (words := _words(chunk))]


def parse(raw: object) -> Parsed:
    text = normalise(raw)
    parsed = Parsed()
    pending_or = False
    count = 0
    for match in _TOKEN.finditer(text):
        minus, quoted, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None and bare.lower() == "or":
            # "or" joins the terms either side of it; at the start, or twice, it is nothing.
            pending_or = bool(parsed.groups)
            continue
        if quoted is not None:
            words = _words(quoted)
            # A phrase of common words only is dropped, as PostgreSQL drops it.
            terms = [(bool(minus), Term(words, phrase=True))] if any(w not in STOPWORDS for w in words) else []
        else:
            negated = bare.startswith("-")
            terms = []
            for i, words in enumerate(_chunks(bare)):
                if len(words) == 1 and words[0] in STOPWORDS:
                    continue
                terms.append((negated and i == 0, Term(words, phrase=len(words) > 1)))
        if not terms:
            pending_or = False
            continue
        for negated, term in terms:
            if count >= MAX_TERMS:
                break
            count += 1
            if negated:
                parsed.excluded.append(term)
            elif pending_or:
                parsed.groups[-1].append(term)
            else:
                parsed.groups.append([term])
            pending_or = False
    return parsed


# FTS5 ----------------------------------------------------------------------------------------


def _fts5_term(term: Term) -> str:
    # Words are letters and digits only, so a double-quoted string needs no escaping.
    return '"' + " ".join(term.words) + '"'


def to_fts5(parsed: Parsed) -> str | None:
    """An FTS5 MATCH expression, or None when there is nothing to look for."""
    if parsed.is_empty:
        return None
    groups = []
    for group in parsed.groups:
        terms = [_fts5_term(term) for term in group]
        groups.append(terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")")
    expression = " AND ".join(groups)
    if parsed.excluded:
        expression = f"({expression})" + "".join(f" NOT {_fts5_term(term)}" for term in parsed.excluded)
    return expression


# PostgreSQL ----------------------------------------------------------------------------------


def _websearch_term(term: Term) -> str:
    return '"' + " ".join(term.words) + '"' if term.phrase else term.words[0]


def to_websearch(parsed: Parsed) -> str | None:
    """A websearch_to_tsquery string rebuilt from the parse, or None when there is nothing to look for."""
    if parsed.is_empty:
        return None
    parts = [" or ".join(_websearch_term(term) for term in group) for group in parsed.groups]
    parts += ["-" + _websearch_term(term) for term in parsed.excluded]
    return " ".join(parts)
