"""The Jinja2 environment for the few fragments drawn many times per request.

Django's template engine renders most pages. The post rows of a topic page and the topic rows
of a circle page are drawn 20 times per request on the busiest pages, and Jinja2 compiles
templates to Python, which renders them several times faster. These fragments are rendered to
a string in the view and placed into the Django page; they use the same filters and escaping
(Django's safe strings keep their meaning in Jinja2 through `__html__`).
"""

from datetime import datetime
from typing import Any

from django.template import defaultfilters
from django.urls import reverse
from django.utils import timezone
from jinja2 import Environment

from kinship.core.templatetags.kinship import initials


def _date(value: datetime | None, fmt: str) -> str:
    if value is None:
        return ""
    return defaultfilters.date(timezone.localtime(value), fmt)


def _timesince(value: datetime | None) -> str:
    return defaultfilters.timesince_filter(value) if value else ""


def _pluralize(count: int, suffixes: str = "s") -> str:
    return defaultfilters.pluralize(count, suffixes)


def environment(**options: Any) -> Environment:
    # Django's backend turns escaping on already; member text must never depend on a default.
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.globals["url"] = lambda name, *args: reverse(name, args=args)
    env.filters.update(initials=initials, date=_date, timesince=_timesince, pluralize=_pluralize)
    return env
