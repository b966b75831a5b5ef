"""Checks for member text shared by every app: types, null bytes, lengths, clear messages."""

import unicodedata
from typing import Any

from kinship.core.errors import Invalid

# Control characters other than tab and newlines have no place in member text.
_NO_LIMIT = 10**7
_DISALLOWED = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


def clean_text(value: Any, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    """Member text, normalised to NFC with newlines unified; refuses wrong types and oversize."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", errors={field: ["Must be text."]})
    if any(ch in _DISALLOWED for ch in value):
        raise Invalid(
            f"{label} contains characters that cannot be saved.", errors={field: ["Contains control characters."]}
        )
    text = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
    if required and not text:
        raise Invalid(f"{label} cannot be empty.", errors={field: ["This field is required."]})
    if len(text) > max_length:
        raise Invalid(
            f"{label} is {len(text):,} characters; the limit is {max_length:,}.",
            errors={field: [f"At most {max_length:,} characters (this is {len(text):,})."]},
        )
    return text


def clean_line(value: Any, *, field: str, label: str, max_length: int, required: bool = False) -> str:
    """Like clean_text, on one line: newlines and tabs become spaces."""
    # Whitespace runs collapse first, so the limit counts what is kept.
    text = " ".join(clean_text(value, field=field, label=label, max_length=_NO_LIMIT).split())
    if len(text) > max_length:
        raise Invalid(
            f"{label} is {len(text):,} characters; the limit is {max_length:,}.",
            errors={field: [f"At most {max_length:,} characters (this is {len(text):,})."]},
        )
    if required and not text:
        raise Invalid(f"{label} cannot be empty.", errors={field: ["This field is required."]})
    return text


_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_inline(text: str, *, field: str, label: str, blank: str = "This field is required.") -> str:
    """Text shown inline next to names and badges: it must show something and keep its direction.

    A line made only of zero-width or combining characters shows as blank in every list, and a
    direction override would let one name pose as another ("Mia" + RLO + "nimda" reads "Miaadmin").
    """
    if text and not any(unicodedata.category(ch)[0] in "LNPS" for ch in text):
        raise Invalid(f"{label} cannot be empty.", errors={field: [blank]})
    if any(ch in _DIRECTION_CONTROLS for ch in text):
        raise Invalid(
            f"{label} cannot contain text direction control characters.",
            errors={field: ["Remove the text direction control characters."]},
        )
    return text
