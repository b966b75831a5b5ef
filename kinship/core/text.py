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
