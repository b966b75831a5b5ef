"""JSON request bodies, refusing text that cannot be stored."""

import json
from typing import Any

from django.http import HttpRequest
from ninja.parser import Parser


class LoneSurrogate(ValueError):
    """A "\\ud800" escape is valid JSON syntax but no character: UTF-8 (and so the database) can't hold it."""


def _check(value: Any) -> None:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise LoneSurrogate("Text must be valid Unicode.") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _check(key)
            _check(item)
    elif isinstance(value, list):
        for item in value:
            _check(item)


class JsonParser(Parser):
    def parse_body(self, request: HttpRequest) -> Any:
        # Form posts can't carry a lone surrogate (Django decodes bytes with replacement), JSON can,
        # and it would fail deep inside password hashing or the database driver as a 500.
        data = json.loads(request.body)
        _check(data)
        return data
