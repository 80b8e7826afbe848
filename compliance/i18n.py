"""Languages: which one a request is served in, and the documents that are English whatever the page language.

Pages speak English or Spanish (LocaleMiddleware: the header's switch, else the browser's Accept-Language). Letters
to Attorney General offices and compliance reports are English documents: their text is frozen or cited in official
correspondence, so they must not change language, decimal separator or date format with the reader's browser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.utils import translation

P = ParamSpec("P")
R = TypeVar("R")


def speaks_spanish() -> bool:
    """Whether the active language (the request's, through LocaleMiddleware) is Spanish."""
    return (translation.get_language() or "").split("-")[0] == "es"


def in_english(function: Callable[P, R]) -> Callable[P, R]:
    """Run the function with English active, then give the caller back its language."""

    # A `with` inside the wrapper, not translation.override used as a decorator: that shares one instance, and its
    # saved language, between the threads that call the function at the same time.
    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with translation.override("en"):
            return function(*args, **kwargs)

    return wrapper
